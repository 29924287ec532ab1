package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestClusterJoinUnderARunningMembersIDIsRefused: a new data dir holding a
// copy of a running member's node-id asks to join from another address.
// The leader refuses it, whether the ID is a follower's or its own, and
// whichever member the join goes through; the node stops at once with one
// line naming the ID, the member's address and what to do, and the member
// keeps its place.
func TestClusterJoinUnderARunningMembersIDIsRefused(t *testing.T) {
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	fs := followers(nodes, l)
	for _, tc := range []struct {
		name    string
		member  *node
		through *node
	}{
		{"a follower's ID, through the leader", fs[0], l},
		{"a follower's ID, through another follower", fs[0], fs[1]},
		{"the leader's ID, through a follower", l, fs[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, addr := tc.member.s.NodeID(), tc.member.addr
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "node-id"), []byte(id+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			copied := &node{t: t, dir: dir, addr: "127.0.0.1:0"}
			start := time.Now()
			err := copied.start([]string{tc.through.addr})
			if err == nil {
				copied.stop()
				t.Fatalf("a node with the ID of %s, running at %s, was admitted", id, addr)
			}
			took := time.Since(start)
			ue := usererr.As(err)
			if ue == nil || strings.Contains(ue.Msg, "\n") || !strings.Contains(ue.Msg, id) ||
				!strings.Contains(ue.Msg, "running at "+addr) || !strings.Contains(ue.Msg, "new data dir") {
				t.Fatalf("join under %s's ID: %v; want one line naming it, its address %s and a new data dir", id, err, addr)
			}
			var je *db.JoinError
			if !errors.As(err, &je) {
				t.Errorf("the refusal is no JoinError: %v", err)
			}
			if took > 5*time.Second {
				t.Errorf("the refusal came after %v; want at once, not when the open times out", took)
			}
			// The copied node-id was there before: the failed join keeps it.
			if b, err := os.ReadFile(filepath.Join(dir, "node-id")); err != nil || strings.TrimSpace(string(b)) != id {
				t.Errorf("node-id after the refusal: %q, %v; want the copy kept", b, err)
			}

			l := leader(t, nodes)
			ms, err := l.s.Members(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 3 {
				t.Errorf("members after the refusal: %+v; want the three", ms)
			}
			for _, m := range ms {
				if m.ID == id && (m.Addr != addr || !m.Reachable) {
					t.Errorf("member %s after the refusal: at %s, reachable %v; want it at %s, running", id, m.Addr, m.Reachable, addr)
				}
			}
			if tc.member.s.Status().Removed {
				t.Errorf("%s thinks it was removed", id)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := putNode(ctx, tc.member.s, "after-"+strings.ReplaceAll(tc.name, " ", "-")); err != nil {
				t.Errorf("write on %s after the refusal: %v", id, err)
			}
		})
	}
}

// TestClusterMemberRejoinsAtNewAddress: a member stopped and started again
// from its data dir at another address (a new IP), joining through a
// member, is admitted at the new address: nothing answers at the old one.
func TestClusterMemberRejoinsAtNewAddress(t *testing.T) {
	nodes := newCluster(t, 3, nil)
	l := leader(t, nodes)
	f := followers(nodes, l)[0]
	id, old := f.s.NodeID(), f.addr
	f.stop()
	f.addr = "127.0.0.1:0"
	if err := f.start([]string{l.addr}); err != nil {
		t.Fatalf("restart at a new address: %v", err)
	}
	if f.addr == old {
		t.Fatalf("restarted at the same address %s", old)
	}
	poll(t, 10*time.Second, "the member at its new address", func() bool {
		ms, err := l.s.Members(context.Background())
		if err != nil || len(ms) != 3 {
			return false
		}
		for _, m := range ms {
			if m.ID == id {
				return m.Addr == f.addr && m.Reachable
			}
		}
		return false
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := putNode(ctx, f.s, "moved"); err != nil {
		t.Errorf("write on the moved member: %v", err)
	}
}
