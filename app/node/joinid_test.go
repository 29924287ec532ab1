package node

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// copyNodeID makes a new data dir holding a copy of n's node-id, as a data
// dir copied to another machine would.
func copyNodeID(t *testing.T, n *Node) string {
	t.Helper()
	dir := filepath.Join(short(t), "copy")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node-id"), []byte(n.App().Store.NodeID()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestJoinWithARunningMembersIDIsRefused: a node whose data dir holds a
// copy of a running member's node ID is refused before it joins, with one
// line naming the member, its address and what to do; the member keeps its
// place and goes on running.
func TestJoinWithARunningMembersIDIsRefused(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	b := startNode(t, "beta", tcp[1], nil, nil, a.Addr())
	id := b.App().Store.NodeID()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{App: app.Config{DataDir: copyNodeID(t, b), Version: "test"},
		Transport: tcp[2], Join: []string{a.Addr()}, Name: "gamma", Heartbeat: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err == nil {
		n.Close(ctx)
		t.Fatalf("a node with beta's ID (%s) was admitted while beta runs", id)
	}
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") || !strings.Contains(ue.Msg, "beta ("+id+")") ||
		!strings.Contains(ue.Msg, b.Addr()) || !strings.Contains(ue.Msg, "new data dir") ||
		!strings.Contains(ue.Msg, "aiex cluster remove "+id) {
		t.Fatalf("join with beta's ID: %v; want one line naming beta (%s) at %s, a new data dir and cluster remove", err, id, b.Addr())
	}
	var je *JoinError
	if !errors.As(err, &je) {
		t.Errorf("the refusal is no JoinError, so a new data dir would be kept: %v", err)
	}
	ms, err := a.App().Store.Members(ctx)
	if err != nil || len(ms) != 2 {
		t.Fatalf("members after the refusal: %+v, %v; want alpha and beta", ms, err)
	}
	for _, m := range ms {
		if m.ID == id && (m.Addr != b.Addr() || !m.Reachable) {
			t.Errorf("beta after the refusal: at %s, reachable %v; want it at %s, running", m.Addr, m.Reachable, b.Addr())
		}
	}
	if b.App().Store.Status().Removed {
		t.Error("beta was removed from the cluster")
	}
}

// TestJoinWithAStoppedMembersIDTakesItsPlace: once the member is stopped,
// a node holding its ID joins in its place (what the refusal says to do
// when the member moved machine), at its own address.
func TestJoinWithAStoppedMembersIDTakesItsPlace(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	b := startNode(t, "beta", tcp[1], nil, nil, a.Addr())
	id := b.App().Store.NodeID()
	dir := copyNodeID(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "beta to be unreachable", func() bool {
		ms, err := a.App().Store.Members(ctx)
		return err == nil && slices.ContainsFunc(ms, func(m db.Member) bool { return m.ID == id && !m.Reachable })
	})
	n, err := Start(ctx, Config{App: app.Config{DataDir: dir, Version: "test"},
		Transport: tcp[2], Join: []string{a.Addr()}, Name: "beta", Heartbeat: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatalf("join with the ID of a stopped member: %v", err)
	}
	defer n.Close(context.Background())
	waitFor(t, "beta's ID at the new node's address", func() bool {
		ms, err := a.App().Store.Members(ctx)
		if err != nil || len(ms) != 2 {
			return false
		}
		for _, m := range ms {
			if m.ID == id {
				return m.Addr == n.Addr() && m.Reachable
			}
		}
		return false
	})
}
