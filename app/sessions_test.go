package app

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestNodeAliveAsTheNodeSawIt: another node's turns are judged by the
// heartbeats the serving node saw change (Config.NodeAlive), so that a
// node whose clock is behind is not taken for dead; a node it has not
// seen yet is judged by its heartbeat's time.
func TestNodeAliveAsTheNodeSawIt(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{"behind": true}
	a, err := New(ctx, Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
		NodeAlive: func(id string) (bool, bool) { alive, ok := seen[id]; return alive, ok }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	old := time.Now().Add(-time.Hour)
	for _, id := range []string{"behind", "gone"} {
		if _, err := a.Store.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: id, Name: id, StartedAt: old, LastSeen: old})); err != nil {
			t.Fatal(err)
		}
	}
	if !a.nodeAlive(ctx, "behind") {
		t.Error("a node seen heartbeating is taken for dead by its clock")
	}
	if a.nodeAlive(ctx, "gone") {
		t.Error("a node not seen, an hour since its last heartbeat, is alive")
	}
}
