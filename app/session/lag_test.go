package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestEndedTurnNotOrphaned: a copy of a session read while its turn ran
// (as a follower's store still shows it for a moment after the end) does
// not show the turn as interrupted once this process has ended it.
func TestEndedTurnNotOrphaned(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{Instance: "p1"})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := e.svc.Open(ctx, session.RefLast, "/p")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := stale.Turns(ctx, n, n)[0]; got.Orphaned || got.Status == db.TurnInterrupted {
		t.Fatalf("a turn this process ended shows as %s (orphaned %v)", got.Status, got.Orphaned)
	}
}

// TestFollowerReadsOwnTurns: on a follower, a session read right after
// this process's turn ended shows the turn completed, every time.
func TestFollowerReadsOwnTurns(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 2)
	e := envOn(t, stores[1], "node-b", session.Config{Instance: "p1"}) // a follower
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	for i := range 20 {
		n := turn(t, s, fmt.Sprint("q", i), fmt.Sprint("a", i))
		o, err := e.svc.Open(ctx, session.Ref(s.ID()), "/p")
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Turns(ctx, n, n); len(got) != 1 || got[0].Status != db.TurnCompleted || got[0].Answer != fmt.Sprint("a", i) {
			t.Fatalf("turn %d read back on the follower: %+v", n, got)
		}
	}
}
