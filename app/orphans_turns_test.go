package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestOrphanedTurnsEnded: the session turn whose request a killed process
// left running is ended, recorded in the session's rows as every node
// reads them, when the node's next process opens the data dir (not when
// the session is next continued or shown on this node): interrupted, as
// its request's record then says. The request's "llm" event is appended
// with it.
func TestOrphanedTurnsEnded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	self := a.Store.NodeID()
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	in := &db.Interaction{ID: "req-1", SessionID: s.ID(), Node: self, Provider: "ollama", Model: "slow", Prompt: "hi",
		Status: db.StatusRunning, StartedAt: time.Now(), PromptEstimate: 40}
	if err := a.Store.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The process ends with both running (as kill -9 leaves them).
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}

	a, err = app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	turns, err := a.Store.SessionTurns(ctx, s.ID(), n, n)
	if err != nil || len(turns) != 1 {
		t.Fatalf("turn %d: %+v, %v", n, turns, err)
	}
	if tr := turns[0]; tr.Status != db.TurnInterrupted || tr.InteractionID != "req-1" || tr.PromptTokens != 40 || !strings.Contains(tr.Error, "ended before") {
		t.Fatalf("turn left running by a killed process, after the next start: %s, request %q, %d prompt tokens, %q",
			tr.Status, tr.InteractionID, tr.PromptTokens, tr.Error)
	}
	evs, err := a.Store.Events(ctx, coord.EventStream, 0, 0)
	if err != nil || len(evs) != 1 || evs[0].Type != coord.EventType {
		t.Fatalf("llm events after the next start: %+v, %v; want the interrupted request's", evs, err)
	}
	var p struct {
		ID     string `json:"interaction_id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(evs[0].Payload, &p); err != nil || p.ID != "req-1" || p.Status != db.StatusInterrupted {
		t.Fatalf("llm event %s: %v", evs[0].Payload, err)
	}
}
