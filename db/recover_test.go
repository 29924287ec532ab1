package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestClusterRecover: a cluster that lost its majority for good (one node
// of two, two of three, the leader among them) is recovered on a
// survivor's data dir. Recover refuses while the survivor's node runs; a
// dry run names the lost nodes and changes nothing; then the survivor
// opens as a cluster of one with every row and event it had (from its
// snapshot and its log), takes writes, and a node on a fresh data dir
// joins it and gets everything.
func TestClusterRecover(t *testing.T) {
	for _, tc := range []struct{ size, lost int }{{2, 1}, {3, 2}} {
		t.Run(fmt.Sprintf("%d_of_%d_lost", tc.lost, tc.size), func(t *testing.T) {
			ctx := context.Background()
			nodes := newCluster(t, tc.size, nil)
			survivor := nodes[tc.size-1] // a follower: the first node leads
			ev := func(k int) *db.Event {
				return &db.Event{Stream: "recover", Type: "t", Payload: json.RawMessage(fmt.Sprintf(`{"k": %d}`, k)), Node: "n", Actor: "a", Time: time.Now()}
			}
			// Enough writes for the survivor to snapshot when it restarts,
			// then more, which stay in its log.
			for i := range 70 {
				if err := putNode(ctx, nodes[i%tc.size].s, fmt.Sprintf("before-%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			survivor.stop()
			if snaps, _ := filepath.Glob(filepath.Join(survivor.dir, "store", "rsnapshots", "*", "meta.json")); len(snaps) == 0 {
				t.Fatal("the survivor took no snapshot when it stopped")
			}
			if err := survivor.start(nil); err != nil {
				t.Fatalf("restart the survivor: %v", err)
			}
			for i, n := range nodes {
				if err := putNode(ctx, n.s, fmt.Sprintf("after-%d", i)); err != nil {
					t.Fatal(err)
				}
				if err := n.s.AppendEvents(ctx, []*db.Event{ev(2 * i), ev(2*i + 1)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := survivor.s.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			const nodesQ = "SELECT id FROM nodes ORDER BY id"
			const eventsQ = "SELECT id, stream, version, payload FROM events ORDER BY id"
			wantNodes, wantEvents := dump(t, survivor.s, nodesQ), dump(t, survivor.s, eventsQ)
			if n := count(t, survivor.s, "nodes"); n < 70+int64(tc.size) {
				t.Fatalf("survivor has %d nodes rows before the loss", n)
			}

			var lostIDs []string
			for _, n := range nodes[:tc.lost] {
				lostIDs = append(lostIDs, n.s.NodeID())
				n.crash()
			}
			slices.Sort(lostIDs)
			if _, err := db.Recover(ctx, db.RecoverConfig{Dir: survivor.dir}); err == nil || !strings.Contains(err.Error(), "in use by") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Recover while the node runs: %v; want one line saying the dir is in use", err)
			}
			id := survivor.s.NodeID()
			survivor.stop()

			// Started again, the survivor finds no leader, and says what to do.
			h := dbtest.Listen(t, survivor.addr)
			cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: survivor.addr, Version: "test"}
			s, err := db.Open(ctx, db.Config{Dir: survivor.dir, Cluster: cc, OpenTimeout: time.Second})
			if err == nil {
				s.Close(ctx)
			}
			h.Close()
			if err == nil || !errors.Is(err, db.ErrNoQuorum) || !strings.Contains(err.Error(), "aiex cluster recover") {
				t.Fatalf("the survivor started alone: %v; want no quorum and a pointer to aiex cluster recover", err)
			}

			check := func(rec *db.Recovery, dry bool) {
				t.Helper()
				var dropped []string
				for _, p := range rec.Dropped {
					if !p.Voter || p.Addr == "" {
						t.Errorf("dropped %+v; want a voter with its address", p)
					}
					dropped = append(dropped, p.ID)
				}
				slices.Sort(dropped)
				if rec.Node != id || rec.Addr != survivor.addr || rec.DataDir != survivor.dir || rec.DryRun != dry || !slices.Equal(dropped, lostIDs) {
					t.Errorf("Recovery %+v; want node %s at %s dropping %v (dry run %v)", rec, id, survivor.addr, lostIDs, dry)
				}
			}
			rec, err := db.Recover(ctx, db.RecoverConfig{Dir: survivor.dir, DryRun: true})
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			check(rec, true)
			var cm *db.ClusterMemberError
			if s, err := db.Open(ctx, db.Config{Dir: survivor.dir}); !errors.As(err, &cm) || cm.Nodes != tc.size {
				if err == nil {
					s.Close(ctx)
				}
				t.Fatalf("after the dry run a solo open gives %v; want the ClusterMemberError of %d nodes it gave before", err, tc.size)
			}

			start := time.Now()
			if rec, err = db.Recover(ctx, db.RecoverConfig{Dir: survivor.dir}); err != nil {
				t.Fatalf("Recover: %v", err)
			}
			check(rec, false)
			t.Logf("recovered in %v", time.Since(start).Round(time.Millisecond))
			if left, _ := filepath.Glob(filepath.Join(survivor.dir, "store", "recovery.db*")); len(left) > 0 {
				t.Errorf("recovery left its scratch files: %v", left)
			}

			if err := survivor.start(nil); err != nil {
				t.Fatalf("start the recovered node: %v", err)
			}
			if st := survivor.s.Status(); st.State != "leader" || st.Members != 1 || st.Leader != id {
				t.Fatalf("recovered node: %+v; want the leader of a cluster of one", st)
			}
			if got := dump(t, survivor.s, nodesQ); got != wantNodes {
				t.Errorf("nodes after recovery:\n%s\nwant:\n%s", got, wantNodes)
			}
			if got := dump(t, survivor.s, eventsQ); got != wantEvents {
				t.Errorf("events after recovery:\n%s\nwant:\n%s", got, wantEvents)
			}
			if err := putNode(ctx, survivor.s, "after-recovery"); err != nil {
				t.Fatalf("write after recovery: %v", err)
			}
			if err := survivor.s.AppendEvents(ctx, []*db.Event{ev(100)}); err != nil {
				t.Fatalf("append after recovery: %v", err)
			}

			// A lost machine comes back as a new node: a fresh data dir
			// joined through the survivor.
			fresh := &node{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
			if err := fresh.start([]string{survivor.addr}); err != nil {
				t.Fatalf("a fresh node joins the recovered one: %v", err)
			}
			t.Cleanup(fresh.stop)
			if got, want := count(t, fresh.s, "events"), count(t, survivor.s, "events"); got != want {
				t.Errorf("fresh node has %d events; want %d", got, want)
			}
			if err := putNode(ctx, fresh.s, "from-fresh"); err != nil {
				t.Fatal(err)
			}
			if st := survivor.s.Status(); st.Members != 2 {
				t.Errorf("after the join: %d members", st.Members)
			}

			// A lost node that comes back on its old data dir finds no
			// leader of its own, and is told that the survivor dropped
			// it, not that the cluster lacks a quorum.
			lost := nodes[0]
			h = dbtest.Listen(t, lost.addr)
			cc = &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: lost.addr, Version: "test"}
			s, err = db.Open(ctx, db.Config{Dir: lost.dir, Cluster: cc, OpenTimeout: time.Second})
			if err == nil {
				s.Close(ctx)
			}
			h.Close()
			if !errors.Is(err, db.ErrDropped) || !strings.Contains(err.Error(), "recovered on node "+id) || !strings.Contains(err.Error(), "--join "+survivor.addr) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("a lost node back on its old dir: %v; want one line naming the survivor %s as having dropped it", err, survivor.addr)
			}
			if got := count(t, survivor.s, "events"); got != count(t, fresh.s, "events") || survivor.s.Status().Members != 2 {
				t.Errorf("the lost node's return disturbed the cluster: %d events, %+v", got, survivor.s.Status())
			}
		})
	}
}

// TestClusterRecoverRefuses: Recover refuses, with one line and changing
// nothing, a dir that is missing, a file, or no cluster member (used alone), and
// a node that is the only voter already.
func TestClusterRecoverRefuses(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "none")
	solo := t.TempDir()
	open(t, solo).Close(ctx)
	one := newCluster(t, 1, nil)[0]
	one.stop()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, want string }{
		{"missing", missing, "does not exist; pass the data dir of the node to recover"},
		{"a file", file, "is not a directory"},
		{"solo", solo, "not a member of a cluster"},
		{"only voter", one.dir, "only voter of its cluster already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				rec, err := db.Recover(ctx, db.RecoverConfig{Dir: tc.dir, DryRun: dry})
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("Recover (dry run %v): %+v, %v; want one line saying %q", dry, rec, err, tc.want)
				}
			}
		})
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Recover created the missing dir: %v", err)
	}
	if s, err := db.Open(ctx, db.Config{Dir: solo}); err != nil {
		t.Errorf("the solo dir after a refused Recover: %v", err)
	} else {
		s.Close(ctx)
	}
	if err := one.start(nil); err != nil {
		t.Fatalf("the single-node cluster after a refused Recover: %v", err)
	}
	if st := one.s.Status(); st.State != "leader" || st.Members != 1 {
		t.Errorf("single-node cluster after a refused Recover: %+v", st)
	}
}
