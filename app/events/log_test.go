package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// rqlite's package-level worker outlives any one store.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/internal/rsync.(*PollTrue).Run"),
	)
}

// note.added is at version 2: version 1 called the text "body".
type noteAdded struct {
	Text string `json:"text"`
}

func (*noteAdded) EventType() string { return "note.added" }

func (n *noteAdded) Validate() error {
	if n.Text == "" {
		return errors.New("empty note")
	}
	return nil
}

type noteCleared struct{}

func (*noteCleared) EventType() string { return "note.cleared" }

func noteTypes() []events.Type {
	return []events.Type{
		{Name: "note.added", Version: 2, New: func() events.Payload { return new(noteAdded) },
			Upcast: []events.Upcaster{func(old json.RawMessage) (json.RawMessage, error) {
				var v1 struct {
					Body string `json:"body"`
				}
				if err := json.Unmarshal(old, &v1); err != nil {
					return nil, err
				}
				return json.Marshal(noteAdded{Text: v1.Body})
			}}},
		{Name: "note.cleared", Version: 1, New: func() events.Payload { return new(noteCleared) }},
	}
}

func newLog(t testing.TB) (*events.Log, *db.Store) {
	t.Helper()
	st := dbtest.Open(t)
	reg, err := events.NewRegistry(noteTypes()...)
	if err != nil {
		t.Fatal(err)
	}
	return events.New(events.Config{Store: st, Registry: reg}), st
}

func note(t testing.TB, l *events.Log, text string) *events.Event {
	t.Helper()
	ev, err := l.NewEvent(&noteAdded{Text: text}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestAppendChecksExpectedVersion(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	v, err := l.Append(ctx, "note/a", 0, note(t, l, "one"), note(t, l, "two"))
	if err != nil || v != 2 {
		t.Fatalf("first append = %d, %v; want 2", v, err)
	}
	// A writer that read version 1 loses, and nothing of its transaction
	// lands — not even the statements that came with the events.
	mark := db.Stmt(`INSERT INTO projection_state (name, last_id, replayed_at) VALUES ('x', 1, 1)`)
	err = l.AppendBatch(ctx, []events.StreamAppend{{Stream: "note/a", Expected: 1, Events: []*events.Event{note(t, l, "late")}}}, mark)
	var ce *events.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, events.ErrConflict) {
		t.Fatalf("stale append: %v; want a ConflictError", err)
	}
	if ce.Stream != "note/a" || ce.Expected != 1 || ce.Actual != 2 {
		t.Fatalf("conflict = %+v", ce)
	}
	if states, _ := st.ProjectionStates(ctx); len(states) != 0 {
		t.Fatalf("the conflicting transaction's other statements landed: %+v", states)
	}
	// A stream that must be new, but is not.
	if _, err := l.Append(ctx, "note/a", 0, note(t, l, "again")); !errors.Is(err, events.ErrConflict) {
		t.Fatalf("append to an existing stream as new: %v", err)
	}
	// Retrying from the version read again works.
	if v, err = l.Append(ctx, "note/a", 2, note(t, l, "three")); err != nil || v != 3 {
		t.Fatalf("retry = %d, %v", v, err)
	}
	evs, err := l.Read(ctx, "note/a", 0)
	if err != nil || len(evs) != 3 {
		t.Fatalf("Read = %d events, %v", len(evs), err)
	}
	for i, ev := range evs {
		if ev.Version != int64(i+1) || ev.Type != "note.added" || ev.Schema != 2 || ev.Node != st.NodeID() || ev.Actor != "test" {
			t.Errorf("event %d = %+v", i, ev)
		}
	}
	// AnyVersion does not check.
	if _, err := l.Append(ctx, "note/a", events.AnyVersion, note(t, l, "any")); err != nil {
		t.Fatal(err)
	}
	if v, _ := l.Version(ctx, "note/a"); v != 4 {
		t.Fatalf("version = %d, want 4", v)
	}
}

// TestConcurrentWriters: writers that read, append with the version they
// read, and on a conflict read again and retry, never lose or interleave
// an increment.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t)
	const writers, each = 4, 15
	var wg sync.WaitGroup
	conflicts := make([]int, writers)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				for {
					v, err := l.Version(ctx, "note/shared")
					if err != nil {
						errs <- err
						return
					}
					_, err = l.Append(ctx, "note/shared", v, note(t, l, fmt.Sprintf("w%d-%d", w, i)))
					if errors.Is(err, events.ErrConflict) {
						conflicts[w]++
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, err := l.Read(ctx, "note/shared", 0)
	if err != nil || len(evs) != writers*each {
		t.Fatalf("%d events, %v; want %d", len(evs), err, writers*each)
	}
	seen := map[string]bool{}
	for i, ev := range evs {
		if ev.Version != int64(i+1) {
			t.Fatalf("event %d has version %d", i, ev.Version)
		}
		if seen[string(ev.Payload)] {
			t.Fatalf("%s appended twice", ev.Payload)
		}
		seen[string(ev.Payload)] = true
	}
	t.Logf("conflicts retried per writer: %v", conflicts)
}

// TestAppendBatchSpansChunks: a batch larger than one INSERT carries is
// checked chunk by chunk against the versions the chunks before it left.
func TestAppendBatchSpansChunks(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t)
	mk := func(n int) []*events.Event {
		out := make([]*events.Event, n)
		for i := range out {
			out[i] = note(t, l, fmt.Sprint(i))
		}
		return out
	}
	if _, err := l.Append(ctx, "note/x", 0, mk(3)...); err != nil {
		t.Fatal(err)
	}
	apps := []events.StreamAppend{
		{Stream: "note/y", Expected: 0, Events: mk(4000)},
		{Stream: "note/x", Expected: 3, Events: mk(7000)},
	}
	if err := l.AppendBatch(ctx, apps); err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		for i, ev := range a.Events {
			if ev.Version != a.Expected+int64(i)+1 || ev.ID == 0 {
				t.Fatalf("%s event %d: version %d id %d", a.Stream, i, ev.Version, ev.ID)
			}
		}
	}
	got, err := l.Read(ctx, "note/x", 0)
	if err != nil || len(got) != 7003 || got[7002].Version != 7003 || got[7002].ID != apps[1].Events[6999].ID {
		t.Fatalf("note/x: %d events, %v", len(got), err)
	}
	// A stale expectation in the second stream fails the whole batch.
	err = l.AppendBatch(ctx, []events.StreamAppend{
		{Stream: "note/z", Expected: 0, Events: mk(6000)},
		{Stream: "note/y", Expected: 3999, Events: mk(2)},
	})
	var ce *events.ConflictError
	if !errors.As(err, &ce) || ce.Stream != "note/y" || ce.Actual != 4000 {
		t.Fatalf("stale batch: %v", err)
	}
	if v, _ := l.Version(ctx, "note/z"); v != 0 {
		t.Fatalf("note/z has %d events after a failed batch", v)
	}
}

func TestLoadFromSnapshot(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	for i := range 5 {
		if _, err := l.Append(ctx, "note/s", int64(i), note(t, l, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	p := &notes{}
	f, err := l.LoadThrough(ctx, p, "note/s", 3)
	if err != nil || f.Version() != 3 || len(f.(*noteFold).Texts) != 3 {
		t.Fatalf("LoadThrough 3 = %+v, %v", f, err)
	}
	sn, err := l.SnapshotStmt("note/s", f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Execute(ctx, sn); err != nil {
		t.Fatal(err)
	}
	p.fromSnapshot = 0
	f, err = l.Load(ctx, p, "note/s")
	if err != nil || f.Version() != 5 || len(f.(*noteFold).Texts) != 5 || p.fromSnapshot != 1 {
		t.Fatalf("Load = %+v (from snapshot %d), %v", f, p.fromSnapshot, err)
	}
}

func TestNewEventTimeIsStoredPrecision(t *testing.T) {
	st := dbtest.Open(t)
	reg, _ := events.NewRegistry(noteTypes()...)
	at := time.Date(2025, 3, 4, 5, 6, 7, 891234567, time.FixedZone("x", 3600))
	l := events.New(events.Config{Store: st, Registry: reg, Now: func() time.Time { return at }})
	ev := note(t, l, "t")
	if !ev.Time.Equal(time.UnixMilli(at.UnixMilli())) || ev.Time.Location() != time.UTC {
		t.Fatalf("time = %v", ev.Time)
	}
}
