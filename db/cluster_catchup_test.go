package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A node back after more than ten seconds away learns its leader from the
// next heartbeat, but the leader's replication to it is in a backoff that
// grows to 10.24 s and is not reset by the node's return: the log it missed
// may come only seconds later. Open waits for it beyond OpenTimeout rather
// than failing with "could not catch up" (and a node killed and restarted
// after 12 s failed to start three times in four).
func TestClusterRestartAfterLongAbsenceCatchesUp(t *testing.T) {
	t.Parallel()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	back := followers(nodes, l)[0]
	back.crash()

	// Writes while it is away make the leader try, and fail, to send them.
	ctx := context.Background()
	away := time.Now()
	for i := 0; time.Since(away) < 12*time.Second; i++ {
		if err := putNode(ctx, l.s, fmt.Sprintf("away-%d", i)); err != nil {
			t.Fatalf("write while a follower is away: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // spreads the writes over the absence
	}
	want := count(t, l.s, "nodes")

	back.open = 2 * time.Second
	if err := back.start(nil); err != nil {
		t.Fatalf("restart after %s away: %v", time.Since(away).Round(time.Second), err)
	}
	if got := count(t, back.s, "nodes"); got != want {
		t.Errorf("restarted node has %d nodes rows, the leader %d: Open returned before catching up", got, want)
	}
}
