package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/db"
)

// TestKilledRequestsFiguresInItsTurn: a request whose process was killed
// (SIGKILL: no end recorded) is marked interrupted by the next start and
// charged its prompt's estimate, which history and usage show. Its turn
// must show the same: the model, the tokens and the cost, interrupted — in
// the listing, when opened, once reaped, and after a replay.
func TestKilledRequestsFiguresInItsTurn(t *testing.T) {
	ctx := context.Background()
	dead := newEnv(t, session.Config{Instance: "p1"})
	s, err := dead.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "hi"}); err != nil {
		t.Fatal(err)
	}
	in := &db.Interaction{ID: "req-1", SessionID: s.ID(), Node: "node-a", Provider: "oai", Model: "gpt-4o-mini",
		Prompt: "hi", Status: db.StatusRunning, StartedAt: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC),
		PromptEstimate: 103, CostUSD: 0.103, CostUnknown: new(bool)}
	if err := dead.st.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The process is killed; the next start marks its request interrupted.
	if _, err := dead.st.Execute(ctx, db.InterruptRunningStmt("node-a", "its process ended")); err != nil {
		t.Fatal(err)
	}

	next := envOn(t, dead.st, "node-a", session.Config{Instance: "p2"})
	checkTurn := func(what string, tr session.Turn) {
		t.Helper()
		if tr.Status != db.TurnInterrupted || tr.Model != "gpt-4o-mini" || tr.InteractionID != "req-1" ||
			tr.PromptTokens != 103 || tr.CompletionTokens != 0 || tr.CostUSD != 0.103 || tr.Reason != "its process ended" {
			t.Errorf("%s: turn %+v; want interrupted by gpt-4o-mini (req-1), 103→0 tokens, $0.103, \"its process ended\"", what, tr)
		}
	}
	checkInfo := func(what string, i session.Info) {
		t.Helper()
		if i.Model != "gpt-4o-mini" || i.PromptTokens != 103 || i.CompletionTokens != 0 || i.CostUSD != 0.103 {
			t.Errorf("%s: session %s %d→%d $%g; want gpt-4o-mini 103→0 $0.103", what, i.Model, i.PromptTokens, i.CompletionTokens, i.CostUSD)
		}
	}
	list, err := next.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	checkInfo("List", list[0])
	o, err := next.svc.Open(ctx, session.RefLast, "/p")
	if err != nil {
		t.Fatal(err)
	}
	checkInfo("Open", o.Info())
	checkTurn("Open", o.Turns(ctx, 1, 1)[0])

	// Continuing the session records the turn's end so.
	c, err := next.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	checkInfo("Begin", c.Info())
	tr := c.Turns(ctx, 1, 1)[0]
	checkTurn("Begin", tr)
	if tr.Orphaned {
		t.Errorf("Begin: turn 1 is not recorded as ended")
	}
	sessiontest.CheckReplay(t, next.log, next.st)
}
