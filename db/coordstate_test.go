package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// routeStore opens a store with the index that answers RecentRoutes, or
// without it: the benchmarks below weigh what it saves a read against what
// it costs a write.
func routeStore(tb testing.TB, index bool) *db.Store {
	tb.Helper()
	s := dbtest.Open(tb)
	if !index {
		if _, err := s.Execute(context.Background(), db.Stmt(`DROP INDEX llm_interaction_route`)); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// recordRoutes records n finished requests of s's node, the latest at now,
// one a second, with 4 KiB prompts and 8 KiB answers, as RecentRoutes
// finds them in a full window.
func recordRoutes(tb testing.TB, s *db.Store, now time.Time, n int) {
	tb.Helper()
	ctx := context.Background()
	prompt, answer := strings.Repeat("p", 4<<10), strings.Repeat("a", 8<<10)
	for i := range n {
		in := &db.Interaction{ID: fmt.Sprint(i), Node: s.NodeID(), Provider: "local", Model: "m", Prompt: prompt,
			Status: db.StatusRunning, StartedAt: now.Add(-time.Duration(i) * time.Second)}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
			tb.Fatal(err)
		}
		in.Status, in.Response, in.FinishedAt, in.Strategy = db.StatusOK, answer, &now, "round_robin"
		in.Route = []db.Attempt{{Provider: "local", Model: "m", Outcome: "unavailable", Millis: 3}, {Provider: "local", Model: "m", Outcome: "ok", Millis: 40}}
		if _, err := s.Execute(ctx, db.FinishInteractionStmt(in)); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRecentRoutes reads what a new process's coordinator starts
// from, the query every one-shot request makes, over a full window: 200
// finished requests with 4 KiB prompts and 8 KiB answers; from the table,
// and from the index that answers it.
func BenchmarkRecentRoutes(b *testing.B) {
	for _, index := range []bool{false, true} {
		b.Run(map[bool]string{false: "table", true: "index"}[index], func(b *testing.B) {
			s, ctx := routeStore(b, index), context.Background()
			now := time.Now()
			recordRoutes(b, s, now, 200)
			for b.Loop() {
				recs, err := s.RecentRoutes(ctx, s.NodeID(), now.Add(-15*time.Minute), 200)
				if err != nil || len(recs) != 200 {
					b.Fatalf("%d records, %v", len(recs), err)
				}
			}
		})
	}
}

// BenchmarkRecordRoute is what the index costs a request's writes: its
// start, then its finish with its event, through Raft.
func BenchmarkRecordRoute(b *testing.B) {
	for _, index := range []bool{false, true} {
		b.Run(map[bool]string{false: "table", true: "index"}[index], func(b *testing.B) {
			s, ctx := routeStore(b, index), context.Background()
			prompt, answer := strings.Repeat("p", 4<<10), strings.Repeat("a", 8<<10)
			i := 0
			for b.Loop() {
				i++
				in := &db.Interaction{ID: fmt.Sprint(i), Node: s.NodeID(), Provider: "p", Model: "m", Prompt: prompt,
					Status: db.StatusRunning, StartedAt: time.Now()}
				if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
					b.Fatal(err)
				}
				in.Status, in.Response = db.StatusOK, answer
				in.Route = []db.Attempt{{Provider: "p", Model: "m", Outcome: "ok", Millis: 40, PromptTokens: 1000, CompletionTokens: 200}}
				ev := &db.Event{Stream: "llm", Type: "llm.interaction.finished", Payload: []byte(`{}`), Node: s.NodeID(), Actor: "bench", Time: time.Now()}
				if _, err := s.Execute(ctx, db.FinishInteractionStmt(in), db.AppendEventStmt(ev)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRecentRoutesReadsOnlyTheIndex: the schema's index answers the query
// alone (a covering index), and the records are the same as from the
// table: newest first, running requests left out.
func TestRecentRoutesReadsOnlyTheIndex(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	since := now.Add(-time.Minute)
	var got [2][]db.RouteRecord
	for i, index := range []bool{false, true} {
		s := routeStore(t, index)
		recordRoutes(t, s, now, 5)
		running := &db.Interaction{ID: "running", Node: s.NodeID(), Provider: "local", Model: "m", Status: db.StatusRunning, StartedAt: now}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(running)); err != nil {
			t.Fatal(err)
		}
		recs, err := s.RecentRoutes(ctx, s.NodeID(), since, 4)
		if err != nil || len(recs) != 4 {
			t.Fatalf("index %v: %d records, %v; want 4", index, len(recs), err)
		}
		for j := 1; j < len(recs); j++ {
			if recs[j].StartedAt.After(recs[j-1].StartedAt) {
				t.Fatalf("index %v: records not newest first: %v", index, recs)
			}
		}
		got[i] = recs
		if !index {
			continue
		}
		plan, err := s.Query(ctx, "EXPLAIN QUERY PLAN "+db.RecentRoutesSQL, s.NodeID(), since, 4)
		if err != nil {
			t.Fatal(err)
		}
		if detail := fmt.Sprint(plan.Values); !strings.Contains(detail, "COVERING INDEX llm_interaction_route") {
			t.Fatalf("query plan %s; want the covering index", detail)
		}
	}
	if fmt.Sprint(got[0]) != fmt.Sprint(got[1]) {
		t.Fatalf("from the index: %v; from the table: %v", got[1], got[0])
	}
}
