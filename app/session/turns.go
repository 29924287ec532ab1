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

	mu sync.Mutex
	st *state
	// totals, when set, is what Info and Usage show instead of st's: st
	// as reaped (Service.asReaped), for a session opened to look at.
	totals *state
	isNew  bool   // not in the log yet: its first turn starts it
	stale  bool   // a write failed: reload before the next one
	note   string // see Note
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

// Note is what the user should be told of how the session was chosen, or
// "": Begin asked for the project's last session found none to continue
// and started a new one. The turn still goes ahead (scripts continue
// "last" from their first question on); an interface prints the note
// (one line on stderr) so that nobody takes it for a continuation.
func (s *Session) Note() string { return s.note }

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
	CostUnknown      bool // CostUSD leaves out what a model of no known price cost
	TTFTMillis       int64
	TotalMillis      int64
	Context          *ContextSummary
	Reason           string // why it was interrupted, or the error
}

func (r *TurnResult) outcome() Outcome {
	return Outcome{Answer: r.Answer, Provider: r.Provider, Model: r.Model, Node: r.Node, InteractionID: r.InteractionID,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, CostNUSD: NanoUSD(r.CostUSD), CostUnknown: r.CostUnknown,
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
	in.Prompt = s.svc.redactor(ctx).Redact(in.Prompt) // see Config.Secrets
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

// end records how turn n ended. If that fails other than by a decision
// (the turn is not there, or ended another way already), the turn is not
// left running while this process lives: endLater keeps recording it.
func (s *Session) end(ctx context.Context, n int64, status string, r TurnResult) error {
	// The whole answer, as assembled from its chunks, loses the secrets
	// (Config.Secrets); a retry in the background (endLater) writes the
	// same payload.
	red := s.svc.redactor(ctx)
	r.Answer, r.Reason = red.Redact(r.Answer), red.Redact(r.Reason)
	decide, key, refused := s.endDecision(n, status, r)
	err := s.record(ctx, decide)
	switch {
	case err == nil:
		if *key != "" {
			s.svc.running(*key, false)
		}
		return nil
	case *refused || errors.Is(err, ErrNotFound) || errors.Is(err, ErrReadOnly):
		return err
	}
	if !s.endLater(ctx, decide, key, refused) {
		return err
	}
	return fmt.Errorf("%w; this process keeps trying to record it", err)
}

// endDecision is the decide of a turn's end for record. key is set to the
// turn's key once it is found; refused is set when decide itself refused.
func (s *Session) endDecision(n int64, status string, r TurnResult) (decide func(*state) ([]events.Payload, error), key *string, refused *bool) {
	key, refused = new(string), new(bool)
	decide = func(st *state) ([]events.Payload, error) {
		*refused = false
		if n < 1 || n > int64(len(st.Turns)) {
			*refused = true
			return nil, fmt.Errorf("session %s: no turn %d", st.Session.ID, n)
		}
		tr := st.Turns[n-1]
		*key = tr.Key
		switch {
		case tr.Status == status && tr.Owner == s.svc.Owner():
			return nil, nil // an earlier attempt did commit
		case status == db.TurnCompleted && (tr.Status == db.TurnRunning || tr.Status == db.TurnInterrupted):
			return []events.Payload{&TurnCompleted{Turn: n, Outcome: r.outcome()}}, nil
		case tr.Status != db.TurnRunning:
			*refused = true
			return nil, fmt.Errorf("session %s: turn %d is %s already", st.Session.ID, n, tr.Status)
		case status == db.TurnInterrupted:
			return []events.Payload{&TurnInterrupted{Turn: n, Outcome: r.outcome()}}, nil
		default:
			return []events.Payload{&TurnFailed{Turn: n, Outcome: r.outcome()}}, nil
		}
	}
	return decide, key, refused
}

// reap ends the running turns whose process has ended: as their
// requests' records ended, when they did (recordedEnds), else
// interrupted.
func (s *Session) reap(ctx context.Context) error {
	return s.record(ctx, func(st *state) ([]events.Payload, error) {
		var orphans []*db.SessionTurn
		for _, tr := range st.running() {
			if !s.svc.alive(ctx, tr) {
				orphans = append(orphans, tr)
			}
		}
		recorded := s.svc.recordedEnds(ctx, st, orphans)
		ps := make([]events.Payload, 0, len(orphans))
		for _, tr := range orphans {
			if in := recorded[tr.Turn]; in != nil {
				ps = append(ps, s.svc.endFromRecord(ctx, tr.Turn, in))
				continue
			}
			ps = append(ps, &TurnInterrupted{Turn: tr.Turn, Outcome: Outcome{Reason: orphanReason(tr)}})
		}
		return ps, nil
	})
}

func orphanReason(tr *db.SessionTurn) string {
	return fmt.Sprintf("the process answering it (%s) ended before it finished", tr.Owner)
}
