package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// state is a checkpoint folded from its events: exactly its rows in the
// projections. It is the projection's events.Fold, what live writes fold
// their own events into, and, as JSON, the snapshot. The rows written are
// a function of the state alone, so a replay writes what live appends did.
type state struct {
	Row    db.CheckpointRow    `json:"row"`
	Files  []db.CheckpointFile `json:"files"`
	Tags   []string            `json:"tags"`
	Pruned bool                `json:"pruned,omitempty"`

	filesDirty bool // live: the file rows are to be written
}

// stateSchema is the version of the snapshot JSON.
const stateSchema = 1

var _ events.Fold = (*state)(nil)

func newState(id string) *state {
	return &state{Row: db.CheckpointRow{ID: id}, Files: []db.CheckpointFile{}, Tags: []string{}}
}

// Version implements events.Fold.
func (st *state) Version() int64 { return st.Row.Version }

// Ended implements events.Fold.
func (st *state) Ended() bool { return st.Pruned }

// Skip implements events.Fold.
func (st *state) Skip(ev *events.Event) { st.Row.Version = ev.Version }

// Snapshot implements events.Fold.
func (st *state) Snapshot() (int, json.RawMessage, error) {
	b, err := json.Marshal(st)
	return stateSchema, b, err
}

// created reports whether the checkpoint's first event was folded.
func (st *state) created() bool { return st.Row.Status != "" }

// Apply implements events.Fold. It checks before it changes anything, so
// a refused event leaves the state as it was.
func (st *state) Apply(ev *events.Event, p events.Payload) error {
	r := &st.Row
	if st.Pruned {
		return fmt.Errorf("%s after the checkpoint was pruned", ev.Type)
	}
	if _, first := p.(*Created); first == st.created() {
		if first {
			return errors.New("created twice")
		}
		return fmt.Errorf("%s before the checkpoint was created", ev.Type)
	}
	switch p := p.(type) {
	case *Created:
		*r = db.CheckpointRow{ID: r.ID, Project: p.Project, Root: p.Root, SessionID: p.Session, Turn: p.Turn,
			Reason: p.Reason, Label: p.Label, RestoreOf: p.RestoreOf, Status: db.CheckpointApplying,
			Files: int64(len(p.Files)), Node: ev.Node, Actor: ev.Actor, CreatedAt: ev.Time.UTC()}
		st.Files = make([]db.CheckpointFile, 0, len(p.Files))
		for _, f := range p.Files {
			row := db.CheckpointFile{CheckpointID: r.ID, Path: f.Path}
			if b := f.Before; b != nil {
				row.BeforeHash, row.BeforeSize, row.BeforeMode = b.Hash, b.Size, int64(b.Mode)
			}
			if a := f.After; a != nil {
				row.AfterHash, row.AfterSize, row.AfterMode = a.Hash, a.Size, int64(a.Mode)
			}
			st.Files = append(st.Files, row)
		}
		st.filesDirty = true
	case *Applied:
		if r.Status != db.CheckpointApplying {
			return fmt.Errorf("applied when %s", r.Status)
		}
		r.Status = db.CheckpointApplied
	case *RolledBack:
		if r.Status != db.CheckpointApplying {
			return fmt.Errorf("rolled back when %s", r.Status)
		}
		r.Status, r.Error = db.CheckpointRolledBack, p.Error
		if len(p.Left) > 0 {
			r.Status = db.CheckpointFailed
			r.Error = fmt.Sprintf("%s; left changed: %s", p.Error, strings.Join(p.Left, ", "))
		}
	case *Tagged:
		i, found := slices.BinarySearch(st.Tags, p.Tag)
		if found {
			return fmt.Errorf("tagged %q twice", p.Tag)
		}
		st.Tags = slices.Insert(st.Tags, i, p.Tag)
	case *Untagged:
		i, found := slices.BinarySearch(st.Tags, p.Tag)
		if !found {
			return fmt.Errorf("untagged %q, which it does not have", p.Tag)
		}
		st.Tags = slices.Delete(st.Tags, i, i+1)
	case *Pruned:
		st.Pruned = true
	default:
		return fmt.Errorf("unexpected payload %T", p)
	}
	r.Version, r.UpdatedAt = ev.Version, ev.Time.UTC()
	return nil
}

// tagRows are st's tags as rows.
func (st *state) tagRows() []db.CheckpointTag {
	out := make([]db.CheckpointTag, 0, len(st.Tags))
	for _, t := range st.Tags {
		out = append(out, db.CheckpointTag{CheckpointID: st.Row.ID, Tag: t})
	}
	return out
}

// liveStmts are the statements that bring st's rows up to date after a
// live append: its row, its files when new, its tags; or, once pruned,
// the removal of all of them. needBlobs, if any, are the blobs its files
// refer to that the append did not carry: the row is written only if
// they are stored (db.UpsertCheckpointCheckedStmt).
func (st *state) liveStmts(needBlobs []string) []db.Statement {
	if st.Pruned {
		return db.DeleteCheckpointStmts(st.Row.ID)
	}
	out := []db.Statement{db.UpsertCheckpointCheckedStmt(st.Row, needBlobs)}
	if st.filesDirty {
		out = append(out, db.UpsertCheckpointFilesStmts(st.Files)...)
		st.filesDirty = false
	}
	out = append(out, db.DeleteCheckpointTagsStmt(st.Row.ID))
	return append(out, db.InsertCheckpointTagsStmts(st.tagRows())...)
}

// Projection is the checkpoints projection (tables checkpoints,
// checkpoint_files, checkpoint_tags), for events.Log.Replay and Prune.
func Projection() events.Projection { return projection{} }

type projection struct{}

// ErrSnapshotSchema: a snapshot's state is of a schema this binary cannot
// read.
var ErrSnapshotSchema = errors.New("unknown snapshot schema")

func (projection) Name() string          { return "checkpoints" }
func (projection) Prefix() string        { return StreamPrefix }
func (projection) Reset() []db.Statement { return db.ClearCheckpointsStmts() }

func (projection) NewFold(stream string, snap *db.Snapshot) (events.Fold, error) {
	id, ok := strings.CutPrefix(stream, StreamPrefix)
	if !ok || id == "" {
		return nil, fmt.Errorf("checkpoint: %s is not a checkpoint stream", stream)
	}
	if snap == nil {
		return newState(id), nil
	}
	if snap.Schema != stateSchema {
		return nil, fmt.Errorf("checkpoint: snapshot of %s: %w %d (this aiex reads %d)", stream, ErrSnapshotSchema, snap.Schema, stateSchema)
	}
	st := newState(id)
	if err := json.Unmarshal(snap.State, st); err != nil {
		return nil, fmt.Errorf("checkpoint: snapshot of %s: %w", stream, err)
	}
	if st.Row.ID != id || st.Row.Version != snap.Version {
		return nil, fmt.Errorf("checkpoint: snapshot of %s is of %s at version %d, not version %d", stream, st.Row.ID, st.Row.Version, snap.Version)
	}
	st.Row.CreatedAt, st.Row.UpdatedAt = st.Row.CreatedAt.UTC(), st.Row.UpdatedAt.UTC()
	if st.Files == nil {
		st.Files = []db.CheckpointFile{}
	}
	if st.Tags == nil {
		st.Tags = []string{}
	}
	return st, nil
}

// Write implements events.Projection: every row of every fold, in bulk.
func (projection) Write(folds []events.Fold) ([]db.Statement, error) {
	var rows []db.CheckpointRow
	var files []db.CheckpointFile
	var tags []db.CheckpointTag
	for _, f := range folds {
		st, ok := f.(*state)
		if !ok {
			return nil, fmt.Errorf("checkpoint: cannot write a %T", f)
		}
		if st.Pruned || !st.created() {
			continue // pruned, or nothing but skipped events
		}
		rows = append(rows, st.Row)
		files = append(files, st.Files...)
		tags = append(tags, st.tagRows()...)
	}
	var out []db.Statement
	out = append(out, db.UpsertCheckpointsStmts(rows)...)
	out = append(out, db.UpsertCheckpointFilesStmts(files)...)
	return append(out, db.InsertCheckpointTagsStmts(tags)...), nil
}
