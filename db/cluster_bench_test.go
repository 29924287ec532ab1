package db_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Cluster benchmarks: three nodes in this process on loopback TCP, so all
// three share the machine's cores. Run with
//
//	go test -bench Cluster -run '^$' ./db/

// reportLatency reports the p50 and p99 of ds in milliseconds.
func reportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	pct := func(p float64) float64 {
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkClusterWrite measures one single-row write, on the leader and
// through a follower (forwarded to the leader).
func BenchmarkClusterWrite(b *testing.B) {
	ctx := context.Background()
	nodes := newCluster(b, 3, nil)
	l := leader(b, nodes)
	f := followers(nodes, l)[0]
	i := 0 // row IDs, unique across runs of the sub-benchmarks (-count)
	for _, bc := range []struct {
		name string
		n    *node
		sync bool // then wait until the writing node reads it (Sync)
	}{{"leader", l, false}, {"follower", f, false}, {"follower-sync", f, true}} {
		b.Run(bc.name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				i++
				in := &db.Interaction{ID: bc.name + strconv.Itoa(i), Node: "n", Provider: "p", Model: "m", Prompt: "hello", Status: db.StatusRunning, StartedAt: time.Now()}
				start := time.Now()
				if _, err := bc.n.s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
					b.Fatal(err)
				}
				if bc.sync {
					if err := bc.n.s.Sync(ctx); err != nil {
						b.Fatal(err)
					}
				}
				ds = append(ds, time.Since(start))
			}
			reportLatency(b, ds)
		})
	}
}

func benchEvents(n int, node string) []*db.Event {
	evs := make([]*db.Event, n)
	now := time.Now()
	for i := range evs {
		evs[i] = &db.Event{Stream: "bench-" + strconv.Itoa(i%16), Type: "bench.appended", Payload: json.RawMessage(`{"tool":"edit","path":"lib/app.ex","lines":42}`), Node: node, Actor: "bench", Time: now}
	}
	return evs
}

// BenchmarkClusterAppendEvents measures batched event appends on the
// leader of a three-node cluster, 500 events per Raft entry.
func BenchmarkClusterAppendEvents(b *testing.B) {
	ctx := context.Background()
	nodes := newCluster(b, 3, nil)
	l := leader(b, nodes)
	const batch = 500
	total := 0
	start := time.Now()
	for b.Loop() {
		if err := l.s.AppendEvents(ctx, benchEvents(batch, l.s.NodeID())); err != nil {
			b.Fatal(err)
		}
		total += batch
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkClusterLeaderLoss measures how long after the leader dies
// (network cut, no stepdown) a follower's writes are accepted again.
func BenchmarkClusterLeaderLoss(b *testing.B) {
	ctx := context.Background()
	var ds []time.Duration
	for b.Loop() {
		b.StopTimer()
		nodes := newCluster(b, 3, nil)
		l := leader(b, nodes)
		f := followers(nodes, l)[0]
		b.StartTimer()
		start := time.Now()
		l.crash()
		poll(b, 20*time.Second, "write after leader loss", func() bool { return putNode(ctx, f.s, "x") == nil })
		ds = append(ds, time.Since(start))
		b.StopTimer()
		for _, n := range nodes {
			n.stop()
		}
		b.StartTimer()
	}
	slices.Sort(ds)
	b.ReportMetric(ds[len(ds)/2].Seconds(), "s-to-write")
	b.ReportMetric(ds[len(ds)-1].Seconds(), "max-s")
}

// BenchmarkClusterCatchUp measures a follower that was down while 100,000
// events were appended: from the start of its Open (restart from its dir)
// until it has applied them all.
func BenchmarkClusterCatchUp(b *testing.B) {
	ctx := context.Background()
	const events, batch = 100_000, 1000
	for b.Loop() {
		b.StopTimer()
		nodes := newCluster(b, 3, nil)
		l := leader(b, nodes)
		f := followers(nodes, l)[0]
		f.stop()
		for range events / batch {
			if err := l.s.AppendEvents(ctx, benchEvents(batch, l.s.NodeID())); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		if err := f.start(nil); err != nil {
			b.Fatal(err)
		}
		opened := time.Since(start)
		poll(b, 60*time.Second, "catch-up", func() bool { return count(b, f.s, "events") == events })
		took := time.Since(start)
		b.StopTimer()
		b.ReportMetric(took.Seconds(), "s-catch-up")
		b.ReportMetric(opened.Seconds(), "s-open")
		for _, n := range nodes {
			n.stop()
		}
		b.StartTimer()
	}
}
