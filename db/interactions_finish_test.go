package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestFinishInteractionTwice: the finishing write of a request is tried
// again when the store failed, which may be after it landed (a leader lost
// after it applied the write). The second time changes nothing: the row
// keeps the first finish and the event log has one event for it, not two.
func TestFinishInteractionTwice(t *testing.T) {
	s := dbtest.Open(t)
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Millisecond)
	in := &db.Interaction{ID: "i1", Node: s.NodeID(), Provider: "p", Model: "m", Prompt: "q", Status: db.StatusRunning, StartedAt: start}
	if err := s.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	fin := start.Add(time.Second)
	in.Status, in.Response, in.CompletionTokens, in.FinishedAt = db.StatusInterrupted, "part", 3, &fin
	ev := &db.Event{Stream: "llm", Type: "llm.interaction.finished", Payload: []byte(`{}`), Node: s.NodeID(), Actor: "test", Time: fin}
	for range 2 {
		if err := s.FinishInteraction(ctx, in, ev); err != nil {
			t.Fatal(err)
		}
		// A later finish of the same request (the second try of a write
		// that had landed) must not overwrite the first.
		in.Response = "changed"
	}
	got, ok, err := s.Interaction(ctx, "i1")
	if err != nil || !ok {
		t.Fatalf("interaction: %v, %v", ok, err)
	}
	if got.Status != db.StatusInterrupted || got.Response != "part" || got.CompletionTokens != 3 || got.FinishedAt == nil {
		t.Errorf("recorded %s %q, %d tokens, finished %v; want the first finish: interrupted \"part\", 3 tokens", got.Status, got.Response, got.CompletionTokens, got.FinishedAt)
	}
	evs, err := s.Events(ctx, "llm", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Errorf("%d events for one finished request; want 1", len(evs))
	}

	// Another request's finish still appends its own event.
	in2 := &db.Interaction{ID: "i2", Node: s.NodeID(), Provider: "p", Model: "m", Prompt: "q", Status: db.StatusRunning, StartedAt: start}
	if err := s.StartInteraction(ctx, in2); err != nil {
		t.Fatal(err)
	}
	in2.Status, in2.FinishedAt = db.StatusOK, &fin
	if err := s.FinishInteraction(ctx, in2, ev); err != nil {
		t.Fatal(err)
	}
	if evs, err := s.Events(ctx, "llm", 0, 0); err != nil || len(evs) != 2 {
		t.Errorf("%d events for two finished requests, %v; want 2", len(evs), err)
	}
}
