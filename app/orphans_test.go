package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/db"
)

// TestOrphanedRequestsInterrupted: the requests a process of this node
// left running (it was killed) end as interrupted when the next process
// opens the data dir — the lock admits one process at a time, so their
// owner is gone; those that ended, and those of other nodes, are left as
// they are.
func TestOrphanedRequestsInterrupted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	self := a.Store.NodeID()
	now := time.Now()
	for _, in := range []*db.Interaction{
		{ID: "mine-running", Node: self, Provider: "ollama", Model: "slow", Prompt: "hi", Status: db.StatusRunning, StartedAt: now},
		{ID: "mine-ok", Node: self, Provider: "ollama", Model: "slow", Prompt: "hi", Status: db.StatusOK, StartedAt: now},
		{ID: "other-running", Node: "another-node", Provider: "ollama", Model: "slow", Prompt: "hi", Status: db.StatusRunning, StartedAt: now},
	} {
		if err := a.Store.StartInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// The process ends without finishing "mine-running" (as kill -9 would
	// leave it; Close changes nothing of the rows).
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}

	a, err = app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	want := map[string]string{"mine-running": db.StatusInterrupted, "mine-ok": db.StatusOK, "other-running": db.StatusRunning}
	for id, status := range want {
		in, ok, err := a.Store.Interaction(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", id, ok, err)
		}
		if in.Status != status {
			t.Errorf("%s: status %s; want %s", id, in.Status, status)
		}
		if status == db.StatusInterrupted && (in.ErrorKind != db.StatusInterrupted || !strings.Contains(in.Error, "ended before")) {
			t.Errorf("%s: error %q (%s)", id, in.Error, in.ErrorKind)
		}
	}
}
