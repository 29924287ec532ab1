package db_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// llmEnds returns the "llm" events of the store, decoded, by interaction.
func llmEnds(t *testing.T, s *db.Store) map[string]map[string]any {
	t.Helper()
	evs, err := s.Events(context.Background(), "llm", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for i, ev := range evs {
		var p map[string]any
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatalf("llm event %d: %v: %s", ev.ID, err, ev.Payload)
		}
		if ev.Type != "llm.interaction.finished" || ev.Version != int64(i+1) {
			t.Fatalf("llm event %d: type %s version %d", ev.ID, ev.Type, ev.Version)
		}
		id, _ := p["interaction_id"].(string)
		if _, twice := out[id]; twice {
			t.Fatalf("two llm events for %s", id)
		}
		out[id] = p
	}
	return out
}

// TestInterruptedRequestsEvents: a request marked interrupted because its
// process or its node is gone has its "llm" event, as every request that
// ends has, once: with the node's own next start (InterruptRunningStmt),
// with InterruptGone after a removal, and with a history read that finds
// the removal first.
func TestInterruptedRequestsEvents(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	dead, other := fs[0], fs[1]
	deadID, selfID := dead.s.NodeID(), l.s.NodeID()
	for _, n := range nodes {
		if err := putNode(ctx, l.s, n.s.NodeID()); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for _, in := range []*db.Interaction{
		{ID: "self-1", Node: selfID, Provider: "p", Model: "m", RequestedModel: "m", Status: db.StatusRunning, StartedAt: now, PromptEstimate: 700, CostUSD: 0.5},
		{ID: "self-2", Node: selfID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now.Add(time.Millisecond)},
		{ID: "self-ok", Node: selfID, Provider: "p", Model: "m", Status: db.StatusOK, StartedAt: now},
		{ID: "dead-1", Node: deadID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now, PromptEstimate: 300},
		{ID: "dead-2", Node: deadID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now},
	} {
		if err := l.s.StartInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	// The node's next process marks its own.
	if _, err := l.s.Execute(ctx, db.InterruptRunningEventsStmt(selfID, now), db.InterruptRunningStmt(selfID, "gone")); err != nil {
		t.Fatal(err)
	}
	got := llmEnds(t, l.s)
	if len(got) != 2 || got["self-1"] == nil || got["self-2"] == nil {
		t.Fatalf("after the node's start: llm events of %v; want self-1 and self-2", keys(got))
	}
	if p := got["self-1"]; p["status"] != db.StatusInterrupted || p["error_kind"] != db.StatusInterrupted || p["prompt_tokens"] != 700.0 ||
		p["cost_usd"] != 0.5 || p["provider"] != "p" || p["model"] != "m" || p["requested_model"] != "m" || p["ttft_ms"] != nil {
		t.Fatalf("self-1's event: %v", p)
	}
	// Run again (nothing is running any more): no second event.
	if _, err := l.s.Execute(ctx, db.InterruptRunningEventsStmt(selfID, now), db.InterruptRunningStmt(selfID, "gone")); err != nil {
		t.Fatal(err)
	}
	if got := llmEnds(t, l.s); len(got) != 2 {
		t.Fatalf("a second start appended events again: %v", keys(got))
	}

	// A removed node's: the history read on another node finds them.
	dead.crash()
	if err := other.s.Remove(ctx, deadID); err != nil {
		t.Fatal(err)
	}
	// The history read finds what its node has applied: wait until it
	// has both requests and the removal (a local read may lag the leader).
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range []string{"dead-1", "dead-2"} {
		for {
			in, ok, err := other.s.Interaction(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if ok && in.Status == db.StatusInterrupted {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s on the other node: %+v, %v; want it seen interrupted", id, in, ok)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if _, err := other.s.Interactions(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n, err := l.s.InterruptGone(ctx); err != nil || n != 0 {
		t.Fatalf("InterruptGone after the history marked them: %d, %v", n, err)
	}
	got = llmEnds(t, l.s)
	if len(got) != 4 || got["dead-1"] == nil || got["dead-2"] == nil {
		t.Fatalf("after the removal: llm events of %v; want the removed node's two too", keys(got))
	}
	if p := got["dead-1"]; p["status"] != db.StatusInterrupted || p["prompt_tokens"] != 300.0 {
		t.Fatalf("dead-1's event: %v", p)
	}
}

// TestInterruptGoneEvents: InterruptGone, after a removal no history read
// has seen, appends the removed node's requests' events.
func TestInterruptGoneEvents(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	dead := followers(nodes, l)[0]
	deadID := dead.s.NodeID()
	if err := putNode(ctx, l.s, deadID); err != nil {
		t.Fatal(err)
	}
	if err := l.s.StartInteraction(ctx, &db.Interaction{ID: "r", Node: deadID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	dead.crash()
	if err := l.s.Remove(ctx, deadID); err != nil {
		t.Fatal(err)
	}
	if n, err := l.s.InterruptGone(ctx); err != nil || n != 1 {
		t.Fatalf("InterruptGone: %d, %v", n, err)
	}
	if got := llmEnds(t, l.s); len(got) != 1 || got["r"]["status"] != db.StatusInterrupted {
		t.Fatalf("llm events after InterruptGone: %v", got)
	}
}

func keys(m map[string]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
