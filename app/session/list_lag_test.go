package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestOtherNodeListsEndedTurn: session list on another node, right after
// a turn ended, shows the session with that turn counted (both nodes are
// followers, which apply a commit only when the leader next tells them).
func TestOtherNodeListsEndedTurn(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 3)
	w := envOn(t, stores[1], "node-b", session.Config{Instance: "p1"})
	r := envOn(t, stores[2], "node-c", session.Config{Instance: "p1"})
	for i := range 10 {
		s, err := w.svc.Begin(ctx, session.RefNew, "/p", "cli")
		if err != nil {
			t.Fatal(err)
		}
		turn(t, s, fmt.Sprint("q", i), fmt.Sprint("a", i))
		list, err := r.svc.List(ctx, session.ListOptions{Project: "/p"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != i+1 || list[0].ID != s.ID() || list[0].Turns != 1 {
			t.Fatalf("session %d listed on the other node right after its turn: %d sessions, first %+v; want %d, %s with 1 turn", i+1, len(list), list[0], i+1, s.ID())
		}
	}
}
