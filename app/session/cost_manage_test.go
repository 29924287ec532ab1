package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestUnknownCostOfChangedSession: archive, unarchive and remove answer
// with the session as List shows it, its cost unknown included.
func TestUnknownCostOfChangedSession(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{Instance: "p1"})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	yes := true
	in := db.Interaction{ID: "i-fake", SessionID: s.ID(), Node: e.st.NodeID(), Provider: "fake", Model: "m", Prompt: "q",
		Status: db.StatusOK, StartedAt: time.Now(), PromptTokens: 10, CompletionTokens: 2, CostUnknown: &yes}
	fin := in.StartedAt.Add(time.Second)
	in.FinishedAt = &fin
	if _, err := e.st.Execute(ctx, db.InsertInteractionStmt(&in), db.FinishInteractionStmt(&in)); err != nil {
		t.Fatal(err)
	}
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
	must(t, err)
	must(t, s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a", Provider: "fake", Model: "m", Node: "node-a",
		InteractionID: "i-fake", PromptTokens: 10, CompletionTokens: 2}))
	list, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 1 || !list[0].CostUnknown {
		t.Fatalf("list: %+v, %v; want the session's cost unknown", list, err)
	}
	ref := session.Ref(s.ID())
	for _, op := range []struct {
		name string
		do   func(context.Context, session.Ref, string, string) (session.Info, error)
	}{{"archive", e.svc.Archive}, {"unarchive", e.svc.Unarchive}, {"remove", e.svc.Remove}} {
		info, err := op.do(ctx, ref, "/p", "cli")
		if err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if !info.CostUnknown {
			t.Errorf("%s: cost_unknown false; list says true", op.name)
		}
	}
}
