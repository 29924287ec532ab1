package db_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestClusterDroppedSplitDetected: after a recovery of one survivor of
// three, the two lost nodes come back on their old data dirs while the
// recovered node is down. They are a majority of their old configuration,
// elect a leader and take writes: a cluster of their own. When the
// recovered node starts again it refuses their Raft traffic, and their
// leader, whose heartbeats to it fail, asks it whether it dropped them.
// From then on both lost nodes report the split in Status, naming the
// recovered node, and refuse writes with ErrDropped; the recovered node
// still leads its own cluster with its own data. Before, the two clusters
// took writes side by side and neither said anything.
func TestClusterDroppedSplitDetected(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	survivor, lost := nodes[2], nodes[:2]
	for i := range 3 {
		if err := putNode(ctx, nodes[i].s, "before-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := survivor.s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range lost {
		n.crash()
	}
	survivor.stop()
	if _, err := db.Recover(ctx, db.RecoverConfig{Dir: survivor.dir}); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if err := survivor.start(nil); err != nil {
		t.Fatalf("start the recovered node: %v", err)
	}
	survivorID := survivor.s.NodeID()
	if err := putNode(ctx, survivor.s, "after-recovery"); err != nil {
		t.Fatal(err)
	}
	want := dump(t, survivor.s, "SELECT id FROM nodes ORDER BY id")
	survivor.stop()

	// The lost nodes come back together while the recovered node is down:
	// nobody tells them, and they run as a cluster.
	errs := make([]error, len(lost))
	logs := make([]*logBuffer, len(lost))
	var wg sync.WaitGroup
	for i, n := range lost {
		logs[i] = &logBuffer{}
		wg.Go(func() { errs[i] = startLogged(n, logs[i]) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("lost node %d back on its old dir with the recovered node down: %v", i, err)
		}
	}
	if err := putNode(ctx, lost[0].s, "split-write"); err != nil {
		t.Fatalf("write on the lost nodes' cluster: %v", err)
	}

	// The recovered node starts again: the lost nodes find out.
	start := time.Now()
	if err := survivor.start(nil); err != nil {
		t.Fatalf("start the recovered node again: %v", err)
	}
	for i, n := range lost {
		poll(t, 15*time.Second, "split reported by lost node "+n.s.NodeID(), func() bool {
			return n.s.Status().Dropped != ""
		})
		st := n.s.Status()
		if !strings.Contains(st.Dropped, survivorID+" at "+survivor.addr) || !strings.Contains(st.Dropped, "--join "+survivor.addr) {
			t.Errorf("lost node %d's Status().Dropped = %q; want it to name %s at %s and the --join to use", i, st.Dropped, survivorID, survivor.addr)
		}
	}
	t.Logf("split reported %s after the recovered node started", time.Since(start).Round(10*time.Millisecond))
	for i, n := range lost {
		err := putNode(ctx, n.s, "after-split")
		if !errors.Is(err, db.ErrDropped) || !strings.Contains(err.Error(), "--join "+survivor.addr) || strings.Contains(err.Error(), "\n") {
			t.Errorf("write on lost node %d after the split was found: %v; want one line wrapping ErrDropped, naming %s", i, err, survivor.addr)
		}
	}
	for i, l := range logs {
		if got := strings.Count(l.String(), "runs apart from the recovered cluster"); got != 1 || !strings.Contains(l.String(), "recovered on node "+survivorID+" at "+survivor.addr) ||
			!strings.Contains(l.String(), "--join "+survivor.addr) || !strings.Contains(l.String(), "aiex events tail") {
			t.Errorf("lost node %d logged the split %d times (want once, naming %s at %s, how to save its data and what to do):\n%s", i, got, survivorID, survivor.addr, l)
		}
	}
	if got := dump(t, lost[0].s, "SELECT id FROM nodes WHERE id = 'after-split'"); got != "[]" {
		t.Errorf("a write after the split was found reached the lost nodes' cluster: %s", got)
	}

	// The recovered node is as it was: the only voter, its own data.
	if st := survivor.s.Status(); st.State != "leader" || st.Members != 1 || st.Leader != survivorID || st.Dropped != "" {
		t.Fatalf("the recovered node after the lost nodes' return: %+v; want the leader of a cluster of one", st)
	}
	if got := dump(t, survivor.s, "SELECT id FROM nodes ORDER BY id"); got != want {
		t.Fatalf("the recovered node's rows:\n%s\nwant:\n%s", got, want)
	}
	if err := putNode(ctx, survivor.s, "after-return"); err != nil {
		t.Fatalf("write on the recovered node: %v", err)
	}
}

// startLogged starts n, a member restarting, as n.start(nil) does, with
// the store's log in l.
func startLogged(n *node, l *logBuffer) error {
	n.host = dbtest.Listen(n.t, n.addr)
	cc := &db.ClusterConfig{Raft: n.host.Raft(), Service: n.host.Service(), Advertise: n.addr, Version: "test"}
	logger := slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := db.Open(context.Background(), db.Config{Dir: n.dir, Cluster: cc, Logger: logger, OpenTimeout: 20 * time.Second})
	if err != nil {
		n.host.Close()
		return err
	}
	n.s = s
	return nil
}

// logBuffer collects a store's log; the store writes from its goroutines
// while the test reads.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
