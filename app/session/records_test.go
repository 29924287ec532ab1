package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/db"
)

// TestOrphanedTurnTakesItsRequestsEnd: a full disk took a request's record
// (ok, the whole answer) but not its turn's end, which carries the same
// answer again, and the process quit. The turn must not then say
// "interrupted: the process ended before it finished" while the history
// says ok: shown (Open) and marked (Begin), it ends as its request's
// record ended. A turn whose request never ended (marked interrupted by
// the next start: no end recorded) is interrupted, naming that request
// (TestKilledRequestsFiguresInItsTurn: with what it was charged).
func TestOrphanedTurnTakesItsRequestsEnd(t *testing.T) {
	ctx := context.Background()
	dead := newEnv(t, session.Config{Instance: "p1"})
	s, err := dead.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	turn(t, s, "one", "1")
	start := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	request := func(id, prompt string) *db.Interaction {
		t.Helper()
		if _, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: prompt}); err != nil {
			t.Fatal(err)
		}
		in := &db.Interaction{ID: id, SessionID: s.ID(), Node: "node-a", Provider: "ollama", Model: "tiny:latest",
			Prompt: prompt, Status: db.StatusRunning, StartedAt: start}
		if err := dead.st.StartInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	// Turn 2: its request's record ended ok; its own end never landed.
	in := request("req-2", "long one")
	fin, ttft, total := start.Add(time.Second), 99.0, 229.0
	in.Status, in.Response, in.PromptTokens, in.CompletionTokens = db.StatusOK, "the whole answer", 10, 20
	in.FinishedAt, in.TTFTMillis, in.TotalMillis = &fin, &ttft, &total
	ev := &db.Event{Stream: "llm", Type: "llm.interaction.finished", Payload: []byte(`{}`), Node: "node-a", Actor: "cli", Time: fin}
	if err := dead.st.FinishInteraction(ctx, in, ev); err != nil {
		t.Fatal(err)
	}
	// Turn 3, the same question again: its request never ended, and the
	// next start marked it interrupted (no end recorded).
	request("req-3", "long one")
	if _, err := dead.st.Execute(ctx, db.InterruptRunningStmt("node-a", "its process ended")); err != nil {
		t.Fatal(err)
	}

	check := func(what string, tr session.Turn, status, answer, iid string, completion int64) {
		t.Helper()
		if tr.Status != status || tr.Answer != answer || tr.InteractionID != iid || tr.CompletionTokens != completion {
			t.Errorf("%s: turn %d is %s %q (request %q, %d tokens); want %s %q (request %q, %d tokens)",
				what, tr.N, tr.Status, tr.Answer, tr.InteractionID, tr.CompletionTokens, status, answer, iid, completion)
		}
	}
	next := envOn(t, dead.st, "node-a", session.Config{Instance: "p2"})
	o, err := next.svc.Open(ctx, session.RefLast, "/p")
	if err != nil {
		t.Fatal(err)
	}
	ts := o.Turns(ctx, 2, 3)
	check("Open", ts[0], db.TurnCompleted, "the whole answer", "req-2", 20)
	check("Open", ts[1], db.TurnInterrupted, "", "req-3", 0)

	c, err := next.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	ts = c.Turns(ctx, 2, 3)
	check("Begin", ts[0], db.TurnCompleted, "the whole answer", "req-2", 20)
	check("Begin", ts[1], db.TurnInterrupted, "", "req-3", 0)
	if ts[0].Orphaned || ts[0].TotalMillis != 229 {
		t.Errorf("Begin: turn 2 %+v; want it recorded, with the request's times", ts[0])
	}
	if h := c.History(); len(h) != 4 {
		t.Errorf("History has %d messages; want turns 1 and 2", len(h))
	}
	var completion int64
	for _, u := range c.Usage() {
		completion += u.CompletionTokens
	}
	if completion != 40 {
		t.Errorf("usage %+v; want turns 1 and 2 (20 tokens each)", c.Usage())
	}
	sessiontest.CheckReplay(t, next.log, next.st)
}
