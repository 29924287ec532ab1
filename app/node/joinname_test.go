package node

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestJoinUnderARunningMembersNameIsRefused: a node joining under the
// name of a running member (case aside) is refused before it joins, with
// a one-line error naming the member and how to pick another name; the
// cluster keeps its members.
func TestJoinUnderARunningMembersNameIsRefused(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	b := startNode(t, "beta", tcp[1], nil, nil, a.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{App: app.Config{DataDir: filepath.Join(short(t), "b2"), Version: "test"},
		Transport: tcp[2], Join: []string{a.Addr()}, Name: "Beta", Heartbeat: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err == nil {
		n.Close(ctx)
		t.Fatal("a second node called beta was admitted")
	}
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") || !strings.Contains(ue.Msg, b.App().Store.NodeID()) ||
		!strings.Contains(ue.Msg, "--name NAME") {
		t.Fatalf("join under a member's name: %v; want one line naming beta (%s) and --name", err, b.App().Store.NodeID())
	}
	var je *JoinError
	if !errors.As(err, &je) {
		t.Errorf("the refusal is no JoinError, so a new data dir would be kept: %v", err)
	}
	if ms, err := a.App().Store.Members(ctx); err != nil || len(ms) != 2 {
		t.Errorf("members after the refusal: %d, %v; want alpha and beta", len(ms), err)
	}
}

// TestRemoveByANameTwoMembersShare: two members may still share a name (the
// first was down when the second joined). aiex cluster remove NAME then
// says so, listing their IDs, instead of that no member has it; once one
// is removed by ID, the name is the other's, the removed node's row aside.
func TestRemoveByANameTwoMembersShare(t *testing.T) {
	tcp := meshtest.TCP(t, 4, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	startNode(t, "gamma", tcp[1], nil, nil, a.Addr())
	d1 := startNode(t, "delta", tcp[2], nil, nil, a.Addr())
	id1 := d1.App().Store.NodeID()
	ctx := context.Background()
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := d1.Close(cctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first delta to be unreachable", func() bool {
		ms, err := a.App().Store.Members(ctx)
		if err != nil {
			return false
		}
		for _, m := range ms {
			if m.ID == id1 {
				return !m.Reachable
			}
		}
		return false
	})
	d2 := startNode(t, "delta", tcp[3], nil, nil, a.Addr())
	id2 := d2.App().Store.NodeID()
	waitFor(t, "both deltas' rows on alpha", func() bool {
		nodes, err := a.App().Store.Nodes(ctx)
		return err == nil && len(nodes) == 4
	})
	cl, err := Connect(ctx, a.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}

	err = cl.Remove(ctx, "delta")
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "2 nodes are called \"delta\"") || !strings.Contains(ue.Msg, id1) ||
		!strings.Contains(ue.Msg, id2) || strings.Contains(ue.Msg, "not a member") {
		t.Fatalf("remove of a shared name: %v; want it to say two nodes are called delta, with both IDs", err)
	}
	if err := cl.Remove(ctx, id1); err != nil {
		t.Fatalf("remove the first delta by ID: %v", err)
	}
	if err := cl.Remove(ctx, "delta"); err != nil {
		t.Fatalf("remove delta once the other delta is gone: %v; want the name to be the running delta's", err)
	}
	waitFor(t, "alpha and gamma alone", func() bool { return a.App().Store.Status().Members == 2 })
}

// TestOtherNamed: a node returning to a cluster where another member
// joined under its name while it was down finds that member — running,
// named alike case aside, not itself — and no other: not itself, not a
// member it cannot reach, not one of another name.
func TestOtherNamed(t *testing.T) {
	cs := &ClusterStatus{Self: "vm-1",
		Members: []db.Member{{ID: "vm-1", Self: true, Reachable: true}, {ID: "vm-2", Reachable: true}, {ID: "vm-3"}, {ID: "vm-4", Reachable: true}},
		Nodes:   []db.Node{{ID: "vm-1", Name: "delta"}, {ID: "vm-3", Name: "delta"}, {ID: "vm-4", Name: "gamma"}},
	}
	if nd, ok := otherNamed(cs, "delta"); ok {
		t.Errorf("found %+v; the other delta is down, so none", nd)
	}
	cs.Nodes = append(cs.Nodes, db.Node{ID: "vm-2", Name: "Delta", Addr: "10.0.0.2:7420"})
	if nd, ok := otherNamed(cs, "delta"); !ok || nd.ID != "vm-2" {
		t.Errorf("found %+v, %v; want vm-2, running under the name", nd, ok)
	}
	if _, ok := otherNamed(cs, ""); ok {
		t.Error("a node without a name shares it")
	}
}
