package db_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// node is one cluster node in a test: a data dir, an address, and while it
// runs a Host and a Store. Stopping it and starting it again restarts the
// node from its dir at the same address.
type node struct {
	t     testing.TB
	dir   string
	addr  string
	host  *dbtest.Host
	s     *db.Store
	tweak func(*db.ClusterConfig)
	open  time.Duration // OpenTimeout; 0 means 20 s
}

// start opens the node, joining join if it is not a member yet.
func (n *node) start(join []string) error {
	n.t.Helper()
	n.host = dbtest.Listen(n.t, n.addr)
	n.addr = n.host.Addr()
	cc := &db.ClusterConfig{Raft: n.host.Raft(), Service: n.host.Service(), Advertise: n.addr, Join: join, Version: "test"}
	if n.tweak != nil {
		n.tweak(cc)
	}
	s, err := db.Open(context.Background(), db.Config{Dir: n.dir, Cluster: cc, OpenTimeout: cmp.Or(n.open, 20*time.Second)})
	if err != nil {
		n.host.Close()
		return err
	}
	n.s = s
	return nil
}

// stop closes the node cleanly (stepdown if it leads, then close).
func (n *node) stop() {
	n.t.Helper()
	if n.s == nil {
		return
	}
	if err := n.s.Close(context.Background()); err != nil {
		n.t.Errorf("close %s: %v", n.s.NodeID(), err)
	}
	n.host.Close()
	n.s = nil
}

// crash cuts the node's network, then closes its store without a stepdown
// or a snapshot: its peers see what a killed process leaves.
func (n *node) crash() {
	n.t.Helper()
	n.host.Close()
	if err := db.Crash(n.s); err != nil {
		n.t.Errorf("crash %s: %v", n.s.NodeID(), err)
	}
	n.s = nil
}

// newCluster starts size nodes: the first bootstraps, the others join it.
func newCluster(t testing.TB, size int, tweak func(*db.ClusterConfig)) []*node {
	t.Helper()
	var nodes []*node
	for i := range size {
		n := &node{t: t, dir: t.TempDir(), addr: "127.0.0.1:0", tweak: tweak}
		var join []string
		if i > 0 {
			join = []string{nodes[0].addr}
		}
		if err := n.start(join); err != nil {
			t.Fatalf("start node %d: %v", i, err)
		}
		t.Cleanup(n.stop)
		nodes = append(nodes, n)
	}
	return nodes
}

// leader returns the running node that leads, waiting for one.
func leader(t testing.TB, nodes []*node) *node {
	t.Helper()
	var found *node
	poll(t, 10*time.Second, "a leader", func() bool {
		for _, n := range nodes {
			if n.s != nil && n.s.Status().State == "leader" {
				found = n
				return true
			}
		}
		return false
	})
	return found
}

func followers(nodes []*node, l *node) []*node {
	return slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == l || n.s == nil })
}

// poll calls cond until it holds or the deadline passes.
func poll(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not a wait for an event
	}
}

func count(t testing.TB, s *db.Store, table string) int64 {
	t.Helper()
	rows, err := s.Query(context.Background(), "SELECT COUNT(*) FROM "+table)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return rows.Values[0][0].(int64)
}

func putNode(ctx context.Context, s *db.Store, id string) error {
	now := time.Now()
	_, err := s.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: id, Name: id, StartedAt: now, LastSeen: now}))
	return err
}

// TestClusterForms: one node bootstraps, two join as voters and one as a
// non-voter; every node sees four members, one leader, all reachable, and
// the schema; the non-voter's writes are forwarded like a follower's.
func TestClusterForms(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	nv := &node{t: t, dir: t.TempDir(), addr: "127.0.0.1:0", tweak: func(cc *db.ClusterConfig) { cc.NonVoter = true }}
	if err := nv.start([]string{nodes[1].addr}); err != nil { // a follower: it redirects to the leader
		t.Fatalf("non-voter join: %v", err)
	}
	t.Cleanup(nv.stop)
	if err := putNode(ctx, nv.s, "from-non-voter"); err != nil {
		t.Fatal(err)
	}
	nodes = append(nodes, nv)
	for _, n := range nodes {
		if v, err := n.s.SchemaVersion(ctx); err != nil || v < 1 {
			t.Fatalf("%s: SchemaVersion = %d, %v", n.s.NodeID(), v, err)
		}
		st := n.s.Status()
		if !st.Cluster || st.Members != 4 || st.Leader != l.s.NodeID() || st.LeaderAddr != l.addr {
			t.Errorf("%s: Status = %+v; want 4 members led by %s at %s", n.s.NodeID(), st, l.s.NodeID(), l.addr)
		}
		ms, err := n.s.Members(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 4 {
			t.Fatalf("%s: %d members", n.s.NodeID(), len(ms))
		}
		for _, m := range ms {
			if m.Voter != (m.ID != nv.s.NodeID()) || !m.Reachable || m.Leader != (m.ID == l.s.NodeID()) || m.Self != (m.ID == n.s.NodeID()) || m.Version != "test" {
				t.Errorf("%s sees %+v", n.s.NodeID(), m)
			}
			if m.Self && (m.State == "" || m.AppliedIndex == 0) {
				t.Errorf("%s: own member entry lacks state: %+v", n.s.NodeID(), m)
			}
		}
	}
}

// TestClusterFollowerWrite: a write on a follower is forwarded to the
// leader and becomes readable on every node; Sync makes it readable on the
// writing follower at once.
func TestClusterFollowerWrite(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 3)
	f := stores[1] // the first one bootstrapped and leads
	if st := f.Status(); st.State != "follower" {
		t.Fatalf("second node is %s; want follower", st.State)
	}
	if err := putNode(ctx, f, "from-follower"); err != nil {
		t.Fatalf("Execute on follower: %v", err)
	}
	if err := f.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Nodes(ctx); !slices.ContainsFunc(got, func(n db.Node) bool { return n.ID == "from-follower" }) {
		t.Fatalf("after Sync the follower does not read its own write: %+v", got)
	}
	for _, s := range stores {
		poll(t, 5*time.Second, "row on "+s.NodeID(), func() bool {
			got, _ := s.Nodes(ctx)
			return slices.ContainsFunc(got, func(n db.Node) bool { return n.ID == "from-follower" })
		})
	}
	// A statement error on the leader comes back through the forwarding.
	_, err := f.Execute(ctx, db.Stmt(`INSERT INTO no_such_table VALUES (1)`))
	if !errors.Is(err, db.ErrStatement) {
		t.Fatalf("forwarded bad statement: %v; want ErrStatement", err)
	}
}

// TestClusterFollowerReadsOwnWrites: a query on a follower right after
// that node's write sees it (read your writes), every time.
func TestClusterFollowerReadsOwnWrites(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 2)
	f := stores[1]
	for i := range 30 {
		id := fmt.Sprintf("own-%d", i)
		if err := putNode(ctx, f, id); err != nil {
			t.Fatal(err)
		}
		got, err := f.Nodes(ctx)
		if err != nil || !slices.ContainsFunc(got, func(n db.Node) bool { return n.ID == id }) {
			t.Fatalf("write %d not read back on the follower: %v", i, err)
		}
	}
}

// TestClusterFollowerCodeProject: a project created from a follower is
// read back there at once (the insert goes to the leader; the follower
// waits to apply it).
func TestClusterFollowerCodeProject(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 2)
	f := stores[1]
	for i := range 20 {
		root := fmt.Sprintf("/src/project-%d", i)
		p, err := f.CodeProject(ctx, root)
		if err != nil || p.Root != root || p.ID == 0 {
			t.Fatalf("CodeProject(%s) on a follower: %+v, %v", root, p, err)
		}
	}
}

// TestClusterLeaderCrash: the leader dies without a stepdown; the others
// elect a new one and accept writes again; the dead node restarts from its
// dir, without joining again, and catches up.
func TestClusterLeaderCrash(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	elected := map[string]int{} // leader changes each node saw itself win
	var ids []string
	nodes := newCluster(t, 3, func(cc *db.ClusterConfig) {
		mu.Lock()
		i := len(ids)
		ids = append(ids, "")
		mu.Unlock()
		cc.OnLeaderChange = func(leader bool) {
			mu.Lock()
			defer mu.Unlock()
			if leader {
				elected[ids[i]]++
			}
		}
	})
	for i, n := range nodes {
		mu.Lock()
		ids[i] = n.s.NodeID()
		mu.Unlock()
	}
	old := leader(t, nodes)
	oldID := old.s.NodeID()
	old.crash()
	start := time.Now()
	f := followers(nodes, old)[0]
	poll(t, 10*time.Second, "write after leader loss", func() bool {
		return putNode(ctx, f.s, "after-crash") == nil
	})
	t.Logf("writes accepted again %s after the leader died", time.Since(start).Round(time.Millisecond))
	nl := leader(t, nodes)
	if nl.s.NodeID() == oldID {
		t.Fatalf("the dead node %s still leads", oldID)
	}
	mu.Lock()
	if elected[nl.s.NodeID()] == 0 {
		t.Errorf("OnLeaderChange(true) never called on the new leader %s: %v", nl.s.NodeID(), elected)
	}
	mu.Unlock()
	for i := range 20 {
		if err := putNode(ctx, f.s, fmt.Sprintf("n%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	// Restart with no Join peers: a member finds its peers in its own log.
	if err := old.start(nil); err != nil {
		t.Fatalf("restart: %v", err)
	}
	poll(t, 10*time.Second, "catch-up of the restarted node", func() bool {
		return count(t, old.s, "nodes") == 21
	})
	if st := old.s.Status(); st.Members != 3 {
		t.Fatalf("restarted node sees %d members; want 3", st.Members)
	}
}

// TestClusterRestartFollower: a follower closed cleanly misses writes, then
// restarts from its dir (no Join) and catches up.
func TestClusterRestartFollower(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	f := followers(nodes, l)[0]
	f.stop()
	for i := range 50 {
		if err := putNode(ctx, l.s, fmt.Sprintf("n%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.start(nil); err != nil {
		t.Fatalf("restart: %v", err)
	}
	// Open returns once caught up with the leader.
	if n := count(t, f.s, "nodes"); n != 50 {
		t.Fatalf("restarted follower has %d rows right after Open; want 50", n)
	}
	if ms, _ := f.s.Members(ctx); len(ms) != 3 {
		t.Fatalf("restarted follower sees %d members; want 3 (no second join)", len(ms))
	}
}

// TestClusterNoQuorum: with two of three nodes down the survivor cannot
// write, and says why within the bound.
func TestClusterNoQuorum(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, func(cc *db.ClusterConfig) { cc.LeaderWait = 2 * time.Second })
	l := leader(t, nodes)
	fs := followers(nodes, l)
	survivor := fs[0]
	l.crash()
	fs[1].crash()

	start := time.Now()
	err := putNode(ctx, survivor.s, "lost")
	took := time.Since(start)
	if !errors.Is(err, db.ErrNoQuorum) {
		t.Fatalf("Execute without quorum: %v; want ErrNoQuorum", err)
	}
	if err.Error() != "no quorum: 1 of 3 nodes reachable" {
		t.Fatalf("message %q", err.Error())
	}
	var nq *db.NoQuorumError
	if !errors.As(err, &nq) || nq.Voters != 3 || nq.Reachable != 1 {
		t.Fatalf("error = %#v", err)
	}
	if took > 4*time.Second {
		t.Fatalf("Execute took %s to fail; bound is LeaderWait (2 s) plus a probe", took)
	}
	t.Logf("no quorum reported after %s", took.Round(time.Millisecond))

	// A context deadline sooner than LeaderWait wins.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = putNode(cctx, survivor.s, "lost")
	if !errors.Is(err, db.ErrNoQuorum) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("with a 300 ms deadline: %v after %s", err, time.Since(start))
	}
}

// TestClusterRemoveLeave: Remove takes a dead node out, Leave takes a live
// one out, and the rest keep writing.
func TestClusterRemoveLeave(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 4, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)

	// A dead node, removed through a follower (forwarded to the leader).
	deadID := fs[0].s.NodeID()
	fs[0].crash()
	if err := fs[1].s.Remove(ctx, deadID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	poll(t, 5*time.Second, "removal seen by the leader", func() bool { return l.s.Status().Members == 3 })

	// A live node leaves, then closes.
	leaving := fs[1]
	leftID := leaving.s.NodeID()
	if err := leaving.s.Leave(ctx); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	leaving.stop()
	poll(t, 5*time.Second, "leave seen by the leader", func() bool { return l.s.Status().Members == 2 })
	ms, err := l.s.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == deadID || m.ID == leftID || !m.Reachable {
			t.Errorf("member %+v after Remove and Leave", m)
		}
	}
	// Two voters left: writes need both, and both are up.
	if err := putNode(ctx, fs[2].s, "after-leave"); err != nil {
		t.Fatal(err)
	}

	// The leader leaves too: it hands over first.
	if err := l.s.Leave(ctx); err != nil {
		t.Fatalf("leader Leave: %v", err)
	}
	poll(t, 5*time.Second, "the last node leading alone", func() bool {
		st := fs[2].s.Status()
		return st.State == "leader" && st.Members == 1
	})
	if err := putNode(ctx, fs[2].s, "alone"); err != nil {
		t.Fatal(err)
	}
}

// TestClusterCloseHandsOver: closing the leader cleanly hands leadership
// over at once, far sooner than an election would.
func TestClusterCloseHandsOver(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	f := followers(nodes, l)[0]
	start := time.Now()
	l.stop()
	closed := time.Since(start)
	if err := putNode(ctx, f.s, "after-close"); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("leader closed in %s; writes accepted %s after Close began", closed.Round(time.Millisecond), took.Round(time.Millisecond))
	// An election would take at least a heartbeat timeout (500 ms) to start.
	if took > 450*time.Millisecond {
		t.Fatalf("writes resumed %s after a clean leader Close; want a handover, not an election", took)
	}
}

// TestClusterTailEvents: a tail on every node sees every event appended on
// any node, in id order, the same sequence everywhere.
func TestClusterTailEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	nodes := newCluster(t, 3, nil)
	const perNode = 40 // 10 single appends and a batch of 30, from each node
	want := perNode * len(nodes)

	var mu sync.Mutex
	seen := make([][]db.Event, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			err := n.s.TailEvents(ctx, 0, func(evs []db.Event) error {
				mu.Lock()
				defer mu.Unlock()
				seen[i] = append(seen[i], evs...)
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("TailEvents on %s: %v", n.s.NodeID(), err)
			}
		})
	}
	var wwg sync.WaitGroup
	for i, n := range nodes {
		wwg.Go(func() {
			ev := func(k int) *db.Event {
				return &db.Event{Stream: fmt.Sprintf("s%d", k%3), Type: "test", Payload: json.RawMessage(fmt.Sprintf(`{"node":%d,"k":%d}`, i, k)), Node: n.s.NodeID(), Actor: "t", Time: time.Now()}
			}
			for k := range 10 {
				if err := n.s.AppendEvents(ctx, []*db.Event{ev(k)}); err != nil {
					t.Errorf("append: %v", err)
				}
			}
			batch := make([]*db.Event, 30)
			for k := range batch {
				batch[k] = ev(10 + k)
			}
			if err := n.s.AppendEvents(ctx, batch); err != nil {
				t.Errorf("append batch: %v", err)
			}
			for k := 1; k < len(batch); k++ {
				if batch[k].ID != batch[k-1].ID+1 {
					t.Errorf("batch ids not consecutive: %d then %d", batch[k-1].ID, batch[k].ID)
				}
			}
		})
	}
	wwg.Wait()
	poll(t, 10*time.Second, "every event on every tail", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range seen {
			if len(s) < want {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()
	for i, s := range seen {
		if len(s) != want {
			t.Fatalf("node %d saw %d events; want %d", i, len(s), want)
		}
		for k := 1; k < len(s); k++ {
			if s[k].ID <= s[k-1].ID {
				t.Fatalf("node %d: id %d after %d", i, s[k].ID, s[k-1].ID)
			}
		}
		if i > 0 && !slices.EqualFunc(s, seen[0], func(a, b db.Event) bool {
			return a.ID == b.ID && a.Stream == b.Stream && a.Version == b.Version && string(a.Payload) == string(b.Payload)
		}) {
			t.Fatalf("node %d saw a different sequence than node 0", i)
		}
	}
}

// TestSoloDirStartsCluster: a data dir used in single-node mode becomes the
// first node of a cluster with its data, and another node joins it.
func TestSoloDirStartsCluster(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	if err := putNode(ctx, s, "solo-row"); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	first := &node{t: t, dir: dir, addr: "127.0.0.1:0"}
	if err := first.start([]string{"127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "holds a store used alone, so it cannot join") {
		t.Fatalf("joining a solo dir to a cluster: %v; want a refusal", err)
	}
	if err := first.start(nil); err != nil {
		t.Fatalf("solo dir in cluster mode: %v", err)
	}
	t.Cleanup(first.stop)
	second := &node{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	if err := second.start([]string{first.addr}); err != nil {
		t.Fatalf("join the former solo node: %v", err)
	}
	t.Cleanup(second.stop)
	if got, _ := second.s.Nodes(ctx); !slices.ContainsFunc(got, func(n db.Node) bool { return n.ID == "solo-row" }) {
		t.Fatalf("joined node lacks the solo data: %+v", got)
	}
	if err := putNode(ctx, second.s, "joined"); err != nil {
		t.Fatal(err)
	}
}

// TestTailEventsSolo: a tail on a single node sees past and new events
// and ends with ErrClosed when the store closes.
func TestTailEventsSolo(t *testing.T) {
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	ev := func(k int) *db.Event {
		return &db.Event{Stream: "s", Type: "t", Payload: json.RawMessage(fmt.Sprintf(`{"k": %d}`, k)), Node: "n", Actor: "a", Time: time.Now()}
	}
	if err := s.AppendEvents(ctx, []*db.Event{ev(1), ev(2)}); err != nil {
		t.Fatal(err)
	}
	got := make(chan db.Event, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.TailEvents(ctx, 0, func(evs []db.Event) error {
			for _, e := range evs {
				got <- e
			}
			return nil
		})
	}()
	if err := s.AppendEvents(ctx, []*db.Event{ev(3)}); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 3; k++ {
		select {
		case e := <-got:
			if e.Version != int64(k) || string(e.Payload) != fmt.Sprintf(`{"k": %d}`, k) {
				t.Fatalf("event %d = %+v", k, e)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", k)
		}
	}
	s.Close(ctx)
	select {
	case err := <-done:
		if !errors.Is(err, db.ErrClosed) {
			t.Fatalf("TailEvents after Close: %v; want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TailEvents did not end with Close")
	}
}

// TestClusterReadsWithoutLeader: a node cut off from its cluster right
// after a write it has not applied yet (the leader acknowledged it, and
// froze before telling the node it was committed) reads what it has. Only
// the first read waits to catch up (bounded at 2 s); reads do not each
// wait again, which made a partitioned node's status time out.
func TestClusterReadsWithoutLeader(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	survivor := fs[0]
	if err := putNode(ctx, survivor.s, "before"); err != nil {
		t.Fatal(err)
	}
	l.crash()
	fs[1].crash()
	db.PendWrite(survivor.s, survivor.s.Status().AppliedIndex+1000)
	start := time.Now()
	for i := range 4 {
		t0 := time.Now()
		if _, err := survivor.s.Nodes(ctx); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if d := time.Since(t0); i > 0 && d > time.Second {
			t.Errorf("read %d took %v; only the first may wait", i, d.Round(time.Millisecond))
		}
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("4 reads took %v", d.Round(time.Millisecond))
	}
}

// TestClusterRemoveStranger: removing an ID that is no member fails with
// ErrNotMember, naming the members, and changes nothing.
func TestClusterRemoveStranger(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	before := l.s.Status().AppliedIndex
	err := fs[0].s.Remove(ctx, "nobody")
	if !errors.Is(err, db.ErrNotMember) || !strings.Contains(err.Error(), l.s.NodeID()) {
		t.Fatalf("Remove of a stranger: %v; want ErrNotMember listing the members", err)
	}
	if st := l.s.Status(); st.Members != 3 || st.AppliedIndex != before {
		t.Errorf("after removing a stranger: %d members, applied index %d→%d", st.Members, before, st.AppliedIndex)
	}
}

// TestClusterJoinSaysWhy: a join through an address where nothing listens
// fails, when the open times out, with an error naming the peer and why
// it could not be reached.
func TestClusterJoinSaysWhy(t *testing.T) {
	gone := dbtest.Listen(t, "127.0.0.1:0")
	peer := gone.Addr()
	gone.Close()
	h := dbtest.Listen(t, "127.0.0.1:0")
	defer h.Close()
	cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: h.Addr(), Join: []string{peer}, Version: "test"}
	dir := t.TempDir()
	_, err := db.Open(context.Background(), db.Config{Dir: dir, Cluster: cc, OpenTimeout: time.Second})
	if err == nil {
		t.Fatal("joined through an address where nothing listens")
	}
	if msg := usererr.As(err); msg == nil || !strings.Contains(msg.Msg, peer+": nothing listening") || strings.Contains(msg.Msg, "dial") {
		t.Errorf("join error %q; want the peer %s and why it failed, in plain words", err, peer)
	}
	// The failed first join leaves the new dir as it found it.
	for _, name := range []string{"store", "node-id", "cluster"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the failed join left %s in the data dir (%v)", name, err)
		}
	}
}

// TestClusterLastVoterCannotLeave: the only voter's Leave fails with
// ErrLastVoter, saying what to do, and the node goes on leading.
func TestClusterLastVoterCannotLeave(t *testing.T) {
	ctx := context.Background()
	solo := newCluster(t, 1, nil)[0]
	err := solo.s.Leave(ctx)
	if !errors.Is(err, db.ErrLastVoter) || strings.Contains(err.Error(), "{[]}") {
		t.Fatalf("Leave of the only voter: %v; want ErrLastVoter", err)
	}
	if st := solo.s.Status(); st.State != "leader" || st.Members != 1 {
		t.Errorf("after the refused Leave: %+v", st)
	}
	if err := putNode(ctx, solo.s, "still-writing"); err != nil {
		t.Fatal(err)
	}
}

// TestMemberDirRefusesSoloOpen: a member of a cluster of several nodes,
// opened alone (a command with no node running on its data dir), is
// refused at once with one line saying where it opens, and a
// ClusterMemberError the interfaces can tell from other failures.
func TestMemberDirRefusesSoloOpen(t *testing.T) {
	nodes := newCluster(t, 2, nil)
	for _, n := range nodes {
		n.stop()
	}
	start := time.Now()
	s, err := db.Open(context.Background(), db.Config{Dir: nodes[1].dir, OpenTimeout: 20 * time.Second})
	if err == nil {
		s.Close(context.Background())
		t.Fatal("a cluster member's data dir opened alone")
	}
	var cm *db.ClusterMemberError
	if !errors.As(err, &cm) || cm.Nodes != 2 || cm.Dir != nodes[1].dir {
		t.Fatalf("err %v (%T); want a ClusterMemberError of 2 nodes in %s", err, err, nodes[1].dir)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "aiex node run") {
		t.Fatalf("message %q; want one line naming aiex node run", msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("refused after %v; want at once, not after the open timeout", d)
	}
}

// dump reads a query's rows as text, to compare a store's data before and
// after an operation.
func dump(t testing.TB, s *db.Store, query string) string {
	t.Helper()
	rows, err := s.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return fmt.Sprint(rows.Values)
}
