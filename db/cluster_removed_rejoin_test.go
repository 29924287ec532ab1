package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestClusterRemovedWhileDownRejoins: a node removed from its cluster while
// it was down, restarted on its data dir with Join peers, is admitted again
// (as a node that left is), has what the cluster wrote meanwhile, and
// takes writes; not refused, nor told to start on a new data dir.
//
// As in TestClusterRemovedWhileDownSaysSoAtRestart, the node restarts
// within the leader's back-off, so that its own configuration still lists
// it when it starts.
func TestClusterRemovedWhileDownRejoins(t *testing.T) {
	ctx := context.Background()
	l, gone, id, h := removeWhileDown(t)
	if err := putNode(ctx, l.s, "while-removed"); err != nil {
		t.Fatal(err)
	}
	cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: gone.addr, Join: []string{l.addr}, Version: "test"}
	s, err := db.Open(ctx, db.Config{Dir: gone.dir, Cluster: cc, OpenTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("restart with Join of a node removed while down: %v; want it admitted again", err)
	}
	defer s.Close(ctx)
	if st := s.Status(); st.Removed {
		t.Fatalf("rejoined node reports Removed: %+v", st)
	}
	ms, err := l.s.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var member bool
	for _, m := range ms {
		member = member || m.ID == id && m.Voter
	}
	if !member {
		t.Fatalf("the leader's members after the rejoin: %+v; want %s a voter", ms, id)
	}
	if n, want := count(t, s, "nodes"), count(t, l.s, "nodes"); n != want {
		t.Errorf("rejoined node has %d nodes rows, the leader %d", n, want)
	}
	if err := putNode(ctx, s, "after-rejoin"); err != nil {
		t.Errorf("write on the rejoined node: %v", err)
	}
}
