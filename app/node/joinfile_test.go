package node

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestStartUsedAloneWithSavedJoin: a data dir whose store was used alone
// cannot join a cluster. When the peers came from the join file (aiex
// cluster join), not from --join, the refusal says so and names the file
// to delete, instead of telling the user to start "without --join", a
// flag they never gave.
func TestStartUsedAloneWithSavedJoin(t *testing.T) {
	dir := filepath.Join(short(t), "d")
	s, err := db.Open(context.Background(), db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Recorded as aiex cluster join of an earlier version did, or by
	// hand: cluster join itself refuses such a dir.
	if err := SaveJoin(dir, []string{"10.0.0.5:7420"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{App: app.Config{DataDir: dir}, Transport: meshtest.TCP(t, 1, nil)[0], Heartbeat: 100 * time.Millisecond})
	if err == nil {
		n.Close(ctx)
		t.Fatal("a store used alone joined a cluster")
	}
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "holds a store used alone") || !strings.Contains(ue.Msg, "through 10.0.0.5:7420 that aiex cluster join recorded") ||
		!strings.Contains(ue.Msg, "delete "+filepath.Join(dir, "join")) || strings.Contains(ue.Msg, "--join") {
		t.Errorf("start: %v; want the refusal naming the join file, and no --join", err)
	}
}
