package session

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// recordedEnds finds, for the orphaned turns given (running, their process
// ended), the records of their requests that are over: a turn's end and
// its request's record are two writes, and a full disk can take the one
// and not the other (the request's record of a 3 MB answer landed, the
// turn's end with the same answer did not). A request whose process was
// killed is marked interrupted by the next start and charged its prompt's
// estimate (db.InterruptRunningStmt), which history and usage show. Such a
// turn is told as its request ended, so that the session and the history
// agree; a turn with no such record is interrupted with nothing charged.
//
// A turn does not name its request until it ends, so they are paired by
// what both record: the session, the node that made the request (the
// turn's owner's), and the prompt, among the requests no other turn of
// the session names, in order. A request still running is no answer for
// anyone. A failed lookup leaves the turns as they were.
func (s *Service) recordedEnds(ctx context.Context, st *state, orphans []*db.SessionTurn) map[int64]*db.Interaction {
	if len(orphans) == 0 || s.st == nil {
		return nil
	}
	named := map[string]bool{}
	for i := range st.Turns {
		if id := st.Turns[i].InteractionID; id != "" {
			named[id] = true
		}
	}
	byNode := map[string][]db.Interaction{}
	out := map[int64]*db.Interaction{}
	for _, tr := range orphans {
		node, _, _ := strings.Cut(tr.Owner, "/")
		reqs, ok := byNode[node]
		if !ok {
			var err error
			if reqs, err = s.st.SessionRequests(ctx, st.Session.ID, node); err != nil {
				s.logger.Debug("session: reading the requests of orphaned turns", "session", st.Session.ID, "err", err)
			}
			byNode[node] = reqs
		}
		for i := range reqs {
			in := &reqs[i]
			if named[in.ID] || in.Prompt != tr.Prompt {
				continue
			}
			named[in.ID] = true
			out[tr.Turn] = in
			break
		}
	}
	return out
}

// endFromRecord is the end of turn n as its request's record tells it:
// completed with the answer when the request ended well, interrupted with
// what arrived when it was cut short or cancelled, failed otherwise.
func (s *Service) endFromRecord(ctx context.Context, n int64, in *db.Interaction) events.Payload {
	red := s.redactor(ctx)
	o := Outcome{Answer: red.Redact(in.Response), Provider: in.Provider, Model: in.Model, Node: in.Node, InteractionID: in.ID,
		PromptTokens: int64(in.PromptTokens), CompletionTokens: int64(in.CompletionTokens), CostNUSD: NanoUSD(in.CostUSD),
		CostUnknown: in.CostUnknown != nil && *in.CostUnknown}
	if in.TTFTMillis != nil {
		o.TTFTMillis = int64(*in.TTFTMillis)
	}
	if in.TotalMillis != nil {
		o.TotalMillis = int64(*in.TotalMillis)
	}
	switch in.Status {
	case db.StatusOK:
		return &TurnCompleted{Turn: n, Outcome: o}
	case db.StatusInterrupted, db.StatusCancelled:
		o.Reason = red.Redact(in.Error)
		return &TurnInterrupted{Turn: n, Outcome: o}
	default:
		o.Reason = red.Redact(in.Error)
		return &TurnFailed{Turn: n, Outcome: o}
	}
}

// turnFromRecord is how Turns shows an orphaned turn whose request's
// record ended: as reap will record it.
func turnFromRecord(t Turn, p events.Payload, finished *time.Time) Turn {
	var o *Outcome
	switch e := p.(type) {
	case *TurnCompleted:
		t.Status, o = db.TurnCompleted, &e.Outcome
	case *TurnInterrupted:
		t.Status, o = db.TurnInterrupted, &e.Outcome
	case *TurnFailed:
		t.Status, o = db.TurnFailed, &e.Outcome
	default:
		return t
	}
	t.Answer, t.Node, t.InteractionID, t.Reason = o.Answer, o.Node, o.InteractionID, o.Reason
	if o.Provider != "" || o.Model != "" {
		t.Provider, t.Model = o.Provider, o.Model
	}
	t.PromptTokens, t.CompletionTokens, t.CostUSD = o.PromptTokens, o.CompletionTokens, USD(o.CostNUSD)
	t.TTFTMillis, t.TotalMillis = o.TTFTMillis, o.TotalMillis
	t.FinishedAt, t.Orphaned = finished, true
	return t
}

// asReaped returns st's session totals (Session and Usage; its Turns are
// st's) as they will be once its orphaned turns whose requests' records
// ended are reaped: Turns already shows such a turn as its record ended,
// and the totals shown with it (the header, the usage, the listing) must
// count what it shows. It returns st itself when there is no such turn,
// and it writes nothing.
func (s *Service) asReaped(ctx context.Context, st *state) *state {
	var orphans []*db.SessionTurn
	for _, tr := range st.running() {
		if !s.alive(ctx, tr) {
			orphans = append(orphans, tr)
		}
	}
	recorded := s.recordedEnds(ctx, st, orphans)
	if len(recorded) == 0 {
		return st
	}
	v := &state{Session: st.Session, Turns: st.Turns, Usage: slices.Clone(st.Usage)}
	for _, orphan := range orphans { // in turn order: the last answer names the model
		in := recorded[orphan.Turn]
		if in == nil {
			continue
		}
		t := turnFromRecord(turnOf(orphan), s.endFromRecord(ctx, orphan.Turn, in), in.FinishedAt)
		tr := *orphan
		tr.Status, tr.Provider, tr.Model = t.Status, t.Provider, t.Model
		tr.PromptTokens, tr.CompletionTokens, tr.CostNUSD = t.PromptTokens, t.CompletionTokens, NanoUSD(in.CostUSD)
		v.count(&tr, +1) // the running turn counted nothing
		if tr.Status == db.TurnCompleted || (v.Session.Model == "" && tr.Model != "") {
			v.Session.Provider, v.Session.Model = tr.Provider, tr.Model
		}
	}
	return v
}
