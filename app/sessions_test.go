package app

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestNodeAliveAsTheNodeSawIt: a member's turns are judged by the
// heartbeats the serving node saw change (Config.NodeAlive), so that a
// node whose clock is behind is not taken for dead; a node it has not
// seen yet is judged by its heartbeat's time; a node removed from the
// cluster (not in its configuration) is gone whatever was seen of it.
func TestNodeAliveAsTheNodeSawIt(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	a, err := New(ctx, Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
		NodeAlive: func(id string) (bool, bool) { alive, ok := seen[id]; return alive, ok }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	behind := a.Store.NodeID() // a member, whose clock is an hour behind
	seen[behind], seen["removed"] = true, true
	old := time.Now().Add(-time.Hour)
	for _, id := range []string{behind, "gone", "removed"} {
		if _, err := a.Store.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: id, Name: id, StartedAt: old, LastSeen: old})); err != nil {
			t.Fatal(err)
		}
	}
	if !a.nodeAlive(ctx, behind) {
		t.Error("a node seen heartbeating is taken for dead by its clock")
	}
	if a.nodeAlive(ctx, "gone") {
		t.Error("a node not seen, an hour since its last heartbeat, is alive")
	}
	if a.nodeAlive(ctx, "removed") {
		t.Error("a node no longer in the cluster's configuration is alive because it was seen")
	}
}
