package session_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// Realistic sizes: a prompt of ~120 bytes, an answer of ~600, a context
// summary of three chunks.
var (
	benchPrompt = strings.Repeat("Why does this function allocate? ", 4)
	benchAnswer = strings.Repeat("It copies the slice before sorting it. ", 15)
	benchCtx    = &session.ContextSummary{Window: 8192, Budget: 6144, Tokens: 2300, Dropped: 4, Chunks: []session.ContextChunk{
		{Path: "lib/shop/cart.ex", Name: "Shop.Cart.total/1", Kind: "function", Form: "full", StartLine: 12, EndLine: 40, Tokens: 310},
		{Path: "lib/shop/item.ex", Name: "Shop.Item", Kind: "module", Form: "signature", StartLine: 1, EndLine: 90, Tokens: 60},
		{Path: "lib/shop.ex", Name: "Shop.checkout/2", Kind: "function", Form: "full", StartLine: 5, EndLine: 30, Tokens: 240},
	}}
	benchCtxJSON, _ = json.Marshal(benchCtx)
)

// writeSessions appends, without projections, sessions of turns whole
// turns each (1 + 2×turns events), in batches, and returns their ids.
func writeSessions(b *testing.B, l *events.Log, st *db.Store, sessions, turns int) []string {
	b.Helper()
	ctx := context.Background()
	var ids []string
	var batch []events.StreamAppend
	size := 0
	flush := func() {
		if err := l.AppendBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch, size = nil, 0
	}
	mk := func(p events.Payload) *events.Event {
		ev, err := l.NewEvent(p, "cli")
		if err != nil {
			b.Fatal(err)
		}
		return ev
	}
	for s := range sessions {
		id := fmt.Sprintf("bench%07d", s)
		ids = append(ids, id)
		evs := []*events.Event{mk(&session.Started{Project: "/bench"})}
		for n := int64(1); n <= int64(turns); n++ {
			evs = append(evs,
				mk(&session.TurnStarted{Turn: n, Prompt: benchPrompt, Owner: "node-a/p", Key: fmt.Sprint(n), Context: benchCtxJSON}),
				mk(&session.TurnCompleted{Turn: n, Outcome: session.Outcome{Answer: benchAnswer, Provider: "ollama", Model: "qwen2.5-coder",
					Node: "node-a", InteractionID: fmt.Sprint("i", n), PromptTokens: 2300, CompletionTokens: 150, TTFTMillis: 80, TotalMillis: 1900}}))
		}
		// Batches of ~5,000 events; a long stream goes in several, one
		// per batch.
		for off := 0; off < len(evs); off += 5000 {
			chunk := evs[off:min(off+5000, len(evs))]
			if size > 0 && (size+len(chunk) > 5000 || off > 0) {
				flush()
			}
			batch = append(batch, events.StreamAppend{Stream: session.Stream(id), Expected: int64(off), Events: chunk})
			size += len(chunk)
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return ids
}

// BenchmarkReplay100k: replay 100,000 session events (1,000 sessions of
// 50 turns) into the projections: read, decode, fold, drop and write
// every row in one transaction (target: ≤ 2 s).
func BenchmarkReplay100k(b *testing.B) {
	ctx := context.Background()
	st := dbtest.Open(b)
	l := events.New(events.Config{Store: st, Registry: registry(b)})
	writeSessions(b, l, st, 1000, 50)
	var rep *events.ReplayReport
	cpu0 := cpuTime()
	for b.Loop() {
		var err error
		if rep, err = l.Replay(ctx, events.ReplayOptions{}, session.Projection()); err != nil {
			b.Fatal(err)
		}
	}
	if rep.Events != 101000 {
		b.Fatalf("replayed %d events", rep.Events)
	}
	b.ReportMetric(float64(rep.Events)/(float64(b.Elapsed().Seconds())/float64(b.N)), "events/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time (user and system) this process has used: on a
// machine shared with other work, a steadier measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func registry(b *testing.B) *events.Registry {
	r, err := events.NewRegistry(session.Types()...)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkResume10k: continue a session of 10,001 events (5,000 turns)
// up to its first rendered turn — Begin (load, check for orphaned turns)
// and the last turn in Markdown (target: ≤ 100 ms). Also: opening it
// archived, from its snapshot plus the events after it, and from its
// events alone.
func BenchmarkResume10k(b *testing.B) {
	ctx := context.Background()
	st := dbtest.Open(b)
	l := events.New(events.Config{Store: st, Registry: registry(b)})
	svc := session.New(session.Config{Log: l, Store: st})
	id := writeSessions(b, l, st, 1, 5000)[0]
	if _, err := l.Replay(ctx, events.ReplayOptions{}, session.Projection()); err != nil {
		b.Fatal(err)
	}
	render := func(s *session.Session) {
		if err := session.WriteTurnMarkdown(io.Discard, s.Last(ctx, 1)[0]); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("active", func(b *testing.B) {
		for b.Loop() {
			s, err := svc.Begin(ctx, session.Ref(id), "/bench", "cli")
			if err != nil {
				b.Fatal(err)
			}
			render(s)
		}
	})
	// The snapshot live writes would have taken at version 10,000.
	f, err := l.LoadThrough(ctx, session.Projection(), session.Stream(id), 10000)
	if err != nil {
		b.Fatal(err)
	}
	sn, err := l.SnapshotStmt(session.Stream(id), f)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Execute(ctx, sn); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Archive(ctx, session.Ref(id), "/bench", "cli"); err != nil {
		b.Fatal(err)
	}
	b.Run("archived-from-snapshot", func(b *testing.B) {
		for b.Loop() {
			s, err := svc.Open(ctx, session.Ref(id), "/bench")
			if err != nil {
				b.Fatal(err)
			}
			render(s)
		}
	})
	if _, err := st.Execute(ctx, db.DeleteSnapshotStmt(session.Stream(id))); err != nil {
		b.Fatal(err)
	}
	b.Run("archived-from-events", func(b *testing.B) {
		for b.Loop() {
			s, err := svc.Open(ctx, session.Ref(id), "/bench")
			if err != nil {
				b.Fatal(err)
			}
			render(s)
		}
	})
}

// BenchmarkRecordTurn: a live turn's two appends (started, completed),
// each with its projection rows in the same transaction, in a session
// that already has 500 turns.
func BenchmarkRecordTurn(b *testing.B) {
	ctx := context.Background()
	st := dbtest.Open(b)
	l := events.New(events.Config{Store: st, Registry: registry(b)})
	svc := session.New(session.Config{Log: l, Store: st})
	id := writeSessions(b, l, st, 1, 500)[0]
	if _, err := l.Replay(ctx, events.ReplayOptions{}, session.Projection()); err != nil {
		b.Fatal(err)
	}
	s, err := svc.Begin(ctx, session.Ref(id), "/bench", "cli")
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: benchPrompt, Context: benchCtx})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: benchAnswer, Provider: "ollama", Model: "m",
			PromptTokens: 2300, CompletionTokens: 150}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, t1.Sub(t0), time.Since(t1))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-append-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-append-ms")
}
