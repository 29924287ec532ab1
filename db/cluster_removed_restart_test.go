package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestClusterRemovedWhileDownSaysSoAtRestart: a node removed from its
// cluster while it was down, restarted on its data dir, is told at its
// first start that the leader runs the cluster without it and to start on
// a new data dir, naming the leader; not that it could not catch up with a
// leader it leaves blank, nor to start it again.
//
// The leader makes one last attempt to send the removed node the
// configuration without it, after the back-off its failed attempts built
// up while the node was down: the node restarts within that back-off, so
// it hears from the leader once and then nothing.
func TestClusterRemovedWhileDownSaysSoAtRestart(t *testing.T) {
	ctx := context.Background()
	l, gone, _, h := removeWhileDown(t)
	cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: gone.addr, Version: "test"}
	s, err := db.Open(ctx, db.Config{Dir: gone.dir, Cluster: cc, OpenTimeout: 5 * time.Second})
	if err == nil {
		s.Close(ctx)
		t.Fatal("a node removed while down started")
	}
	msg := err.Error()
	if !strings.Contains(msg, l.s.NodeID()+" at "+l.addr+" leads the cluster without this node") || !strings.Contains(msg, "new data dir") ||
		strings.Contains(msg, "start the node again") || strings.Contains(msg, " at  ") || !errors.Is(err, db.ErrRemoved) {
		t.Errorf("restart of a node removed while down: %q; want it told the leader runs without it, and to use a new data dir", msg)
	}
}

// removeWhileDown makes a cluster of three, crashes a follower, lets the
// leader's back-off grow, and removes the follower: it returns the
// leader, the removed node, its ID, and a listener on its address (closed
// with the test) for it to restart on.
func removeWhileDown(t *testing.T) (l, gone *node, id string, h *dbtest.Host) {
	t.Helper()
	nodes := newCluster(t, 3, nil)
	l = leader(t, nodes)
	gone = followers(nodes, l)[0]
	id = gone.s.NodeID()
	gone.crash()
	// The leader's back-off grows with its failed attempts (10 ms doubled
	// at each) and nothing it does shows them: only time builds it up.
	time.Sleep(2 * time.Second)
	if err := l.s.Remove(context.Background(), id); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	h = dbtest.Listen(t, gone.addr)
	t.Cleanup(func() { h.Close() })
	return l, gone, id, h
}
