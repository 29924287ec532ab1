package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestManyWritersOneSession: 16 questions asked at once in one session,
// through the leader and a follower of a cluster, all get their turns,
// and every turn ends completed: writers that lose the race for the
// stream's next version read it again and retry until they land.
func TestManyWritersOneSession(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 2)
	a := envOn(t, stores[0], "node-a", session.Config{}) // the leader
	b := envOn(t, stores[1], "node-b", session.Config{}) // a follower
	s, _ := a.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "first", "1")

	const writers = 16
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Go(func() {
			// As aiex ask does: each question begins the session afresh.
			sess, err := e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
			if err != nil {
				errs <- fmt.Errorf("writer %d: begin: %w", i, err)
				return
			}
			n, err := sess.RecordTurnStarted(ctx, session.TurnStart{Prompt: fmt.Sprint("c ", i)})
			if err != nil {
				errs <- fmt.Errorf("writer %d: start: %w", i, err)
				return
			}
			if err := sess.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: fmt.Sprint("a ", i)}); err != nil {
				errs <- fmt.Errorf("writer %d: record turn %d: %w", i, n, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	o, err := a.svc.Open(ctx, session.Ref(s.ID()), "/p")
	if err != nil {
		t.Fatal(err)
	}
	turns := o.Turns(ctx, 1, 0)
	if len(turns) != writers+1 {
		t.Fatalf("%d turns; want %d", len(turns), writers+1)
	}
	prompts := map[string]bool{}
	for _, tr := range turns {
		if tr.Status != db.TurnCompleted {
			t.Errorf("turn %d (%q) is %s", tr.N, tr.Prompt, tr.Status)
		}
		if prompts[tr.Prompt] {
			t.Errorf("prompt %q recorded twice", tr.Prompt)
		}
		prompts[tr.Prompt] = true
	}
	sessiontest.CheckReplay(t, a.log, a.st)
}

// TestTurnEndRecordedLate: a turn whose end could not be recorded in
// time (its caller gave up waiting) is not left running: the process
// keeps recording it, and the answer lands.
func TestTurnEndRecordedLate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.RecordTurnCompleted(gone, n, session.TurnResult{Answer: "late"}); err == nil {
		t.Fatal("recording with a cancelled context succeeded at once")
	}
	sessiontest.WaitTurn(t, e.log, e.st, s.ID(), n, db.TurnCompleted, 20*time.Second)
	o, _ := e.svc.Open(ctx, session.Ref(s.ID()), "/p")
	if tr := o.Turns(ctx, n, n)[0]; tr.Answer != "late" {
		t.Fatalf("turn %+v", tr)
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}

// TestArchiveOnOneNodeUnarchiveOnAnother: a session archived through one
// follower and at once unarchived through another is active again, and
// its log says so, every time: the second follower's copy, a moment
// behind, still shows it active, and deciding on that copy would take
// the unarchive for a no-op. Unarchiving an active session says that it
// is not archived.
func TestArchiveOnOneNodeUnarchiveOnAnother(t *testing.T) {
	ctx := context.Background()
	stores := dbtest.OpenCluster(t, 3)
	a := envOn(t, stores[0], "node-a", session.Config{})
	b := envOn(t, stores[1], "node-b", session.Config{})
	c := envOn(t, stores[2], "node-c", session.Config{})
	s, _ := a.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "q", "a")
	for _, e := range []*env{b, c} {
		sessiontest.WaitTurn(t, e.log, e.st, s.ID(), 1, db.TurnCompleted, 10*time.Second)
	}
	ref := session.Ref(s.ID())
	for round := range 5 {
		if _, err := b.svc.Archive(ctx, ref, "/p", "cli"); err != nil {
			t.Fatalf("round %d: archive on b: %v", round, err)
		}
		info, err := c.svc.Unarchive(ctx, ref, "/p", "cli")
		if err != nil || info.Status != db.SessionActive {
			t.Fatalf("round %d: unarchive on c right after: %+v, %v", round, info, err)
		}
		row, _, err := a.st.Session(ctx, s.ID())
		if err != nil || row.Status != db.SessionActive {
			t.Fatalf("round %d: after unarchive on c the leader has the session %s (%v)", round, row.Status, err)
		}
	}
	evs, err := a.log.Read(ctx, session.Stream(s.ID()), 0)
	if err != nil {
		t.Fatal(err)
	}
	var unarchived int
	for _, ev := range evs {
		if ev.Type == "session.unarchived" {
			unarchived++
		}
	}
	if unarchived != 5 {
		t.Fatalf("%d session.unarchived events; want 5", unarchived)
	}
	_, err = c.svc.Unarchive(ctx, ref, "/p", "cli")
	if ue := usererr.As(err); !errors.Is(err, session.ErrNotArchived) || ue == nil ||
		!strings.HasPrefix(ue.Msg, "session "+s.ID()+" is not archived") {
		t.Fatalf("unarchiving an active session: %v", err)
	}
	sessiontest.CheckReplay(t, a.log, a.st)
}
