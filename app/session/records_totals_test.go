package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestOrphanedTurnsRecordedEndCounts: a turn whose end was lost shows as
// its request's record ended (completed, 10 → 5 tokens); until the next
// turn reaps it, the session's totals shown with it (Info, Usage, List)
// must count those tokens too, not 0 → 0 of no model.
func TestOrphanedTurnsRecordedEndCounts(t *testing.T) {
	ctx := context.Background()
	dead := newEnv(t, session.Config{Instance: "p1"})
	s, err := dead.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	in := &db.Interaction{ID: "req-1", SessionID: s.ID(), Node: "node-a", Provider: "fake", Model: "fake-model",
		Prompt: "q", Status: db.StatusRunning, StartedAt: start}
	if err := dead.st.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	fin := start.Add(time.Second)
	in.Status, in.Response, in.PromptTokens, in.CompletionTokens, in.FinishedAt = db.StatusOK, "a", 10, 5, &fin
	ev := &db.Event{Stream: "llm", Type: "llm.interaction.finished", Payload: []byte(`{}`), Node: "node-a", Actor: "cli", Time: fin}
	if err := dead.st.FinishInteraction(ctx, in, ev); err != nil {
		t.Fatal(err)
	}

	next := envOn(t, dead.st, "node-a", session.Config{Instance: "p2"})
	o, err := next.svc.Open(ctx, session.RefLast, "/p")
	if err != nil {
		t.Fatal(err)
	}
	if tr := o.Turns(ctx, 1, 1)[0]; tr.Status != db.TurnCompleted || tr.PromptTokens != 10 {
		t.Fatalf("turn 1 is %s with %d prompt tokens; want it completed from its record", tr.Status, tr.PromptTokens)
	}
	want := func(what string, info session.Info) {
		t.Helper()
		if info.Turns != 1 || info.PromptTokens != 10 || info.CompletionTokens != 5 || info.Model != "fake-model" {
			t.Errorf("%s: %d turns, %d → %d tokens, model %q; want 1 turn, 10 → 5, fake-model",
				what, info.Turns, info.PromptTokens, info.CompletionTokens, info.Model)
		}
	}
	want("Info", o.Info())
	if u := o.Usage(); len(u) != 1 || u[0].Turns != 1 || u[0].PromptTokens != 10 || u[0].CompletionTokens != 5 || u[0].Model != "fake-model" {
		t.Errorf("Usage = %+v; want the turn's 10 → 5 tokens with fake/fake-model", u)
	}
	list, err := next.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	want("List", list[0])
}
