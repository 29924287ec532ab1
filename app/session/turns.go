package session

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Session is one session, loaded. Its methods are safe for concurrent use;
// each write appends with the version the session was read at, and on a
// conflict (another writer appended first) reloads it and decides again.
type Session struct {
	svc      *Service
	actor    string
	readOnly bool

	mu    sync.Mutex
	st    *state
	isNew bool // not in the log yet: its first turn starts it
	stale bool // a write failed: reload before the next one
}

// ID is the session's id.
func (s *Session) ID() string { return s.st.Session.ID }

// New reports whether the session is new: it enters the log with its
// first turn.
func (s *Session) New() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isNew
}

// Version is the version of the session's stream as this Session last
// saw it.
func (s *Session) Version() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Session.Version
}

// TurnStart is what a turn begins with.
type TurnStart struct {
	Prompt   string
	Provider string // as asked for ("" lets the strategy choose)
	Model    string
	// Context, if known before the request goes out; else give it with
	// the outcome.
	Context *ContextSummary
}

// TurnResult is how a turn ended.
type TurnResult struct {
	Answer           string // the whole answer, or the part that arrived
	Provider         string
	Model            string
	Node             string // the node that answered
	InteractionID    string // llm_interaction.id
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
	TTFTMillis       int64
	TotalMillis      int64
	Context          *ContextSummary
	Reason           string // why it was interrupted, or the error
}

func (r *TurnResult) outcome() Outcome {
	return Outcome{Answer: r.Answer, Provider: r.Provider, Model: r.Model, Node: r.Node, InteractionID: r.InteractionID,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, CostNUSD: NanoUSD(r.CostUSD),
		TTFTMillis: r.TTFTMillis, TotalMillis: r.TotalMillis, Context: encodeContext(r.Context), Reason: r.Reason}
}

// ErrReadOnly: a session opened with Open cannot be written.
var ErrReadOnly = errors.New("session opened read-only")

// RecordTurnStarted records the user's prompt as the session's next turn,
// before the request goes out, and returns the turn's number. A new
// session enters the log with it. If another writer added a turn first,
// this one takes the next number. Until the turn ends (RecordTurnCompleted,
// Interrupted or Failed) this process owns it; should the process die, the
// next Begin marks it interrupted.
func (s *Session) RecordTurnStarted(ctx context.Context, in TurnStart) (int64, error) {
	key := randomHex(8)
	s.svc.running(key, true)
	var n int64
	err := s.record(ctx, func(st *state) ([]events.Payload, error) {
		if t := st.turnByKey(key); t != nil {
			n = t.Turn // an earlier attempt did commit
			return nil, nil
		}
		if st.Session.Status == db.SessionArchived {
			return nil, &usererr.Error{Msg: fmt.Sprintf("session %s was archived meanwhile; unarchive it with aiex session unarchive %s", st.Session.ID, st.Session.ID), Err: ErrArchived}
		}
		var ps []events.Payload
		if st.Session.Version == 0 {
			ps = append(ps, &Started{Project: st.Session.Project})
		}
		n = int64(len(st.Turns)) + 1
		return append(ps, &TurnStarted{Turn: n, Prompt: in.Prompt, Provider: in.Provider, Model: in.Model,
			Owner: s.svc.Owner(), Key: key, Context: encodeContext(in.Context)}), nil
	})
	if err != nil {
		s.svc.running(key, false)
		return 0, err
	}
	return n, nil
}

// RecordTurnCompleted records turn n's answer. An answer to a turn that
// was marked interrupted meanwhile (its process was thought dead) still
// lands: the turn becomes completed.
func (s *Session) RecordTurnCompleted(ctx context.Context, n int64, r TurnResult) error {
	return s.end(ctx, n, db.TurnCompleted, r)
}

// RecordTurnInterrupted records that turn n was cut short (r.Reason: why;
// r.Answer: what arrived).
func (s *Session) RecordTurnInterrupted(ctx context.Context, n int64, r TurnResult) error {
	return s.end(ctx, n, db.TurnInterrupted, r)
}

// RecordTurnFailed records that turn n got no answer (r.Reason: the error).
func (s *Session) RecordTurnFailed(ctx context.Context, n int64, r TurnResult) error {
	return s.end(ctx, n, db.TurnFailed, r)
}

func (s *Session) end(ctx context.Context, n int64, status string, r TurnResult) error {
	var key string
	err := s.record(ctx, func(st *state) ([]events.Payload, error) {
		if n < 1 || n > int64(len(st.Turns)) {
			return nil, fmt.Errorf("session %s: no turn %d", st.Session.ID, n)
		}
		tr := st.Turns[n-1]
		key = tr.Key
		switch {
		case tr.Status == status && tr.Owner == s.svc.Owner():
			return nil, nil // an earlier attempt did commit
		case status == db.TurnCompleted && (tr.Status == db.TurnRunning || tr.Status == db.TurnInterrupted):
			return []events.Payload{&TurnCompleted{Turn: n, Outcome: r.outcome()}}, nil
		case tr.Status != db.TurnRunning:
			return nil, fmt.Errorf("session %s: turn %d is %s already", st.Session.ID, n, tr.Status)
		case status == db.TurnInterrupted:
			return []events.Payload{&TurnInterrupted{Turn: n, Outcome: r.outcome()}}, nil
		default:
			return []events.Payload{&TurnFailed{Turn: n, Outcome: r.outcome()}}, nil
		}
	})
	if err == nil && key != "" {
		s.svc.running(key, false)
	}
	return err
}

// reap marks interrupted the running turns whose process has ended.
func (s *Session) reap(ctx context.Context) error {
	return s.record(ctx, func(st *state) ([]events.Payload, error) {
		var ps []events.Payload
		for _, tr := range st.running() {
			if !s.svc.alive(ctx, tr) {
				ps = append(ps, &TurnInterrupted{Turn: tr.Turn, Outcome: Outcome{Reason: orphanReason(tr)}})
			}
		}
		return ps, nil
	})
}

func orphanReason(tr *db.SessionTurn) string {
	return fmt.Sprintf("the process answering it (%s) ended before it finished", tr.Owner)
}

// writeAttempts bounds the retries of a write that keeps conflicting.
const writeAttempts = 8

// record appends the events decide returns for the session's current
// state, folded into it and with the projection rows they change, in one
// transaction with the version the state is at as the expected one. On a
// conflict it reloads the session and asks decide again. decide returning
// no events ends it: nothing to write.
func (s *Session) record(ctx context.Context, decide func(*state) ([]events.Payload, error)) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for attempt := 1; attempt <= writeAttempts; attempt++ {
		if s.stale {
			if err := s.reload(ctx); err != nil {
				return err
			}
		}
		var ps []events.Payload
		if ps, err = decide(s.st); err != nil || len(ps) == 0 {
			return err
		}
		err = s.append(ctx, ps)
		if err == nil {
			return nil
		}
		s.stale = true // the state has the events folded in: read it again
		if !errors.Is(err, events.ErrConflict) {
			return err
		}
		s.svc.logger.Debug("session write conflict; reloading", "session", s.st.Session.ID, "attempt", attempt, "err", err)
	}
	return fmt.Errorf("session %s: %d writers' conflicts in a row: %w", s.st.Session.ID, writeAttempts, err)
}

// append folds ps into the state and appends them with the rows they
// change (and a snapshot when one is due) in one transaction.
func (s *Session) append(ctx context.Context, ps []events.Payload) error {
	l := s.svc.log
	st := s.st
	expected := st.Session.Version
	stream := Stream(st.Session.ID)
	evs := make([]*events.Event, 0, len(ps))
	for _, p := range ps {
		ev, err := l.NewEvent(p, s.actor)
		if err != nil {
			return err
		}
		ev.Stream, ev.Version = stream, st.Session.Version+1
		// Fold the payload as the log will give it back (decoded from its
		// JSON), exactly as a replay does.
		dp, err := l.Registry().Decode(ev)
		if err != nil {
			return err
		}
		if err := st.Apply(ev, dp); err != nil {
			return fmt.Errorf("session %s: %w", st.Session.ID, err)
		}
		evs = append(evs, ev)
	}
	stmts := st.liveStmts()
	every := s.svc.cfg.SnapshotEvery
	_, archived := ps[len(ps)-1].(*Archived)
	if !st.Removed && (archived || expected/every != st.Session.Version/every) {
		sn, err := l.SnapshotStmt(stream, st)
		if err != nil {
			return err
		}
		stmts = append(stmts, sn)
	}
	if err := l.AppendBatch(ctx, []events.StreamAppend{{Stream: stream, Expected: expected, Events: evs}}, stmts...); err != nil {
		return err
	}
	st.written()
	s.isNew = false
	return nil
}

// reload reads the session's state again.
func (s *Session) reload(ctx context.Context) error {
	id := s.st.Session.ID
	row, ok, err := s.svc.st.Session(ctx, id)
	if err != nil {
		return fmt.Errorf("session: reload %s: %w", id, err)
	}
	var st *state
	switch {
	case ok:
		if st, err = s.svc.load(ctx, row); err != nil {
			return err
		}
	default:
		// Not in the projections: new (its first append may or may not
		// have committed), or removed. The log knows.
		f, err := s.svc.log.Load(ctx, Projection(), Stream(id))
		if err != nil {
			return fmt.Errorf("session: reload %s: %w", id, err)
		}
		st = f.(*state)
		if st.Removed {
			return &usererr.Error{Msg: fmt.Sprintf("session %s was removed", id), Err: ErrNotFound}
		}
		if st.Session.Version == 0 {
			st.Session.Project = s.st.Session.Project
		}
	}
	st.written()
	s.st, s.stale = st, false
	s.isNew = st.Session.Version == 0
	return nil
}
