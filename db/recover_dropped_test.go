package db_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// recoverSurvivor loses the lost nodes (crashed) and makes survivor the
// only voter of its cluster (stopped, recovered, started again).
func recoverSurvivor(t *testing.T, survivor *node, lost []*node) {
	t.Helper()
	for _, n := range lost {
		n.crash()
	}
	survivor.stop()
	if _, err := db.Recover(context.Background(), db.RecoverConfig{Dir: survivor.dir}); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if err := survivor.start(nil); err != nil {
		t.Fatalf("start the recovered node: %v", err)
	}
}

// TestClusterRecoverRefusesDropped: after a recovery of one survivor of
// three, the two lost nodes come back together on their old data dirs.
// They are a majority of their old configuration and elect a leader at a
// higher term, which the survivor would follow, losing its writes since the
// recovery. The survivor refuses their Raft traffic, and each of them stops
// with one line saying it was dropped; the survivor still leads with every
// write. A new node at a lost node's address, with a new data dir, is
// admitted; a lost data dir asking to join again is not.
func TestClusterRecoverRefusesDropped(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	survivor, lost := nodes[2], nodes[:2]
	for i := range 5 {
		if err := putNode(ctx, nodes[i%3].s, "before-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := survivor.s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	recoverSurvivor(t, survivor, lost)
	if err := putNode(ctx, survivor.s, "after-recovery"); err != nil {
		t.Fatal(err)
	}
	want := dump(t, survivor.s, "SELECT id FROM nodes ORDER BY id")

	// Both lost nodes come back at once, on their old dirs.
	errs := make([]error, len(lost))
	var wg sync.WaitGroup
	for i, n := range lost {
		wg.Go(func() {
			h := dbtest.Listen(t, n.addr)
			defer h.Close()
			cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: n.addr, Version: "test"}
			s, err := db.Open(ctx, db.Config{Dir: n.dir, Cluster: cc, OpenTimeout: 5 * time.Second})
			if err == nil {
				s.Close(ctx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, db.ErrDropped) || !strings.Contains(err.Error(), "--join "+survivor.addr) || strings.Contains(err.Error(), "\n") {
			t.Errorf("lost node %d back on its old dir: %v; want one line saying it was dropped, naming %s", i, err, survivor.addr)
		}
	}
	if st := survivor.s.Status(); st.State != "leader" || st.Members != 1 || st.Leader != survivor.s.NodeID() {
		t.Fatalf("the survivor after the lost nodes' return: %+v; want the leader of a cluster of one", st)
	}
	if got := dump(t, survivor.s, "SELECT id FROM nodes ORDER BY id"); got != want {
		t.Fatalf("the survivor's rows after the lost nodes' return:\n%s\nwant:\n%s", got, want)
	}
	if err := putNode(ctx, survivor.s, "after-return"); err != nil {
		t.Fatalf("write after the lost nodes' return: %v", err)
	}

	// A lost dir asking to join again (say at a new address) is refused.
	h := dbtest.Listen(t, "127.0.0.1:0")
	cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: h.Addr(), Join: []string{survivor.addr}, Version: "test"}
	s, err := db.Open(ctx, db.Config{Dir: lost[0].dir, Cluster: cc, OpenTimeout: time.Second})
	if err == nil {
		s.Close(ctx)
	}
	h.Close()
	if err == nil || !strings.Contains(err.Error(), "dropped from this cluster") {
		t.Fatalf("a lost dir joining again: %v; want a refusal saying it was dropped", err)
	}

	// A new node on a lost machine, same address, new dir: admitted.
	fresh := &node{t: t, dir: t.TempDir(), addr: lost[0].addr}
	if err := fresh.start([]string{survivor.addr}); err != nil {
		t.Fatalf("a new node at a lost node's address: %v", err)
	}
	t.Cleanup(fresh.stop)
	if err := putNode(ctx, fresh.s, "from-fresh"); err != nil {
		t.Fatal(err)
	}
	if st := survivor.s.Status(); st.Members != 2 {
		t.Errorf("after the new node joined: %d members", st.Members)
	}
}

// TestClusterDroppedListReplicated: the recovered node records the nodes it
// dropped in the cluster's replicated table, so that nodes that joined
// after the recovery refuse them too. With the recovered node down, a lost
// data dir asking one of them to join is refused, with the name of the node
// whose recovery dropped it; before, it was admitted with its old ID and
// the log of the cluster it came from.
func TestClusterDroppedListReplicated(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	survivor, lost := nodes[2], nodes[:2]
	lostIDs := []string{lost[0].s.NodeID(), lost[1].s.NodeID()}
	recoverSurvivor(t, survivor, lost)
	var joined []*node
	for range 2 {
		n := &node{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
		if err := n.start([]string{survivor.addr}); err != nil {
			t.Fatalf("a new node joining the recovered cluster: %v", err)
		}
		t.Cleanup(n.stop)
		joined = append(joined, n)
	}
	survivorID := survivor.s.NodeID()
	survivor.stop() // the two new nodes are a majority: one of them leads

	got := dump(t, joined[0].s, "SELECT id, recovered_on FROM cluster_dropped ORDER BY id")
	for _, id := range lostIDs {
		if !strings.Contains(got, "["+id+" "+survivorID+"]") {
			t.Errorf("a node that joined after the recovery lists as dropped:\n%s\nwant %s, dropped by %s", got, id, survivorID)
		}
	}

	h := dbtest.Listen(t, "127.0.0.1:0")
	defer h.Close()
	cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: h.Addr(), Join: []string{joined[0].addr, joined[1].addr}, Version: "test"}
	s, err := db.Open(ctx, db.Config{Dir: lost[0].dir, Cluster: cc, OpenTimeout: 3 * time.Second})
	if err == nil {
		s.Close(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "dropped from this cluster when it was recovered on node "+survivorID) {
		t.Fatalf("a lost dir joining through a node that joined after the recovery: %v; want a refusal naming %s", err, survivorID)
	}
	if st := joined[0].s.Status(); st.Members != 3 {
		t.Errorf("members after the refusal: %d, want 3 (the recovered node and the two that joined)", st.Members)
	}
}
