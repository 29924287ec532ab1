package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestOtherNodeReadsEndedTurn: a turn whose end one node recorded is part
// of the session on another node for its very next read: a question
// continued there is sent with it, and show and a dry run see it ended.
// Both nodes are followers, which apply a commit only when the leader
// next tells them of it (up to ~100 ms later on an idle cluster).
func TestOtherNodeReadsEndedTurn(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 3)
	nodes := []*env{
		envOn(t, stores[1], "node-b", session.Config{Instance: "p1"}),
		envOn(t, stores[2], "node-c", session.Config{Instance: "p1"}),
	}
	var id string
	for i := range 10 {
		w, r := nodes[i%2], nodes[(i+1)%2]
		ref := session.Ref(id)
		if id == "" {
			ref = session.RefNew
		}
		s, err := w.svc.Begin(ctx, ref, "/p", "cli")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(s.History()); got != 2*i {
			t.Fatalf("turn %d begun with %d history messages, want %d", i+1, got, 2*i)
		}
		id = s.ID()
		n := turn(t, s, fmt.Sprint("q", i), fmt.Sprint("a", i))

		// At once on the other node: the dry run's view, show's, and the
		// next question's.
		p, _, err := r.svc.Peek(ctx, session.Ref(id), "/p")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(p.History()); got != 2*(i+1) {
			t.Fatalf("turn %d ended on %s: Peek on the other node has %d history messages, want %d", n, w.log.Node(), got, 2*(i+1))
		}
		o, err := r.svc.Open(ctx, session.RefLast, "/p")
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Turns(ctx, n, n); len(got) != 1 || got[0].Status != db.TurnCompleted || got[0].Answer != fmt.Sprint("a", i) {
			t.Fatalf("turn %d ended on %s, shown on the other node: %+v", n, w.log.Node(), got)
		}
	}
}
