package events_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// reportPercentiles reports the 50th and 99th percentiles of ds in ms.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	ms := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkAppendBatched: 500 events per AppendBatch, over 10 streams,
// each checked against its expected version (target: ≥ 20,000 events/s).
func BenchmarkAppendBatched(b *testing.B) {
	ctx := context.Background()
	l, _ := newLog(b)
	const streams, perStream = 10, 50
	versions := make([]int64, streams)
	ev := note(b, l, "a note of some thirty bytes or so")
	n := 0
	for b.Loop() {
		apps := make([]events.StreamAppend, streams)
		for s := range streams {
			evs := make([]*events.Event, perStream)
			for i := range evs {
				c := *ev
				evs[i] = &c
			}
			apps[s] = events.StreamAppend{Stream: fmt.Sprint("note/", s), Expected: versions[s], Events: evs}
		}
		if err := l.AppendBatch(ctx, apps); err != nil {
			b.Fatal(err)
		}
		for s := range versions {
			versions[s] += perStream
		}
		n += streams * perStream
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendSingle: one event per Append, with its expected version
// (target: p50 ≤ 2 ms).
func BenchmarkAppendSingle(b *testing.B) {
	ctx := context.Background()
	l, _ := newLog(b)
	var v int64
	var ds []time.Duration
	for b.Loop() {
		ev := note(b, l, "one note")
		start := time.Now()
		nv, err := l.Append(ctx, "note/single", v, ev)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		v = nv
	}
	reportPercentiles(b, ds)
}

// BenchmarkSubscribeLatency: how long after an Append is acknowledged a
// subscriber on the same node has the event (target: ≤ 10 ms).
func BenchmarkSubscribeLatency(b *testing.B) {
	ctx := context.Background()
	l, _ := newLog(b)
	s := l.Watch(ctx, []string{"note/sub"}, 0)
	defer s.Close()
	var v int64
	var ds []time.Duration
	for b.Loop() {
		ev := note(b, l, "watched")
		nv, err := l.Append(ctx, "note/sub", v, ev)
		if err != nil {
			b.Fatal(err)
		}
		acked := time.Now()
		got := <-s.C()
		ds = append(ds, time.Since(acked))
		if got.ID != ev.ID {
			b.Fatalf("got event %d, want %d", got.ID, ev.ID)
		}
		v = nv
	}
	reportPercentiles(b, ds)
}

// BenchmarkSubscribeLatencyOtherWriter: the same, for events appended
// without this Log (another process's writer, another node, or
// db.Store.FinishInteraction): these wake subscribers through rqlite's
// CDC (db.Store.TailEvents) only.
func BenchmarkSubscribeLatencyOtherWriter(b *testing.B) {
	ctx := context.Background()
	l, st := newLog(b)
	s := l.Watch(ctx, []string{"note/other"}, 0)
	defer s.Close()
	var v int64
	var ds []time.Duration
	for b.Loop() {
		ev := note(b, l, "watched")
		if err := st.AppendStreams(ctx, []db.StreamAppend{{Stream: "note/other", Expected: v, Events: []*events.Event{ev}}}); err != nil {
			b.Fatal(err)
		}
		acked := time.Now()
		got := <-s.C()
		ds = append(ds, time.Since(acked))
		if got.ID != ev.ID {
			b.Fatalf("got event %d, want %d", got.ID, ev.ID)
		}
		v++
	}
	reportPercentiles(b, ds)
}
