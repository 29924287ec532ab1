package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/db"
)

// scenario writes sessions that exercise every event type and path:
// completed, interrupted (by the owner, and as an orphan, then answered
// late), failed turns, contexts, two models, a second node, archive,
// unarchive, removal, snapshots. It returns the ids of the sessions.
func scenario(t *testing.T, a, b *env) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	ctxSum := &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 1200, Dropped: 2,
		Chunks: []session.ContextChunk{{Path: "lib/a.ex", Name: "MyApp.A.run/1", Kind: "function", Form: "full", StartLine: 3, EndLine: 9, Tokens: 80}}}

	s1, _ := a.svc.Begin(ctx, session.RefNew, "/p", "cli")
	ids = append(ids, s1.ID())
	n, _ := s1.RecordTurnStarted(ctx, session.TurnStart{Prompt: "explain run/1", Context: ctxSum})
	must(t, s1.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "It runs.", Provider: "ollama", Model: "tiny", Node: "node-a",
		InteractionID: "i1", PromptTokens: 1200, CompletionTokens: 40, TTFTMillis: 12, TotalMillis: 340}))
	n, _ = s1.RecordTurnStarted(ctx, session.TurnStart{Prompt: "and then?", Provider: "openai", Model: "gpt-4o"})
	must(t, s1.RecordTurnInterrupted(ctx, n, session.TurnResult{Answer: "Then it", Provider: "openai", Model: "gpt-4o",
		PromptTokens: 50, CompletionTokens: 3, CostUSD: 0.0001555, Reason: "cancelled"}))
	// The answer arrives after all, with escapes this time, and with the
	// context that went (replacing none).
	must(t, s1.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "Then it\n\"stops\".", Provider: "openai",
		Model: "gpt-4o", PromptTokens: 50, CompletionTokens: 9, Context: &session.ContextSummary{Tokens: 50,
			Chunks: []session.ContextChunk{{Path: "lib/<a>&\"b\".ex", Name: "é\n🎉", Tokens: 50}}}}))
	// A context given with the answer replaces the one the turn started
	// with.
	n, _ = s1.RecordTurnStarted(ctx, session.TurnStart{Prompt: "which context?", Context: ctxSum})
	must(t, s1.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "the second", Provider: "ollama", Model: "tiny",
		Context: &session.ContextSummary{Tokens: 1}}))
	n, _ = s1.RecordTurnStarted(ctx, session.TurnStart{Prompt: "retry"})
	must(t, s1.RecordTurnFailed(ctx, n, session.TurnResult{Reason: "no provider reachable"}))
	// node-b continues it.
	sb, err := b.svc.Begin(ctx, session.Ref(s1.ID()), "/p", "tui")
	must(t, err)
	turn(t, sb, "from the other node", "hello from b")

	// A turn orphaned by a process that ended, then answered late.
	s2, _ := a.svc.Begin(ctx, session.RefNew, "/p", "lsp")
	ids = append(ids, s2.ID())
	turn(t, s2, "first", "1")
	n2, _ := s2.RecordTurnStarted(ctx, session.TurnStart{Prompt: "orphan"})
	later := envOn(t, a.st, "node-a", session.Config{SnapshotEvery: 3})
	c, err := later.svc.Begin(ctx, session.Ref(s2.ID()), "/p", "cli")
	must(t, err)
	turn(t, c, "after", "2")
	must(t, s2.RecordTurnCompleted(ctx, n2, session.TurnResult{Answer: "late", Provider: "openai", Model: "gpt-4o", CostUSD: 0.01}))

	// Archived.
	s3, _ := a.svc.Begin(ctx, session.RefNew, "/q", "cli")
	ids = append(ids, s3.ID())
	turn(t, s3, "old", "news")
	_, err = a.svc.Archive(ctx, session.Ref(s3.ID()), "/q", "cli")
	must(t, err)

	// Archived, unarchived, continued.
	s4, _ := a.svc.Begin(ctx, session.RefNew, "/q", "cli")
	ids = append(ids, s4.ID())
	turn(t, s4, "x", "y")
	_, err = a.svc.Archive(ctx, session.Ref(s4.ID()), "/q", "cli")
	must(t, err)
	_, err = b.svc.Unarchive(ctx, session.Ref(s4.ID()), "/q", "web")
	must(t, err)
	s4b, err := b.svc.Begin(ctx, session.Ref(s4.ID()), "/q", "web")
	must(t, err)
	for i := range 4 {
		turn(t, s4b, fmt.Sprint("more ", i), "ok")
	}

	// Text that JSON, SQL literals and SQLite's ->> must all carry exactly.
	hostile := "it's \"quoted\" \\ back\\slash\n\ttab \x00nul <b>&amp; \u2028 🎉 \xff bad utf8 '); DROP TABLE x; --"
	turn(t, s4b, hostile, hostile+hostile)

	// Removed.
	s5, _ := a.svc.Begin(ctx, session.RefNew, "/q", "cli")
	ids = append(ids, s5.ID())
	turn(t, s5, "secret", "gone")
	_, err = a.svc.Remove(ctx, session.Ref(s5.ID()), "/q", "cli")
	must(t, err)
	return ids
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplayEqualsLive drops the projections, replays the log, and
// compares every row (and snapshot) with what the live writes left.
func TestReplayEqualsLive(t *testing.T) {
	ctx := context.Background()
	a := newEnv(t, session.Config{SnapshotEvery: 3})
	b := envOn(t, a.st, "node-b", session.Config{SnapshotEvery: 3})
	scenario(t, a, b)
	live := sessiontest.Dump(t, a.st)
	if !strings.Contains(live, "event_snapshots (") || strings.Contains(live, "event_snapshots (0 rows)") {
		t.Fatalf("the scenario took no snapshot:\n%s", live)
	}

	if _, err := a.st.Execute(ctx, db.ClearSessionsStmts()...); err != nil {
		t.Fatal(err)
	}
	if dropped := sessiontest.Dump(t, a.st); !strings.Contains(dropped, "sessions (0 rows)") {
		t.Fatalf("not dropped:\n%s", dropped)
	}
	rep, err := a.log.Replay(ctx, events.ReplayOptions{}, session.Projection())
	if err != nil {
		t.Fatal(err)
	}
	if got := sessiontest.Dump(t, a.st); got != live {
		t.Fatalf("replayed projections differ from live ones.\nlive:\n%s\nreplayed:\n%s", live, got)
	}
	if rep.Streams != 5 || rep.Events == 0 || len(rep.Skipped) != 0 {
		t.Fatalf("report = %+v", rep)
	}
	// A second replay over replayed projections changes nothing either.
	sessiontest.CheckReplay(t, a.log, a.st)
}

// TestRetentionThroughSnapshots prunes old events and checks that the
// projections still replay to the same rows, that sessions go on, and
// that removed sessions go whole.
func TestRetentionThroughSnapshots(t *testing.T) {
	ctx := context.Background()
	a := newEnv(t, session.Config{SnapshotEvery: 1000})
	b := envOn(t, a.st, "node-b", session.Config{SnapshotEvery: 1000})
	ids := scenario(t, a, b)
	cut := a.clock.Now().Add(time.Hour) // every event is older
	live := sessiontest.Dump(t, a.st)

	rep, err := a.log.Prune(ctx, cut, session.Projection())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ended != 1 || rep.Streams != 4 || rep.Events == 0 {
		t.Fatalf("prune = %+v", rep)
	}
	for _, id := range ids[:4] {
		evs, _ := a.log.Read(ctx, session.Stream(id), 0)
		sn, ok, _ := a.st.Snapshot(ctx, session.Stream(id))
		if len(evs) != 1 || !ok || sn.Pruned != evs[0].Version-1 {
			t.Fatalf("%s: %d events left, snapshot %+v", id, len(evs), sn)
		}
	}
	if evs, _ := a.log.Read(ctx, session.Stream(ids[4]), 0); len(evs) != 0 {
		t.Fatalf("the removed session keeps %d events", len(evs))
	}
	pruned := sessiontest.Dump(t, a.st) // snapshots changed; rows did not
	if rowsOf(pruned) != rowsOf(live) {
		t.Fatalf("prune changed projection rows")
	}
	if _, err := a.st.Execute(ctx, db.ClearSessionsStmts()...); err != nil {
		t.Fatal(err)
	}
	if _, err := a.log.Replay(ctx, events.ReplayOptions{}, session.Projection()); err != nil {
		t.Fatal(err)
	}
	if got := sessiontest.Dump(t, a.st); got != pruned {
		t.Fatalf("replay after prune differs:\nwant:\n%s\ngot:\n%s", pruned, got)
	}
	// Sessions go on; archived ones still open.
	s, err := a.svc.Begin(ctx, session.Ref(ids[0]), "/p", "cli")
	must(t, err)
	turn(t, s, "after prune", "fine")
	if o, err := a.svc.Open(ctx, session.Ref(ids[2]), "/q"); err != nil || len(o.Turns(ctx, 1, 0)) != 1 {
		t.Fatalf("open a pruned archived session: %v", err)
	}
	_, err = a.svc.Unarchive(ctx, session.Ref(ids[2]), "/q", "cli")
	must(t, err)
	sessiontest.CheckReplay(t, a.log, a.st)
}

// rowsOf is a dump without its snapshots.
func rowsOf(dump string) string {
	i := strings.Index(dump, "== event_snapshots")
	return dump[:i]
}

func TestReplayCorruptSessionEvent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "q", "a")
	stream := session.Stream(s.ID())
	bad := []*events.Event{
		{Type: session.TypeTurnCompleted, Schema: 1, Payload: []byte(`{"turn":"two"}`), Node: "n", Actor: "x", Time: time.Now()},
		{Type: "turn.renamed", Schema: 1, Payload: []byte(`{}`), Node: "n", Actor: "x", Time: time.Now()},
	}
	must(t, e.st.AppendStreams(ctx, []db.StreamAppend{{Stream: stream, Expected: 3, Events: bad}}))
	live := sessiontest.Dump(t, e.st)

	_, err := e.log.Replay(ctx, events.ReplayOptions{}, session.Projection())
	var be *events.BadEventError
	if !errors.As(err, &be) || be.ID != bad[0].ID || !strings.Contains(err.Error(), fmt.Sprint("event ", bad[0].ID)) {
		t.Fatalf("replay: %v; want event %d named", err, bad[0].ID)
	}
	if got := sessiontest.Dump(t, e.st); got != live {
		t.Fatal("a stopped replay changed the projections")
	}
	rep, err := e.log.Replay(ctx, events.ReplayOptions{Skip: true}, session.Projection())
	if err != nil || len(rep.Skipped) != 2 || rep.Skipped[0].ID != bad[0].ID || rep.Skipped[1].ID != bad[1].ID {
		t.Fatalf("replay with skip = %+v, %v", rep, err)
	}
	if !errors.Is(rep.Skipped[0].Err, events.ErrCorrupt) || !errors.Is(rep.Skipped[1].Err, events.ErrUnknownType) {
		t.Fatalf("skipped = %+v", rep.Skipped)
	}
	// The session's version moved past the skipped events: it goes on.
	c, err := e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
	if err != nil || c.Version() != 5 {
		t.Fatalf("Begin after skip: %v", err)
	}
	turn(t, c, "q2", "a2")
	// Loading from the log (not the rows) reports the bad event.
	if _, err := e.log.Load(ctx, session.Projection(), stream); !errors.Is(err, events.ErrCorrupt) {
		t.Fatalf("Load over a corrupt event: %v", err)
	}
}

// TestReplayHandWrittenPayloads: events whose JSON encoding/json did not
// write (duplicate keys, keys in other case, spaces, other escapes, keys
// in another order, NUL, lone surrogates) replay to the rows Go decodes
// from them — a replay copies a text from an event only where the bytes
// it names are that text.
func TestReplayHandWrittenPayloads(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	id := "0123456789ab"
	stream := session.Stream(id)
	payloads := []struct{ typ, json string }{
		{session.TypeStarted, `{"project":"/p"}`},
		// Go keeps the last of duplicate keys, and matches keys in any
		// case; SQLite's ->> the first, in this case.
		{session.TypeTurnStarted, `{"turn":1,"prompt":"first","prompt":"first, then this","owner":"o/1","key":"k1"}`},
		{session.TypeTurnCompleted, `{"turn":1,"answer":"a1\n","ANSWER":"a1\n, from the upper-case key","provider":"p","model":"m"}`},
		{session.TypeTurnStarted, `{ "turn" : 2 , "prompt" : "spaced out" , "owner":"o/1","key":"k2", "context" : { "tokens" : 3 } }`},
		{session.TypeTurnCompleted, `{"turn":2,"answer":"\u0041\/B","context":{"tokens":4}}`},
		{session.TypeTurnStarted, `{"context":{"prompt":"inner"},"turn":3,"prompt":"outer","owner":"o/1","key":"k3"}`},
		{session.TypeTurnCompleted, `{"turn":3,"answer":"nul\u0000inside, \ud800 lone, \ud83c\udf89 pair"}`},
		{session.TypeTurnStarted, `{"turn":4,"prompt":"tab\there \"quoted\" \u003cb\u003e \u2028","owner":"o/1","key":"k4"}`},
		{session.TypeTurnCompleted, `{"turn":4,"answer":"<b>\"raw\"</b>"}`},
		// An answer copied from one event, then replaced by one that
		// cannot be.
		{session.TypeTurnStarted, `{"turn":5,"prompt":"p5","owner":"o/1","key":"k5"}`},
		{session.TypeTurnInterrupted, `{"turn":5,"answer":"partial five","reason":"cut"}`},
		{session.TypeTurnCompleted, `{"turn":5,"answer":"x","answer":"final five"}`},
		{session.TypeTurnStarted, `{"turn":6,"prompt":"p6","owner":"o/1","key":"k6"}`},
		{session.TypeTurnInterrupted, `{"turn":6,"answer":"partial\nsix","reason":"cut"}`},
		{session.TypeTurnCompleted, `{"turn":6,"Answer":"final six"}`},
	}
	var evs []*events.Event
	for _, p := range payloads {
		evs = append(evs, &events.Event{Type: p.typ, Schema: 1, Payload: []byte(p.json), Node: "n", Actor: "cli", Time: e.clock.Now()})
	}
	must(t, e.st.AppendStreams(ctx, []db.StreamAppend{{Stream: stream, Expected: 0, Events: evs}}))
	if _, err := e.log.Replay(ctx, events.ReplayOptions{}, session.Projection()); err != nil {
		t.Fatal(err)
	}

	// What Go folds from the events, against what the replay wrote.
	f, err := e.log.Load(ctx, session.Projection(), stream)
	if err != nil {
		t.Fatal(err)
	}
	_, state, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Turns []db.SessionTurn }
	must(t, json.Unmarshal(state, &want))
	if len(want.Turns) != 6 || want.Turns[0].Prompt != "first, then this" || want.Turns[5].Answer != "final six" {
		t.Fatalf("folded turns = %+v", want.Turns)
	}
	got, err := e.st.SessionTurns(ctx, id, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.Turns, got); d != "" {
		t.Errorf("replayed rows differ from the fold (-fold +rows):\n%s", d)
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}
