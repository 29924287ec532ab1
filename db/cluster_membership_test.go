package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestClusterRemovedNodeSaysSo: a node that left, and one another node
// removed, keep running; each knows it is no longer a member (its status
// says so) and its writes fail at once with one line saying it was removed,
// not "no quorum".
func TestClusterRemovedNodeSaysSo(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 4, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	leaving, removed := fs[0], fs[1]
	if err := leaving.s.Leave(ctx); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if err := l.s.Remove(ctx, removed.s.NodeID()); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	for _, n := range []*node{leaving, removed} {
		poll(t, 5*time.Second, "the removal seen by the node removed", func() bool { return n.s.Status().Removed })
		start := time.Now()
		err := putNode(ctx, n.s, "after-removal")
		if !errors.Is(err, db.ErrRemoved) || !strings.Contains(err.Error(), "removed from the cluster") || strings.Contains(err.Error(), "\n") {
			t.Errorf("write on a removed node: %v; want one line saying it was removed", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("the removed node's write failed after %v; want at once", took)
		}
		// Leaving again says there is nothing to leave.
		if err := n.s.Leave(ctx); !errors.Is(err, db.ErrRemoved) || !strings.Contains(err.Error(), "nothing to leave") {
			t.Errorf("Leave on a removed node: %v; want a user error saying there is nothing to leave", err)
		}
	}
	if st := l.s.Status(); st.Removed || st.Members != 2 {
		t.Errorf("the leader after the removals: %+v", st)
	}
	// Opened alone (a one-shot command), the data dir of the node that
	// left says it left and how to rejoin, not that it is a member whose
	// node must run.
	leaving.stop()
	s, err := db.Open(ctx, db.Config{Dir: leaving.dir, OpenTimeout: 20 * time.Second})
	if err == nil {
		s.Close(ctx)
		t.Fatal("the data dir of a node that left opened alone")
	}
	if msg := err.Error(); !strings.Contains(msg, "left its cluster") || !strings.Contains(msg, "--join PEER") || strings.Contains(msg, "\n") {
		t.Errorf("opened alone after leaving: %q", msg)
	}
}

// TestClusterOwnClusterCannotJoin: a data dir bootstrapped as a cluster of
// its own, restarted with Join peers, says at once that it cannot join
// another cluster instead of going on as a cluster of one; without Join it
// starts as before.
func TestClusterOwnClusterCannotJoin(t *testing.T) {
	other := newCluster(t, 1, nil)[0]
	own := newCluster(t, 1, nil)[0]
	own.stop()
	err := own.start([]string{other.addr})
	if err == nil {
		own.stop()
		t.Fatal("a cluster of its own started with Join peers")
	}
	if !strings.Contains(err.Error(), "is a cluster of its own") || !strings.Contains(err.Error(), "new data dir") || strings.Contains(err.Error(), "\n") {
		t.Errorf("own cluster with Join: %v; want one line saying it cannot join another, and to use a new data dir", err)
	}
	if err := own.start(nil); err != nil {
		t.Fatalf("restart without Join: %v", err)
	}
	if st := own.s.Status(); st.State != "leader" || st.Members != 1 {
		t.Errorf("own cluster restarted: %+v", st)
	}
}
