// Package session is the conversation a user has with the assistant in a
// project: its turns (the prompt, the answer, the model, provider and node
// that answered, the context that was sent, tokens and cost), kept as an
// event stream per session ("session/<id>", app/events) and projected into
// the sessions, session_turns and session_usage tables in the same Raft
// transaction. Any interface (CLI, TUI, LSP, web) on any node of the
// cluster can continue a session another one started.
//
// A Service resolves references ("new", "last", an id or a unique prefix
// of one) to Sessions; a Session records its turns with optimistic
// concurrency (two writers never interleave silently: the loser reloads
// and retries). A turn whose process died while it ran is marked
// interrupted the next time the session is continued.
package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/internal/pending"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Config configures a Service. Log and Store are required; the rest works
// at its zero value.
type Config struct {
	// Log is the event log; its registry must hold Types().
	Log *events.Log
	// Store holds the projections.
	Store *db.Store
	// Instance names this process among those that ever ran on this node
	// (turn ownership); "" means a random one.
	Instance string
	// SnapshotEvery: a session's state is snapshotted, in the transaction
	// of its events, whenever its version crosses a multiple of it; 0
	// means 1,000.
	SnapshotEvery int64
	// MaxTurn is how long a turn can run at most (the coordinator's
	// deadline and then some): a running turn of another node older than
	// that is interrupted; 0 means 15 minutes.
	MaxTurn time.Duration
	// NodeAlive, if set, says whether another node of the cluster is up;
	// a running turn of a node that is down is interrupted at once. nil
	// leaves other nodes' turns to MaxTurn.
	NodeAlive func(ctx context.Context, node string) bool
	// NewID makes session ids; nil means 12 random hex digits.
	NewID func() string
	// Secrets, if set, returns what takes the credentials of this node's
	// providers (API keys, base URL passwords) out of a turn's prompt,
	// answer and reason before they are recorded: a session's events and
	// projections reach every node of the cluster, and a key the user
	// pasted into a question, or a gateway echoed in its answer, must not
	// reach every teammate with them. It is asked at each write, since the
	// providers, and their keys, change while the process runs (a key
	// stored). nil records the texts as given.
	Secrets func(ctx context.Context) *providers.Redactor
	Logger  *slog.Logger
}

// Service manages sessions. It is safe for concurrent use.
type Service struct {
	cfg    Config
	log    *events.Log
	st     *db.Store
	node   string
	logger *slog.Logger

	mu     sync.Mutex
	active map[string]bool // keys of the turns this process is running
	// ended holds the keys of the turns this process ended lately, with
	// when: a follower's copy of the store shows such a turn running for
	// a moment after its end was committed, and it is not orphaned.
	ended map[string]time.Time
	locks map[string]*sessionLock // per session: its writers in this process (lockSession)

	// later records turn ends in the background (Session.endLater); Close
	// waits for them a while.
	later pending.Set
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Instance == "" {
		cfg.Instance = randomHex(4)
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 1000
	}
	if cfg.MaxTurn <= 0 {
		cfg.MaxTurn = 15 * time.Minute
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return randomHex(6) }
	}
	s := &Service{cfg: cfg, log: cfg.Log, st: cfg.Store, node: cfg.Log.Node(), logger: cfg.Logger, active: map[string]bool{}, ended: map[string]time.Time{},
		locks: map[string]*sessionLock{}}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// redactor returns what takes this node's secrets out of the texts a turn
// records (Config.Secrets), or nil, which takes nothing out.
func (s *Service) redactor(ctx context.Context) *providers.Redactor {
	if s.cfg.Secrets == nil {
		return nil
	}
	return s.cfg.Secrets(ctx)
}

// Owner is this process as recorded in the turns it starts: "node/instance".
func (s *Service) Owner() string { return s.node + "/" + s.cfg.Instance }

// Ref names a session: RefNew, RefLast, or an id (or a unique prefix of
// one, at least 4 characters).
type Ref string

// The references that are not ids.
const (
	RefNew  Ref = "new"
	RefLast Ref = "last" // the project's session with the latest turn, not archived
)

// Sentinel errors, wrapped by the *usererr.Error values the Service returns.
var (
	ErrNotFound = errors.New("no such session")
	ErrArchived = errors.New("session archived")
	ErrBusy     = errors.New("session has a turn running")
)

// Begin returns the session to continue: a new one (RefNew, or RefLast
// in a project that has none: see Session.New and Session.Note), the
// project's last one, or the one ref names, in whichever project it
// started. An archived session is refused with how to unarchive it.
// Turns left running by a process that has ended are marked interrupted
// first.
func (s *Service) Begin(ctx context.Context, ref Ref, project, actor string) (*Session, error) {
	if ref == RefNew || ref == "" {
		return s.create(project, actor), nil
	}
	s.catchUp(ctx)
	row, ok, err := s.resolve(ctx, ref, project)
	if err != nil {
		return nil, err
	}
	if !ok { // "last" with no session yet
		sess := s.create(project, actor)
		sess.note = s.startedForLast(ctx, project, sess.ID())
		return sess, nil
	}
	if row.Status == db.SessionArchived {
		return nil, archivedError(row.ID)
	}
	st, err := s.load(ctx, row)
	if err != nil {
		return nil, err
	}
	sess := &Session{svc: s, st: st, actor: actor}
	if err := sess.reap(ctx); err != nil {
		return nil, err
	}
	return sess, nil
}

// Peek is the session Begin would return for ref, for showing what a
// question asked in it would be sent with, without asking it (aiex ask
// --dry-run): nil where Begin would start a new one (RefNew; RefLast in a
// project with none, which note then says, as Begin's Note would), else
// the session, to read. An archived session is refused as Begin refuses
// it. It writes nothing: turns left running by a process that has ended
// are not marked interrupted, so what they got of an answer stays out of
// the history until a question is really asked.
func (s *Service) Peek(ctx context.Context, ref Ref, project string) (sess *Session, note string, err error) {
	if ref == RefNew || ref == "" {
		return nil, "", nil
	}
	s.catchUp(ctx)
	row, ok, err := s.resolve(ctx, ref, project)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, s.lastNote(ctx, project, "the question would start a new one"), nil
	}
	if row.Status == db.SessionArchived {
		return nil, "", archivedError(row.ID)
	}
	st, err := s.load(ctx, row)
	if err != nil {
		return nil, "", err
	}
	return &Session{svc: s, st: st, readOnly: true}, "", nil
}

// catchUp has this node apply every write the cluster had committed
// before the read that follows, so that a session read to be continued or
// shown holds every turn whose end any node recorded before (read your
// writes across nodes). A session's events and rows commit in one Raft
// entry, but a follower applies an entry only when the leader next tells
// it that the entry committed: on an idle cluster up to ~170 ms after the
// writer was told, and a question continued on another node in that
// moment was sent without the turn just answered (still running there,
// so left out of its history). db.Store.Sync closes the gap at ~5 ms.
// The leader needs none: it applies a write before acknowledging it.
// Without a leader, or when it does not answer within catchUpWait, the
// read takes what this node has, as every read does then.
func (s *Service) catchUp(ctx context.Context) {
	st := s.st.Status()
	if !st.Cluster || st.Leader == "" || st.Leader == st.NodeID {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, catchUpWait)
	defer cancel()
	if err := s.st.Sync(ctx); err != nil {
		s.logger.Debug("session: read without catching up with the leader", "err", err)
	}
}

// catchUpWait bounds how long a read waits to catch up with the leader.
const catchUpWait = 2 * time.Second

// archivedError refuses to continue the archived session id.
func archivedError(id string) error {
	return &usererr.Error{Msg: fmt.Sprintf("session %s is archived; unarchive it with aiex session unarchive %s, then continue it", id, id), Err: ErrArchived}
}

// Open returns a session to look at (show, export), archived or not. It
// writes nothing: turns left running by a process that has ended show as
// interrupted (Turn.Orphaned) without being marked so.
func (s *Service) Open(ctx context.Context, ref Ref, project string) (*Session, error) {
	if ref == RefNew || ref == "" {
		return nil, usererr.Usage("name a session to open: an id, or last")
	}
	s.catchUp(ctx)
	row, ok, err := s.resolve(ctx, ref, project)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.noLast(ctx, project)
	}
	st, err := s.load(ctx, row)
	if err != nil {
		return nil, err
	}
	return &Session{svc: s, st: st, readOnly: true, totals: s.asReaped(ctx, st)}, nil
}

// ID returns the id of the session ref names (an id, a prefix of one, or
// last) in project, archived ones included; an error wrapping ErrNotFound,
// fit to show, if there is none.
func (s *Service) ID(ctx context.Context, ref Ref, project string) (string, error) {
	if ref == RefNew {
		return "", usererr.Usage("name a session: its id (or 4 or more of its first characters), or last")
	}
	row, ok, err := s.resolve(ctx, ref, project)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", s.noLast(ctx, project)
	}
	return row.ID, nil
}

// noLast is the error for "last" in a project with no session in its
// list: archived ones are named, as "last" does not take them.
func (s *Service) noLast(ctx context.Context, project string) error {
	msg := "no session in this project yet; start one with aiex ask --session new"
	if rows, err := s.st.Sessions(ctx, db.SessionFilter{Project: project, Archived: true, Limit: 1}); err == nil && len(rows) == 1 {
		msg = fmt.Sprintf("no session in this project but archived ones (the latest: %s); bring one back with aiex session unarchive ID, or start one with aiex ask --session new", rows[0].ID)
	}
	return &usererr.Error{Msg: msg, Err: ErrNotFound}
}

// startedForLast is the note of a session Begin started for RefLast in a
// project that had none to continue: a script that continues "last" keeps
// working, but whoever reads stderr learns that nothing was continued
// (and of archived sessions, which "last" does not take).
func (s *Service) startedForLast(ctx context.Context, project, id string) string {
	return s.lastNote(ctx, project, fmt.Sprintf("this question starts a new one (%s)", id))
}

// lastNote says that RefLast found no session in project to continue,
// naming the latest archived one if there is one, then what follows.
func (s *Service) lastNote(ctx context.Context, project, then string) string {
	if rows, err := s.st.Sessions(ctx, db.SessionFilter{Project: project, Archived: true, Limit: 1}); err == nil && len(rows) == 1 {
		return fmt.Sprintf("no session in this project to continue but archived ones (the latest: %s; aiex session unarchive %[1]s brings it back): %s",
			rows[0].ID, then)
	}
	return "no session in this project to continue yet: " + then
}

// create is a session not yet in the log: its first turn starts it.
func (s *Service) create(project, actor string) *Session {
	id := s.cfg.NewID()
	st := newState(id)
	st.Session.Project = project
	return &Session{svc: s, st: st, actor: actor, isNew: true}
}

// resolve finds the session ref names. ok is false only for RefLast in a
// project with no session.
func (s *Service) resolve(ctx context.Context, ref Ref, project string) (db.SessionRow, bool, error) {
	if ref == RefLast {
		rows, err := s.st.Sessions(ctx, db.SessionFilter{Project: project, Limit: 1})
		if err != nil {
			return db.SessionRow{}, false, fmt.Errorf("session: %w", err)
		}
		if len(rows) == 0 {
			return db.SessionRow{}, false, nil
		}
		return rows[0], true, nil
	}
	id := strings.TrimSpace(string(ref))
	if id == "" {
		return db.SessionRow{}, false, usererr.Usage("name a session: its id (or 4 or more of its first characters), or last")
	}
	row, ok, err := s.lookup(ctx, id)
	if err != nil || ok {
		return row, ok, err
	}
	// This node's copy may not have the session yet: one started on
	// another node a moment ago reaches a follower when the leader next
	// tells it what was committed. Look again once caught up.
	if s.st.Sync(ctx) == nil {
		if row, ok, err = s.lookup(ctx, id); err != nil || ok {
			return row, ok, err
		}
	}
	err = s.notFound(ctx, id, project)
	if ue := usererr.As(err); ue != nil && len(id) < minPrefix {
		// Not a session's id, and too short to be taken as the start of one.
		ue.Msg = fmt.Sprintf("%q is too short to name a session: give its id or %d or more of its first characters, or last%s",
			id, minPrefix, strings.TrimPrefix(ue.Msg, fmt.Sprintf("no session %q", id)))
		ue.Code = usererr.ExitUsage
	}
	return row, false, err
}

// lookup finds the session whose id is id, or, for 4 characters or more,
// the one session whose id starts with id. Ids are lowercase hex: one
// given in capitals (copied from somewhere that shouts) is looked up in
// lowercase too.
func (s *Service) lookup(ctx context.Context, id string) (db.SessionRow, bool, error) {
	row, ok, err := s.lookupAs(ctx, id)
	if lower := strings.ToLower(id); err == nil && !ok && lower != id {
		return s.lookupAs(ctx, lower)
	}
	return row, ok, err
}

func (s *Service) lookupAs(ctx context.Context, id string) (db.SessionRow, bool, error) {
	row, ok, err := s.st.Session(ctx, id)
	if err != nil {
		return row, false, fmt.Errorf("session: %w", err)
	}
	if ok || len(id) < minPrefix {
		return row, ok, nil
	}
	rows, err := s.st.Sessions(ctx, db.SessionFilter{IDPrefix: id, Archived: true, Limit: 6})
	if err != nil {
		return row, false, fmt.Errorf("session: %w", err)
	}
	if len(rows) == 1 {
		return rows[0], true, nil
	}
	if len(rows) > 1 {
		return row, false, &usererr.Error{Msg: fmt.Sprintf("%q names %s sessions: %s; give more of the id", id,
			many(len(rows)), listing(rows)), Code: usererr.ExitUsage, Err: ErrNotFound}
	}
	return row, false, nil
}

// minPrefix is the shortest prefix of an id that names a session.
const minPrefix = 4

func many(n int) string {
	if n > 5 {
		return "more than 5"
	}
	return fmt.Sprint(n)
}

// notFoundListed is how many recent sessions an unknown id's error lists.
const notFoundListed = 5

// notFound is the error for an unknown id: it lists the most recent
// sessions, of the project if it has any.
func (s *Service) notFound(ctx context.Context, id, project string) error {
	rows, err := s.st.Sessions(ctx, db.SessionFilter{Project: project, Limit: notFoundListed})
	if err == nil && len(rows) == 0 && project != "" {
		rows, err = s.st.Sessions(ctx, db.SessionFilter{Limit: notFoundListed})
	}
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	msg := notFoundPrefix(id)
	if len(rows) == 0 {
		msg += "; there are none yet: start one with aiex ask --session new"
	} else {
		msg += fmt.Sprintf("; the most recent: %s (aiex session list shows them all)", listing(rows))
	}
	return &usererr.Error{Msg: msg, Err: ErrNotFound}
}

// notFoundPrefix starts the error for an unknown id.
func notFoundPrefix(id string) string { return fmt.Sprintf("no session %q", id) }

// IsNotFound reports whether err says that session id does not exist:
// err is ErrNotFound's, or, having come from a node whose errors arrive
// as text, its message says so.
func IsNotFound(err error, id string) bool {
	return errors.Is(err, ErrNotFound) || err != nil && strings.HasPrefix(err.Error(), notFoundPrefix(id))
}

// listing names sessions on one line: id (turns, when, title), …
func listing(rows []db.SessionRow) string {
	items := make([]string, 0, len(rows))
	for i, r := range rows {
		if i == notFoundListed {
			break
		}
		status := ""
		if r.Status == db.SessionArchived {
			status = ", archived"
		}
		items = append(items, fmt.Sprintf("%s (%s, %s, %q%s)", r.ID, english.Count(r.Turns, "turn"), r.UpdatedAt.Format("2006-01-02 15:04"),
			oneLine(r.Title, 40), status))
	}
	return strings.Join(items, ", ")
}

// oneLine squeezes s onto one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// loadAttempts bounds the reads of a session's rows that race a writer.
const loadAttempts = 3

// load reads a session's state: from its projection rows when it is
// active — the session row, then its turns and usage, then the row's
// version again, so that all three are of one version — else (archived,
// or rows that kept moving) by folding its snapshot and events.
func (s *Service) load(ctx context.Context, row db.SessionRow) (*state, error) {
	for range loadAttempts {
		if row.Status != db.SessionActive {
			break
		}
		turns, err := s.st.SessionTurns(ctx, row.ID, 1, 0)
		if err != nil {
			return nil, fmt.Errorf("session: load %s: %w", row.ID, err)
		}
		usage, err := s.st.SessionUsages(ctx, row.ID)
		if err != nil {
			return nil, fmt.Errorf("session: load %s: %w", row.ID, err)
		}
		again, ok, err := s.st.Session(ctx, row.ID)
		if err != nil {
			return nil, fmt.Errorf("session: load %s: %w", row.ID, err)
		}
		if ok && again.Version == row.Version && int64(len(turns)) == row.Turns {
			return &state{Session: row, Turns: turns, Usage: usage}, nil
		}
		if !ok {
			return nil, &usererr.Error{Msg: fmt.Sprintf("session %s was removed", row.ID), Err: ErrNotFound}
		}
		row = again
	}
	f, err := s.log.Load(ctx, Projection(), Stream(row.ID))
	if err != nil {
		return nil, fmt.Errorf("session: load %s: %w", row.ID, err)
	}
	st := f.(*state)
	if st.Removed || st.Session.Version == 0 {
		return nil, &usererr.Error{Msg: fmt.Sprintf("session %s was removed", row.ID), Err: ErrNotFound}
	}
	st.written() // its rows are written: folding marked what it touched
	return st, nil
}

// alive reports whether the process that started a running turn may still
// be running it. This process knows its own turns. Another process of this
// node is gone: a node's store is open in one process at a time (the data
// dir's lock), and sessions are served by that process. Another node's
// turn lives while that node is up (NodeAlive) and for MaxTurn at most.
func (s *Service) alive(ctx context.Context, tr *db.SessionTurn) bool {
	node, inst, _ := strings.Cut(tr.Owner, "/")
	if node == s.node {
		if inst != s.cfg.Instance {
			return false
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ended := s.ended[tr.Key]
		return s.active[tr.Key] || ended
	}
	if s.cfg.NodeAlive != nil && !s.cfg.NodeAlive(ctx, node) {
		return false
	}
	return s.log.Now().Sub(tr.StartedAt) < s.cfg.MaxTurn
}

// running marks (on) or unmarks a turn key as run by this process.
func (s *Service) running(key string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.active[key] = true
		return
	}
	delete(s.active, key)
	now := time.Now()
	for k, t := range s.ended {
		if now.Sub(t) > endedFor {
			delete(s.ended, k)
		}
	}
	s.ended[key] = now
}

// endedFor is how long a turn this process ended is remembered (see
// Service.ended): far longer than a follower lags.
const endedFor = time.Minute

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
