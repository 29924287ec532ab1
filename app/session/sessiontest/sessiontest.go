// Package sessiontest has helpers for tests of sessions and the event
// log: a Service over a test store, a dump of the projections to compare,
// a check that replaying the log rebuilds them exactly, and a wait for a
// turn to reach a status (by subscription, not sleeping).
package sessiontest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// Registry is a registry of the session event types.
func Registry(t testing.TB) *events.Registry {
	t.Helper()
	r, err := events.NewRegistry(session.Types()...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// New returns an event log and a session Service over st; cfg's Log and
// Store are filled in, the rest is used as given. The Service is closed
// when the test ends.
func New(t testing.TB, st *db.Store, cfg session.Config) (*events.Log, *session.Service) {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = events.New(events.Config{Store: st, Registry: Registry(t)})
	}
	cfg.Store = st
	svc := session.New(cfg)
	t.Cleanup(svc.Close)
	return cfg.Log, svc
}

// projectionTables and their orders: what Dump reads.
var projectionTables = []struct{ table, order string }{
	{"sessions", "id"},
	{"session_turns", "session_id, turn"},
	{"session_usage", "session_id, provider, model"},
	{"event_snapshots", "stream"},
}

// Dump is every row of the session projections and the snapshots, one
// line per row in key order, to compare two states of the store.
func Dump(t testing.TB, st *db.Store) string {
	t.Helper()
	var b strings.Builder
	for _, tb := range projectionTables {
		rows, err := st.Query(context.Background(), `SELECT * FROM `+tb.table+` ORDER BY `+tb.order)
		if err != nil {
			t.Fatalf("dump %s: %v", tb.table, err)
		}
		fmt.Fprintf(&b, "== %s (%d rows)\n", tb.table, len(rows.Values))
		for _, r := range rows.Values {
			for i, v := range r {
				if i > 0 {
					b.WriteByte(' ')
				}
				if s, ok := v.(string); ok {
					fmt.Fprintf(&b, "%q", s)
				} else {
					fmt.Fprintf(&b, "%v", v)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// CheckReplay replays the sessions projection from log's store and fails
// t if the projections (and snapshots) differ in any byte from what live
// writes left. The store is left replayed.
func CheckReplay(t testing.TB, log *events.Log, st *db.Store) *events.ReplayReport {
	t.Helper()
	before := Dump(t, st)
	rep, err := log.Replay(context.Background(), events.ReplayOptions{}, session.Projection())
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if after := Dump(t, st); after != before {
		t.Errorf("replay changed the projections (-live +replayed):\n%s", cmp.Diff(before, after))
	}
	return rep
}

// WaitTurn waits until turn n of session id has status in the
// projections (as this node sees them), following the log rather than
// sleeping; it fails t after timeout.
func WaitTurn(t testing.TB, log *events.Log, st *db.Store, id string, n int64, status string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := func() bool {
		turns, err := st.SessionTurns(ctx, id, n, n)
		return err == nil && len(turns) == 1 && turns[0].Status == status
	}
	// Take the high-water mark before looking, so that an event appended
	// in between is not missed.
	from, err := st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done() {
		return
	}
	errDone := fmt.Errorf("done")
	err = log.Subscribe(ctx, []string{session.Stream(id)}, from, func([]events.Event) error {
		if done() {
			return errDone
		}
		return nil
	})
	if err != errDone && !done() {
		t.Fatalf("turn %d of session %s did not become %s within %s: %v", n, id, status, timeout, err)
	}
}

// AfterCrash checks a store after the process that wrote the last session
// of project was killed: it continues that session as the next process
// would (session.Service.Begin, which marks the turns the dead process
// left running as interrupted) and fails t unless its turns are numbered
// 1..n with no prompt twice, at least started of them exist, every turn
// in acked is completed (with acked's answer, unless that is ""), none is
// still running, and a replay rebuilds the projections byte for byte. It
// returns the turns. Open st after the writer is dead (it holds the data
// dir's lock until then).
func AfterCrash(t testing.TB, st *db.Store, project string, acked map[int64]string, started int64) []session.Turn {
	t.Helper()
	ctx := context.Background()
	log, svc := New(t, st, session.Config{})
	s, err := svc.Begin(ctx, session.RefLast, project, "test")
	if err != nil {
		t.Fatalf("continue after the crash: %v", err)
	}
	turns := s.Turns(ctx, 1, 0)
	prompts := map[string]bool{}
	for i, tr := range turns {
		switch {
		case tr.N != int64(i+1):
			t.Fatalf("turn %d is numbered %d", i+1, tr.N)
		case prompts[tr.Prompt]:
			t.Fatalf("turn %d repeats the prompt %q", tr.N, tr.Prompt)
		case tr.Status == db.TurnRunning:
			t.Fatalf("turn %d is still running after the crash", tr.N)
		}
		prompts[tr.Prompt] = true
		if answer, ok := acked[tr.N]; ok && (tr.Status != db.TurnCompleted || (answer != "" && tr.Answer != answer)) {
			t.Fatalf("acknowledged turn %d is %s with %q", tr.N, tr.Status, tr.Answer)
		}
	}
	if int64(len(turns)) < started {
		t.Fatalf("%d turns, but turn %d had started", len(turns), started)
	}
	for n := range acked {
		if n > int64(len(turns)) {
			t.Fatalf("acknowledged turn %d is lost", n)
		}
	}
	CheckReplay(t, log, st)
	return turns
}
