package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestCostUnknownIsKept: whether a request's cost is unknown is what the
// coordinator decided when it recorded it, kept as it was: known, unknown,
// or not decided (a request recorded before the store kept it). Usage
// counts the unknown ones as unpriced itself and leaves to its reader
// only the undecided ones recorded at no cost (Uncharged).
func TestCostUnknownIsKept(t *testing.T) {
	s := dbtest.Open(t)
	ctx := context.Background()
	now := time.Now()
	yes, no := true, false
	for i, in := range []db.Interaction{
		{PromptTokens: 10, CompletionTokens: 2, CostUnknown: &yes}, // a cloud model of no known price
		{PromptTokens: 10, CompletionTokens: 2, CostUnknown: &no},  // a free one
		{PromptTokens: 10, CompletionTokens: 2},                    // recorded before it was decided
	} {
		in.ID, in.Node, in.Provider, in.Model, in.StartedAt, in.Status = string(rune('a'+i)), s.NodeID(), "p", "m", now.Add(time.Duration(i)*time.Millisecond), db.StatusOK
		record(t, s, in)
	}
	for id, want := range map[string]*bool{"a": &yes, "b": &no, "c": nil} {
		got, ok, err := s.Interaction(ctx, id)
		if err != nil || !ok {
			t.Fatalf("interaction %s: %v, %v", id, ok, err)
		}
		if (got.CostUnknown == nil) != (want == nil) || want != nil && *got.CostUnknown != *want {
			t.Errorf("interaction %s: cost_unknown %v; want %v", id, show(got.CostUnknown), show(want))
		}
	}
	rows, err := s.Usage(ctx, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Requests != 3 || rows[0].Unpriced != 1 || rows[0].Uncharged != 1 {
		t.Fatalf("Usage = %+v; want 3 requests, 1 unpriced (recorded so), 1 uncharged left to the reader", rows)
	}
}

func show(b *bool) any {
	if b == nil {
		return "undecided"
	}
	return *b
}

// TestInterruptRunningChargesPrompt: a request whose process was killed
// mid-answer is marked interrupted by the next start, charged the prompt
// it sent, as estimated and priced when it started: usage and the spend
// caps count it, as they count a request stopped with Ctrl-C.
func TestInterruptRunningChargesPrompt(t *testing.T) {
	s := dbtest.Open(t)
	ctx := context.Background()
	now := time.Now()
	in := &db.Interaction{ID: "k", Node: s.NodeID(), Provider: "p", Model: "m", Prompt: "q", Status: db.StatusRunning,
		StartedAt: now, PromptEstimate: 1200, CostUSD: 0.0036}
	if err := s.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, db.InterruptRunningStmt(s.NodeID(), "the process ended")); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Interaction(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != db.StatusInterrupted || got.PromptTokens != 1200 || got.CostUSD != 0.0036 {
		t.Errorf("killed request recorded %s, %d prompt tokens, $%v; want interrupted, 1200 tokens, $0.0036", got.Status, got.PromptTokens, got.CostUSD)
	}
	spent, err := s.SpentSince(ctx, now.Add(-time.Minute))
	if err != nil || spent != 0.0036 {
		t.Errorf("SpentSince = %v, %v; want 0.0036", spent, err)
	}
}
