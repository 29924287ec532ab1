package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestRemovedNodesRequestsInterrupted: a request left running by a node
// that was killed stays running while the node is a member (it ends it
// itself when it comes back); once the node is removed from the cluster,
// every node shows it interrupted, a read of the history marks it so for
// the usage too, and the requests of the nodes still members, and of a
// node that never was one, are left as they are.
func TestRemovedNodesRequestsInterrupted(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	dead, other := fs[0], fs[1]
	deadID := dead.s.NodeID()
	now := time.Now()
	for _, n := range nodes { // as each node's process does when it opens its store
		if err := putNode(ctx, l.s, n.s.NodeID()); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []*db.Interaction{
		{ID: "dead-running", Node: deadID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now, PromptEstimate: 500},
		{ID: "live-running", Node: other.s.NodeID(), Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now},
		{ID: "stranger-running", Node: "never-a-member", Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: now},
	} {
		if err := l.s.StartInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// other reads locally, a moment behind the leader that took the
	// writes: it catches up first, as a command on it would.
	if err := other.s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	dead.crash()
	status := func(s *db.Store, id string) db.Interaction {
		t.Helper()
		in, ok, err := s.Interaction(ctx, id)
		if err != nil || !ok {
			t.Fatalf("interaction %s: %v, %v", id, ok, err)
		}
		return in
	}
	if got := status(other.s, "dead-running"); got.Status != db.StatusRunning {
		t.Fatalf("a request of a node that is down but a member shows as %s", got.Status)
	}
	if err := other.s.Remove(ctx, deadID); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*db.Store{l.s, other.s} {
		got := status(s, "dead-running")
		// Charged the prompt's estimate, as the row will be once written.
		if got.Status != db.StatusInterrupted || got.ErrorKind != db.StatusInterrupted || !strings.Contains(got.Error, "removed from the cluster") ||
			got.PromptTokens != 500 {
			t.Fatalf("a request of a removed node reads %+v", got)
		}
	}
	usage := func() int {
		t.Helper()
		rows, err := l.s.Usage(ctx, now.Add(-time.Hour))
		if err != nil || len(rows) != 1 {
			t.Fatalf("usage: %+v, %v", rows, err)
		}
		return rows[0].Errors
	}
	if n := usage(); n != 0 {
		t.Fatalf("before any history read: %d errors; the row is not written yet", n)
	}
	hist, err := other.s.Interactions(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"dead-running": db.StatusInterrupted, "live-running": db.StatusRunning, "stranger-running": db.StatusRunning}
	for _, in := range hist {
		if in.Status != want[in.ID] {
			t.Errorf("history: %s is %s; want %s", in.ID, in.Status, want[in.ID])
		}
	}
	// The history read wrote it: the usage counts it as what it is.
	if n := usage(); n != 1 {
		t.Fatalf("after a history read: %d errors; want the removed node's request", n)
	}
	if n, err := l.s.InterruptGone(ctx); err != nil || n != 0 {
		t.Fatalf("InterruptGone after the history marked it: %d, %v", n, err)
	}
}

// TestInterruptGone: the node that removes another marks its requests at
// once, each charged its prompt's estimate and the estimate's cost, as a
// node's own next process charges a request it left running.
func TestInterruptGone(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	dead := followers(nodes, l)[0]
	deadID := dead.s.NodeID()
	if err := putNode(ctx, l.s, deadID); err != nil {
		t.Fatal(err)
	}
	in := &db.Interaction{ID: "r", Node: deadID, Provider: "p", Model: "m", Status: db.StatusRunning, StartedAt: time.Now(),
		PromptEstimate: 1200, CostUSD: 0.0036}
	if err := l.s.StartInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	dead.crash()
	if n, err := l.s.InterruptGone(ctx); err != nil || n != 0 {
		t.Fatalf("InterruptGone with the node still a member: %d, %v", n, err)
	}
	if err := l.s.Remove(ctx, deadID); err != nil {
		t.Fatal(err)
	}
	if n, err := l.s.InterruptGone(ctx); err != nil || n != 1 {
		t.Fatalf("InterruptGone after the removal: %d, %v", n, err)
	}
	got, ok, err := l.s.Interaction(ctx, "r")
	if err != nil || !ok || got.Status != db.StatusInterrupted || got.PromptTokens != 1200 || got.CostUSD != 0.0036 {
		t.Fatalf("row after InterruptGone: %+v, %v, %v; want interrupted, 1200 prompt tokens, $0.0036", got, ok, err)
	}
	rows, err := l.s.Usage(ctx, time.Now().Add(-time.Hour))
	if err != nil || len(rows) != 1 || rows[0].PromptTokens != 1200 {
		t.Fatalf("usage after InterruptGone: %+v, %v; want the estimate's 1200 prompt tokens", rows, err)
	}
}
