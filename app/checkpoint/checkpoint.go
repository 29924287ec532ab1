// Package checkpoint keeps what the assistant's writes change, so that
// every write can be undone. Before any file is written its previous
// content is stored (content-addressed blobs, each stored once) as a
// checkpoint linked to the session turn that wrote it; the writes then go
// through the sandbox atomically, and a failure midway puts back the files
// already written. Restore writes a checkpoint's "before" contents back,
// refusing to overwrite changes made since, and is itself checkpointed, so
// a restore can be undone too.
//
// A checkpoint is an event stream ("checkpoint/<id>", app/events)
// projected into the checkpoints, checkpoint_files and checkpoint_tags
// tables in the same Raft transaction; blobs and rows replicate with the
// store, so a checkpoint made on one node restores on another (paths are
// relative to the project root, and projects are matched by key, not by
// where they sit). See DESIGN.md.
package checkpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Config configures a Store. Log, Store, FS and Project.Root are
// required; the rest works at its zero value.
type Config struct {
	// Log is the event log; its registry must hold Types().
	Log *events.Log
	// Store holds the projections and the blobs.
	Store *db.Store
	// FS is how the project's files are read and written: the sandbox.
	FS FS
	// Project is the project the checkpoints are of.
	Project Project
	// Actor is recorded with the events (cli, tui, lsp, web).
	Actor string
	// Retention is what Prune applies when it is given no policy.
	Retention Policy
	// NewID makes checkpoint ids; nil means 12 random hex digits.
	NewID func() string
	// Instance names this process among those that ever ran on this node:
	// each checkpoint records its writer as "node/instance", and one left
	// applying by a process that has ended reads as interrupted. "" means
	// one random name shared by every Store of this process.
	Instance string
	// NodeAlive, if set, says whether another node of the cluster is up: a
	// checkpoint a node that is down left applying was cut short. nil
	// leaves other nodes' checkpoints to MaxApply.
	NodeAlive func(ctx context.Context, node string) bool
	// MaxApply is how long another node's write may take: one still
	// applying after that was cut short. 0 means 15 minutes (a session
	// turn's bound, far above any write's).
	MaxApply time.Duration
	Logger   *slog.Logger // nil discards
}

// Store makes, lists, diffs, restores and prunes the checkpoints of one
// project. It is safe for concurrent use; the writes of one Store (Apply,
// Restore) run one at a time.
type Store struct {
	cfg    Config
	log    *events.Log
	st     *db.Store
	fs     FS
	logger *slog.Logger
	codec  codec

	mu sync.Mutex // serializes Apply and Restore
}

// New returns a Store.
func New(cfg Config) (*Store, error) {
	switch {
	case cfg.Log == nil || cfg.Store == nil || cfg.FS == nil:
		return nil, errors.New("checkpoint: Config needs Log, Store and FS")
	case cfg.Project.Root == "":
		return nil, errors.New("checkpoint: Config needs Project.Root")
	case !slices.Contains(cfg.Log.Registry().Types(), TypeCreated):
		return nil, errors.New("checkpoint: the event log's registry lacks checkpoint.Types()")
	}
	if cfg.Project.Key == "" {
		cfg.Project.Key = pathKey(cfg.Project.Root)
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return randomHex(6) }
	}
	if cfg.Instance == "" {
		cfg.Instance = processInstance()
	}
	if cfg.MaxApply <= 0 {
		cfg.MaxApply = 15 * time.Minute
	}
	s := &Store{cfg: cfg, log: cfg.Log, st: cfg.Store, fs: cfg.FS, logger: cfg.Logger}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Close releases the Store's decompressor early; a Store holds no
// goroutine or file, so one never closed is simply collected. It is safe
// to call twice.
func (s *Store) Close() error {
	s.codec.close()
	return nil
}

// Project is the project the Store keeps checkpoints of.
func (s *Store) Project() Project { return s.cfg.Project }

// Meta says why files are written: the session turn (if any) and the
// command.
type Meta struct {
	Session string // the session whose turn writes; "" for a command of its own
	Turn    int64
	Reason  string // refactor, gen module, …; "" means "edit"
	Label   string // a line for people
}

// Checkpoint describes a checkpoint. As in every command's --json output,
// it names itself id and another object <kind>_id, with its role in
// front when the kind alone would not say which: the checkpoint a restore
// undid is restored_checkpoint_id. (The events keep their own names.)
type Checkpoint struct {
	ID        string `json:"id"`
	Project   string `json:"project"` // ProjectName: its root, or its repository (git:host/org/repo)
	Root      string `json:"root"`    // where it was made
	Session   string `json:"session_id,omitempty"`
	Turn      int64  `json:"turn,omitempty"`
	Reason    string `json:"reason"`
	Label     string `json:"label,omitempty"`
	RestoreOf string `json:"restored_checkpoint_id,omitempty"`
	Status    string `json:"status"` // applying, applied, undone, rolled_back, failed, interrupted
	// UndoneBy, of a checkpoint undone (StatusUndone), is the checkpoint
	// of the restore that put its write back.
	UndoneBy  string        `json:"undone_by_checkpoint_id,omitempty"`
	Error     string        `json:"error,omitempty"`
	Tags      []string      `json:"tags"`
	Node      string        `json:"node"`
	Actor     string        `json:"actor"`
	CreatedAt time.Time     `json:"created_at"`
	NFiles    int           `json:"n_files"`
	Files     []FileChanged `json:"files,omitempty"` // Show, Apply and Restore fill them in
	// Interrupted, from Show, says how far a write cut short got.
	Interrupted *Interruption `json:"interrupted,omitempty"`
}

// Kind is what the checkpoint's write did to the file: added, deleted,
// modified or mode (permissions only).
func (f FileChanged) Kind() string {
	switch {
	case f.Before == nil:
		return "added"
	case f.After == nil:
		return "deleted"
	case f.Before.Hash == f.After.Hash:
		return "mode"
	}
	return "modified"
}

func info(row db.CheckpointRow, tags []string, files []db.CheckpointFile) *Checkpoint {
	c := &Checkpoint{ID: row.ID, Project: ProjectName(row.Project), Root: row.Root, Session: row.SessionID, Turn: row.Turn,
		Reason: row.Reason, Label: row.Label, RestoreOf: row.RestoreOf, Status: row.Status, Error: row.Error,
		Tags: tags, Node: row.Node, Actor: row.Actor, CreatedAt: row.CreatedAt, NFiles: int(row.Files)}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	for _, f := range files {
		c.Files = append(c.Files, fileChanged(f))
	}
	return c
}

func fileChanged(f db.CheckpointFile) FileChanged {
	out := FileChanged{Path: f.Path}
	if f.BeforeHash != "" {
		out.Before = &FileState{Hash: f.BeforeHash, Size: f.BeforeSize, Mode: fs.FileMode(f.BeforeMode)}
	}
	if f.AfterHash != "" {
		out.After = &FileState{Hash: f.AfterHash, Size: f.AfterSize, Mode: fs.FileMode(f.AfterMode)}
	}
	return out
}

// Filter selects checkpoints for List.
type Filter struct {
	Session     string // only this session's
	Limit       int    // at most this many, newest first; <= 0 means all
	AllProjects bool   // every project's, not only this one's
}

// List returns checkpoints of the project, newest first, without their
// files.
func (s *Store) List(ctx context.Context, f Filter) ([]*Checkpoint, error) {
	dbf := db.CheckpointFilter{Project: s.cfg.Project.Key, SessionID: f.Session, Limit: f.Limit}
	if f.AllProjects {
		dbf.Project = ""
	}
	rows, err := s.st.Checkpoints(ctx, dbf)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: list: %w", err)
	}
	return s.infos(ctx, rows)
}

func (s *Store) infos(ctx context.Context, rows []db.CheckpointRow) ([]*Checkpoint, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := s.st.CheckpointTags(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	out := make([]*Checkpoint, 0, len(rows))
	for _, r := range rows {
		c := info(r, tags[r.ID], nil)
		s.markInterrupted(ctx, c) // the files' states are Show's: a listing reads no file
		out = append(out, c)
	}
	if err := s.markUndone(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Show returns the checkpoint ref names, with its files.
func (s *Store) Show(ctx context.Context, ref string) (*Checkpoint, error) {
	st, err := s.load(ctx, ref)
	if err != nil {
		return nil, err
	}
	c := info(st.Row, st.Tags, st.Files)
	if owner, ok := s.markInterrupted(ctx, c); ok {
		if c.Interrupted, err = s.howFar(ctx, c, owner); err != nil {
			return nil, err
		}
	}
	if err := s.markUndone(ctx, []*Checkpoint{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// Sentinel errors, wrapped by the *usererr.Error values the Store returns.
var (
	// ErrNotFound: no checkpoint of the project has that id, prefix or tag.
	ErrNotFound = errors.New("no such checkpoint")
	// ErrChanged: a restore would overwrite changes made since the
	// checkpoint (see ChangedError).
	ErrChanged = errors.New("files changed since the checkpoint")
	// ErrPruned: the checkpoint was pruned (the error wraps ErrNotFound
	// too).
	ErrPruned = errors.New("checkpoint pruned")
)

// RefLast names the project's newest checkpoint.
const RefLast = "last"

// load reads the checkpoint ref names — an id, a prefix of one (4 hex
// digits or more), a tag, or RefLast — from the projections.
func (s *Store) load(ctx context.Context, ref string) (*state, error) {
	row, err := s.resolve(ctx, strings.TrimSpace(ref))
	if err != nil {
		return nil, err
	}
	return s.loadRow(ctx, row)
}

// loadRow reads the files and tags of a row into a state.
func (s *Store) loadRow(ctx context.Context, row db.CheckpointRow) (*state, error) {
	files, err := s.st.CheckpointFiles(ctx, row.ID)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	tags, err := s.st.CheckpointTags(ctx, []string{row.ID})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	st := newState(row.ID)
	st.Row, st.Files = row, files
	if t := tags[row.ID]; t != nil {
		st.Tags = t
	}
	return st, nil
}

func (s *Store) resolve(ctx context.Context, ref string) (db.CheckpointRow, error) {
	key := s.cfg.Project.Key
	if ref == "" {
		return db.CheckpointRow{}, usererr.Usage("name a checkpoint: an id (or 4+ of its first digits), a tag, or last")
	}
	one := func(f db.CheckpointFilter) ([]db.CheckpointRow, error) {
		f.Project = key
		rows, err := s.st.Checkpoints(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		return rows, nil
	}
	if ref == RefLast {
		rows, err := one(db.CheckpointFilter{Limit: 1})
		if err != nil || len(rows) == 1 {
			return first(rows), err
		}
		return db.CheckpointRow{}, s.notFound(ctx, ref)
	}
	// Ids are lowercase hex: one given in capitals is taken in
	// lowercase (a tag is as given).
	id := ref
	if lower := strings.ToLower(ref); isHex(lower) {
		id = lower
	}
	row, ok, err := s.st.Checkpoint(ctx, ref)
	if err == nil && !ok && id != ref {
		row, ok, err = s.st.Checkpoint(ctx, id)
	}
	if err != nil {
		return row, fmt.Errorf("checkpoint: %w", err)
	} else if ok && row.Project == key {
		return row, nil
	} else if ok {
		where := ProjectName(row.Project) + ", made in " + row.Root
		if ProjectName(row.Project) == row.Root {
			where = "at " + row.Root
		}
		return row, &usererr.Error{Msg: fmt.Sprintf("checkpoint %s is of another project (%s); run aiex checkpoint from that project",
			row.ID, where), Err: ErrNotFound}
	}
	if CheckTag(ref) == nil {
		rows, err := one(db.CheckpointFilter{Tag: ref, Limit: 1})
		if err != nil || len(rows) == 1 {
			return first(rows), err
		}
	}
	ref = id
	if len(ref) < minPrefix && isHex(ref) {
		// Not an id or a tag, and too short to be taken as the start of an id.
		err := s.notFound(ctx, ref)
		if ue := usererr.As(err); ue != nil {
			ue.Msg = fmt.Sprintf("%q is too short to name a checkpoint: give its id or %d or more of its first digits, a tag, or last%s",
				ref, minPrefix, strings.TrimPrefix(ue.Msg, fmt.Sprintf("no checkpoint %q in this project", ref)))
			ue.Code = usererr.ExitUsage
		}
		return db.CheckpointRow{}, err
	}
	if len(ref) >= minPrefix && isHex(ref) {
		rows, err := one(db.CheckpointFilter{IDPrefix: ref, Limit: 6})
		if err != nil {
			return db.CheckpointRow{}, err
		}
		if len(rows) == 1 {
			return rows[0], nil
		}
		if len(rows) > 1 {
			return db.CheckpointRow{}, &usererr.Error{Msg: fmt.Sprintf("%q names several checkpoints: %s; give more of the id",
				ref, listing(rows)), Code: usererr.ExitUsage, Err: ErrNotFound}
		}
	}
	return db.CheckpointRow{}, s.notFound(ctx, ref)
}

// WasPruned reports whether the checkpoint id was pruned: it has no row, and
// the event log still holds the end of its stream.
func WasPruned(ctx context.Context, st *db.Store, id string) (bool, error) {
	if _, ok, err := st.Checkpoint(ctx, id); err != nil || ok {
		return false, err
	}
	gone, err := st.PrunedCheckpoints(ctx, StreamPrefix, TypePruned, id, 1)
	return err == nil && len(gone) == 1 && gone[0] == id, err
}

// minPrefix is the shortest prefix of an id that names a checkpoint.
const minPrefix = 4

func first(rows []db.CheckpointRow) db.CheckpointRow {
	if len(rows) == 0 {
		return db.CheckpointRow{}
	}
	return rows[0]
}

// notFoundListed is how many recent checkpoints an unknown ref's error
// lists.
const notFoundListed = 5

// notFound is the error for an unknown ref: it lists the project's most
// recent checkpoints.
func (s *Store) notFound(ctx context.Context, ref string) error {
	rows, err := s.st.Checkpoints(ctx, db.CheckpointFilter{Project: s.cfg.Project.Key, Limit: notFoundListed})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	msg := fmt.Sprintf("no checkpoint %q in this project", ref)
	if ref == RefLast {
		msg = "no checkpoint in this project yet"
	}
	if len(ref) >= minPrefix && isHex(ref) {
		// Another project's, or this one's before it moved (a project
		// without a git remote is known by its path).
		if other, err := s.st.Checkpoints(ctx, db.CheckpointFilter{IDPrefix: ref, Limit: 1}); err == nil && len(other) == 1 {
			return &usererr.Error{Msg: fmt.Sprintf("%s; it is a checkpoint of the project at %s (moved? aiex checkpoint list --all-projects lists every project's)",
				msg, other[0].Root), Err: ErrNotFound}
		}
	}
	if len(ref) >= minPrefix && isHex(ref) {
		// Pruned: its stream ended, and the log still says so.
		if gone, err := s.st.PrunedCheckpoints(ctx, StreamPrefix, TypePruned, ref, 1); err == nil && len(gone) == 1 {
			msg = fmt.Sprintf("checkpoint %s was pruned (by aiex checkpoint prune or the [checkpoints] retention): what it kept is gone, so it cannot be restored", gone[0])
			if len(rows) > 0 {
				msg += fmt.Sprintf("; the most recent: %s", listing(rows))
			}
			return &usererr.Error{Msg: msg, Err: fmt.Errorf("%w: %w", ErrNotFound, ErrPruned)}
		}
	}
	switch {
	case len(rows) == 0 && ref == RefLast:
		msg += ": the assistant makes one before each write" // "yet" is said already
	case len(rows) == 0:
		msg += "; there are none yet: the assistant makes one before each write"
	default:
		msg += fmt.Sprintf("; the most recent: %s (aiex checkpoint list shows them all)", listing(rows))
	}
	return &usererr.Error{Msg: msg, Err: ErrNotFound}
}

// listing names checkpoints on one line: id (reason, time, label).
func listing(rows []db.CheckpointRow) string {
	items := make([]string, 0, len(rows))
	for i, r := range rows {
		if i == notFoundListed {
			break
		}
		item := fmt.Sprintf("%s (%s, %s", r.ID, r.Reason, r.CreatedAt.Local().Format("2006-01-02 15:04:05"))
		if r.Label != "" {
			item += fmt.Sprintf(", %q", r.Label)
		}
		items = append(items, item+")")
	}
	return strings.Join(items, ", ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
