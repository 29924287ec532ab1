package mesh_test

import (
	"context"
	"io"
	"log"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/rqlite/rqlite/v8/cluster"
	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// TestRqliteOverMesh runs a real two-node rqlite cluster (Raft over
// Mux.Layer, the join over rqlite's cluster service and client with a mesh
// Dialer) on each transport, writes on the leader and reads on the follower.
func TestRqliteOverMesh(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		trs := meshtest.TCP(t, 2, nil)
		testRqlite(t, trs[0], trs[1])
	})
	t.Run("tailnet", func(t *testing.T) {
		tn := meshtest.NewTailnet(t, meshtest.Options{SameUser: true})
		testRqlite(t, tn.Node(t, mesh.TailnetConfig{Hostname: "alpha"}), tn.Node(t, mesh.TailnetConfig{Hostname: "bravo"}))
	})
}

type rqNode struct {
	str    *store.Store
	client *cluster.Client
}

// startRqlite opens an rqlite node over tr, closing it in the order the
// package doc gives: store, cluster service, mux (the transport closes in
// its own cleanup, registered earlier, so later).
func startRqlite(t *testing.T, tr mesh.Transport, id string) *rqNode {
	t.Helper()
	mux, err := mesh.NewMux(tr, listen(t, tr), nil, cluster.MuxRaftHeader, cluster.MuxClusterHeader)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mux.Close() })
	str := store.New(mux.Layer(cluster.MuxRaftHeader), &store.Config{
		DBConf: store.NewDBConfig(),
		Dir:    filepath.Join(t.TempDir(), id),
		ID:     id,
		Logger: log.New(io.Discard, "", 0),
	})
	str.RaftLogLevel = "OFF"
	str.HeartbeatTimeout = 100 * time.Millisecond
	str.ElectionTimeout = 100 * time.Millisecond
	str.LeaderLeaseTimeout = 100 * time.Millisecond
	if err := str.Open(); err != nil {
		t.Fatal(err)
	}
	svc := cluster.New(mux.Listener(cluster.MuxClusterHeader), str, str, nil)
	if err := svc.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		str.Close(true)
		svc.Close()
	})
	return &rqNode{str: str, client: cluster.NewClient(mesh.NewDialer(tr, cluster.MuxClusterHeader), 5*time.Second)}
}

func testRqlite(t *testing.T, leaderTr, followerTr mesh.Transport) {
	start := time.Now()
	leader := startRqlite(t, leaderTr, "n0")
	follower := startRqlite(t, followerTr, "n1")

	if err := leader.str.Bootstrap(store.NewServer("n0", leaderTr.Addr(), true)); err != nil {
		t.Fatal(err)
	}
	if _, err := leader.str.WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	joiner := cluster.NewJoiner(follower.client, 20, 100*time.Millisecond)
	if _, err := joiner.Do(ctx, []string{leaderTr.Addr()}, "n1", followerTr.Addr(), cluster.VoterSuffrage(true)); err != nil {
		t.Fatalf("join: %v", err)
	}
	if got, err := follower.str.WaitForLeader(10 * time.Second); err != nil || got != leaderTr.Addr() {
		t.Fatalf("follower's leader %q, %v; want %s", got, err, leaderTr.Addr())
	}
	t.Logf("cluster of 2 formed in %v", time.Since(start))

	stmts := func(sql ...string) *proto.Request {
		r := &proto.Request{}
		for _, s := range sql {
			r.Statements = append(r.Statements, &proto.Statement{Sql: s})
		}
		return r
	}
	_, idx, err := leader.str.Execute(&proto.ExecuteRequest{Request: stmts(
		"CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('over the mesh')")})
	if err != nil {
		t.Fatal(err)
	}
	if err := follower.str.WaitForAppliedIndex(idx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rows, _, err := follower.str.Query(&proto.QueryRequest{
		Request: stmts("SELECT v FROM t"),
		Level:   proto.QueryRequest_QUERY_REQUEST_LEVEL_NONE,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(rows[0].Values) != 1 || rows[0].Values[0].Parameters[0].GetS() != "over the mesh" {
		t.Fatalf("follower read %v", rows)
	}
	t.Logf("write on leader visible on follower after %v", time.Since(start))
}
