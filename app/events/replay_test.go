package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// notes is a projection for these tests: per stream, the texts added since
// the last clear, in table test_notes.
type notes struct {
	fromSnapshot int
}

type noteFold struct {
	Stream  string   `json:"stream"`
	V       int64    `json:"v"`
	Texts   []string `json:"texts"`
	Cleared bool     `json:"cleared"`
}

func (*notes) Name() string   { return "notes" }
func (*notes) Prefix() string { return "note/" }
func (*notes) Reset() []db.Statement {
	return []db.Statement{db.Stmt(`DELETE FROM test_notes`)}
}

func (p *notes) NewFold(stream string, snap *db.Snapshot) (events.Fold, error) {
	f := &noteFold{Stream: stream, Texts: []string{}}
	if snap != nil {
		p.fromSnapshot++
		if err := json.Unmarshal(snap.State, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (*notes) Write(folds []events.Fold) ([]db.Statement, error) {
	var out []db.Statement
	for _, f := range folds {
		nf := f.(*noteFold)
		out = append(out, db.Stmt(`INSERT INTO test_notes (stream, n, texts) VALUES (?, ?, ?)`, nf.Stream, nf.V, strings.Join(nf.Texts, ",")))
	}
	return out, nil
}

func (f *noteFold) Version() int64        { return f.V }
func (f *noteFold) Skip(ev *events.Event) { f.V = ev.Version }
func (f *noteFold) Ended() bool           { return false }
func (f *noteFold) Snapshot() (int, json.RawMessage, error) {
	b, err := json.Marshal(f)
	return 1, b, err
}

func (f *noteFold) Apply(ev *events.Event, p events.Payload) error {
	switch p := p.(type) {
	case *noteAdded:
		f.Texts = append(f.Texts, p.Text)
	case *noteCleared:
		if len(f.Texts) == 0 {
			return errors.New("nothing to clear")
		}
		f.Texts = []string{}
	}
	f.V = ev.Version
	return nil
}

func notesTable(t *testing.T, st *db.Store) {
	t.Helper()
	if _, err := st.Execute(context.Background(), db.Stmt(`CREATE TABLE test_notes (stream TEXT PRIMARY KEY, n INTEGER, texts TEXT)`)); err != nil {
		t.Fatal(err)
	}
}

func noteRows(t *testing.T, st *db.Store) string {
	t.Helper()
	rows, err := st.Query(context.Background(), `SELECT stream, n, texts FROM test_notes ORDER BY stream`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows.Values {
		fmt.Fprintf(&b, "%s=%v:%s;", r...)
	}
	return b.String()
}

// raw appends events as they are, whatever their payload: old versions,
// corrupt ones, unknown types.
func raw(t *testing.T, st *db.Store, stream string, expected int64, evs ...*events.Event) {
	t.Helper()
	for _, ev := range evs {
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
		ev.Node, ev.Actor = "n", "test"
	}
	if err := st.AppendStreams(context.Background(), []db.StreamAppend{{Stream: stream, Expected: expected, Events: evs}}); err != nil {
		t.Fatal(err)
	}
}

func TestReplayUpcastsOldPayloads(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	notesTable(t, st)
	raw(t, st, "note/a", 0,
		&events.Event{Type: "note.added", Schema: 1, Payload: []byte(`{"body":"written by v1"}`)},
		&events.Event{Type: "note.added", Schema: 2, Payload: []byte(`{"text":"written by v2"}`)})
	if _, err := l.Append(ctx, "note/b", 0, note(t, l, "current")); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Replay(ctx, events.ReplayOptions{}, &notes{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := noteRows(t, st), "note/a=2:written by v1,written by v2;note/b=1:current;"; got != want {
		t.Fatalf("rows = %s; want %s", got, want)
	}
	if rep.Events != 3 || rep.Streams != 2 || len(rep.Skipped) != 0 {
		t.Fatalf("report = %+v", rep)
	}
	states, _ := st.ProjectionStates(ctx)
	if len(states) != 1 || states[0].Name != "notes" || states[0].LastID != rep.LastID {
		t.Fatalf("projection state = %+v; report %+v", states, rep)
	}
}

func TestReplayReportsBadEvents(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	notesTable(t, st)
	if _, err := l.Append(ctx, "note/a", 0, note(t, l, "ok1")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Replay(ctx, events.ReplayOptions{}, &notes{}); err != nil {
		t.Fatal(err)
	}
	before := noteRows(t, st)
	bad := []*events.Event{
		{Type: "note.added", Schema: 2, Payload: []byte(`{"text": 42}`)},      // corrupt: wrong type
		{Type: "note.renamed", Schema: 1, Payload: []byte(`{}`)},              // unknown type
		{Type: "note.added", Schema: 3, Payload: []byte(`{"text":"future"}`)}, // unknown version
		{Type: "note.added", Schema: 2, Payload: []byte(`null`)},              // not an object
		{Type: "note.added", Schema: 2, Payload: []byte(`{"text":""}`)},       // fails validation
		{Type: "note.added", Schema: 2, Payload: []byte(`{"text":`)},          // not JSON
	}
	raw(t, st, "note/a", 1, bad...)
	if _, err := l.Append(ctx, "note/a", 7, note(t, l, "ok2")); err != nil {
		t.Fatal(err)
	}
	raw(t, st, "note/c", 0, &events.Event{Type: "note.cleared", Schema: 1, Payload: []byte(`{}`)}) // cannot apply

	// Stop: the first bad event is named, nothing changes.
	_, err := l.Replay(ctx, events.ReplayOptions{}, &notes{})
	var be *events.BadEventError
	if !errors.As(err, &be) || be.ID != bad[0].ID || be.Stream != "note/a" || be.Version != 2 || !errors.Is(err, events.ErrCorrupt) {
		t.Fatalf("replay: %v; want event %d reported", err, bad[0].ID)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("event %d ", bad[0].ID)) {
		t.Fatalf("error %q does not name the event id", err)
	}
	if got := noteRows(t, st); got != before {
		t.Fatalf("a stopped replay changed rows: %s -> %s", before, got)
	}

	// Skip: every bad event is listed, with its id and why; the rest lands.
	rep, err := l.Replay(ctx, events.ReplayOptions{Skip: true}, &notes{})
	if err != nil {
		t.Fatal(err)
	}
	want := []error{events.ErrCorrupt, events.ErrUnknownType, events.ErrUnknownSchema, events.ErrCorrupt, events.ErrCorrupt, events.ErrCorrupt, events.ErrInvalid}
	if len(rep.Skipped) != len(want) {
		t.Fatalf("skipped %d: %+v", len(rep.Skipped), rep.Skipped)
	}
	for i, s := range rep.Skipped {
		if i < len(bad) && s.ID != bad[i].ID {
			t.Errorf("skipped[%d] = event %d; want %d", i, s.ID, bad[i].ID)
		}
		if !errors.Is(s.Err, want[i]) || s.Reason == "" {
			t.Errorf("skipped[%d] = %v; want %v", i, s.Err, want[i])
		}
	}
	if got, want := noteRows(t, st), "note/a=8:ok1,ok2;note/c=1:;"; got != want {
		t.Fatalf("rows = %s; want %s", got, want)
	}
}

func TestReplayRefusesWhenEventsArriveMeanwhile(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	lo, hi := db.PrefixRange("note/")
	if _, err := l.Append(ctx, "note/a", 0, note(t, l, "x")); err != nil {
		t.Fatal(err)
	}
	evs, _ := l.Read(ctx, "note/a", 0)
	if _, err := st.Execute(ctx, db.ProjectionMarkStmt("notes", lo, hi, evs[0].ID, time.Now())); err != nil {
		t.Fatalf("mark at the last id: %v", err)
	}
	if _, err := l.Append(ctx, "note/a", 1, note(t, l, "y")); err != nil {
		t.Fatal(err)
	}
	_, err := st.Execute(ctx, db.ProjectionMarkStmt("notes", lo, hi, evs[0].ID, time.Now()))
	if !db.IsReplayRace(err) {
		t.Fatalf("mark behind the last id: %v; want a replay race", err)
	}
}

func TestPruneKeepsStreamsReplayable(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	st := dbtest.Open(t)
	reg, _ := events.NewRegistry(noteTypes()...)
	clock := now
	l := events.New(events.Config{Store: st, Registry: reg, Now: func() time.Time { return clock }})
	notesTable(t, st)
	for i := range 6 {
		clock = now.Add(time.Duration(i) * time.Hour)
		if _, err := l.Append(ctx, "note/a", int64(i), note(t, l, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	clock = now
	if _, err := l.Append(ctx, "note/old", 0, note(t, l, "only")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Replay(ctx, events.ReplayOptions{}, &notes{}); err != nil {
		t.Fatal(err)
	}
	want := noteRows(t, st)

	rep, err := l.Prune(ctx, now.Add(3*time.Hour+time.Minute), &notes{})
	if err != nil {
		t.Fatal(err)
	}
	// note/a: versions 1-4 are older; note/old keeps its last (only) event.
	if rep.Streams != 1 || rep.Events != 4 {
		t.Fatalf("prune = %+v", rep)
	}
	left, _ := l.Read(ctx, "note/a", 0)
	if len(left) != 2 || left[0].Version != 5 {
		t.Fatalf("left %d events from version %d", len(left), left[0].Version)
	}
	p := &notes{}
	if _, err := l.Replay(ctx, events.ReplayOptions{}, p); err != nil {
		t.Fatal(err)
	}
	if got := noteRows(t, st); got != want || p.fromSnapshot != 1 {
		t.Fatalf("after prune, replay = %s (from %d snapshots); want %s", got, p.fromSnapshot, want)
	}
	// Appends go on from the version the kept events hold.
	if _, err := l.Append(ctx, "note/a", 6, note(t, l, "6")); err != nil {
		t.Fatal(err)
	}
	f, err := l.Load(ctx, &notes{}, "note/a")
	if err != nil || f.Version() != 7 || len(f.(*noteFold).Texts) != 7 {
		t.Fatalf("load after prune = %+v, %v", f, err)
	}
}

// TestReplayManyPagesInOrder: events over several read pages, decoded a
// chunk at a time by several workers, are folded in id order, and each
// bad one is reported as itself.
func TestReplayManyPagesInOrder(t *testing.T) {
	ctx := context.Background()
	l, st := newLog(t)
	notesTable(t, st)
	const streams, per = 7, 3100 // 21,700 events: three pages
	want := map[string][]string{}
	var bad []int64
	for s := range streams {
		stream := fmt.Sprint("note/", s)
		var evs []*events.Event
		for i := range per {
			text := fmt.Sprint(s, ".", i)
			payload := fmt.Sprintf(`{"text":%q}`, text)
			if (s*per+i)%997 == 0 {
				payload = `{"text":` // corrupt
			} else {
				want[stream] = append(want[stream], text)
			}
			evs = append(evs, &events.Event{Type: "note.added", Schema: 2, Payload: []byte(payload)})
		}
		raw(t, st, stream, 0, evs...)
		for i, ev := range evs {
			if (s*per+i)%997 == 0 {
				bad = append(bad, ev.ID)
			}
		}
	}
	rep, err := l.Replay(ctx, events.ReplayOptions{Skip: true}, &notes{})
	if err != nil {
		t.Fatal(err)
	}
	var skipped []int64
	for _, b := range rep.Skipped {
		if !errors.Is(b.Err, events.ErrCorrupt) {
			t.Errorf("event %d skipped: %v", b.ID, b.Err)
		}
		skipped = append(skipped, b.ID)
	}
	if fmt.Sprint(skipped) != fmt.Sprint(bad) || rep.Events != streams*per-len(bad) {
		t.Fatalf("skipped %v, folded %d; want %v skipped, %d folded", skipped, rep.Events, bad, streams*per-len(bad))
	}
	var b strings.Builder
	for s := range streams {
		stream := fmt.Sprint("note/", s)
		fmt.Fprintf(&b, "%s=%d:%s;", stream, per, strings.Join(want[stream], ","))
	}
	if got := noteRows(t, st); got != b.String() {
		t.Fatalf("rows differ from the events in order (%d bytes against %d)", len(got), b.Len())
	}
}
