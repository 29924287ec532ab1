package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestProviderStatsTimesOfItsOwnAttempts: a provider's average times are
// those of its own attempts, not the request's: the provider that answered
// after another's silent model listing held the request for 5 s answered
// in 29 ms, its first token after 25 ms. A provider that answered nothing
// has no times, however long its failures took, and embedding requests
// count as requests but not in the times of the answers to chats.
func TestProviderStatsTimesOfItsOwnAttempts(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	now := time.Now()
	record(t, s, db.Interaction{ID: "failover", Node: s.NodeID(), Provider: "ollama", Model: "tiny", Status: db.StatusOK,
		StartedAt: now, TTFTMillis: ptr(5046.0), TotalMillis: ptr(5050.0), Route: []db.Attempt{
			{Provider: "openai", Outcome: "unavailable", Millis: 5000},
			{Provider: "ollama", Model: "tiny", Outcome: "ok", Millis: 29, TTFTMillis: 25},
		}})
	record(t, s, db.Interaction{ID: "direct", Node: s.NodeID(), Provider: "ollama", Model: "tiny", Status: db.StatusOK,
		StartedAt: now.Add(time.Millisecond), TTFTMillis: ptr(15.0), TotalMillis: ptr(31.0), Route: []db.Attempt{
			{Provider: "ollama", Model: "tiny", Outcome: "ok", Millis: 31, TTFTMillis: 15},
		}})
	emb := db.EmbedRecord{ID: "e", Node: s.NodeID(), Provider: "ollama", Model: "embed", Inputs: 32, Status: db.StatusOK,
		StartedAt: now, FinishedAt: now.Add(time.Second), TotalMillis: 900,
		Route: []db.Attempt{{Provider: "ollama", Model: "embed", Outcome: "ok", Millis: 900}}}
	if err := s.RecordEmbed(ctx, &emb); err != nil {
		t.Fatal(err)
	}
	stats, err := s.ProviderStats(ctx, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	o := stats["ollama"]
	if o.Requests != 3 || o.Errors != 0 {
		t.Errorf("ollama: %d requests, %d errors; want 3 (2 chats, 1 embedding), 0", o.Requests, o.Errors)
	}
	if o.AvgTotalMs == nil || *o.AvgTotalMs != 30 {
		t.Errorf("ollama's average total %v; want 30 ms, of its own attempts (29, 31)", deref(o.AvgTotalMs))
	}
	if o.AvgTTFTms == nil || *o.AvgTTFTms != 20 {
		t.Errorf("ollama's average TTFT %v; want 20 ms, of its own attempts (25, 15)", deref(o.AvgTTFTms))
	}
	oa := stats["openai"]
	if oa.Requests != 1 || oa.Errors != 1 || oa.LastErrKind != "unavailable" {
		t.Errorf("openai %+v; want its one failed listing", oa)
	}
	if oa.AvgTotalMs != nil || oa.AvgTTFTms != nil {
		t.Errorf("openai (failed only) has times %v, %v; want none", deref(oa.AvgTotalMs), deref(oa.AvgTTFTms))
	}
}

// TestProviderStatsOfThisNode: in a cluster every node records its
// requests in the one store, and each names its own providers: node b's
// "ollama" is another server than node a's, which b reaches as
// "a/ollama". A node's statistics are of its own attempts, so that b's
// failing Ollama does not show in a's row, nor a's latency in b's.
func TestProviderStatsOfThisNode(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	now := time.Now()
	const other = "node-b"
	record(t, s, db.Interaction{ID: "mine", Node: s.NodeID(), Provider: "ollama", Model: "tiny", Status: db.StatusOK,
		StartedAt: now, TTFTMillis: ptr(20.0), TotalMillis: ptr(29.0), Route: []db.Attempt{
			{Provider: "ollama", Model: "tiny", Outcome: "ok", Millis: 29, TTFTMillis: 20},
		}})
	for i := range 3 {
		record(t, s, db.Interaction{ID: fmt.Sprint("b", i), Node: other, Provider: "a/ollama", Model: "tiny", Status: db.StatusOK,
			StartedAt: now.Add(time.Duration(i+1) * time.Millisecond), TTFTMillis: ptr(40.0), TotalMillis: ptr(50.0), Route: []db.Attempt{
				{Provider: "ollama", Model: "tiny", Outcome: "unavailable", Millis: 1},
				{Provider: "a/ollama", Model: "tiny", Outcome: "ok", Millis: 45, TTFTMillis: 40},
			}})
	}
	record(t, s, db.Interaction{ID: "b-orphan", Node: other, Provider: "ollama", Model: "tiny",
		Status: db.StatusInterrupted, ErrorKind: "interrupted", StartedAt: now})
	emb := db.EmbedRecord{ID: "b-embed", Node: other, Provider: "ollama", Model: "embed", Inputs: 1, Status: db.StatusError,
		StartedAt: now, FinishedAt: now.Add(time.Millisecond), TotalMillis: 1,
		Route: []db.Attempt{{Provider: "ollama", Model: "embed", Outcome: "unavailable", Millis: 1}}}
	if err := s.RecordEmbed(ctx, &emb); err != nil {
		t.Fatal(err)
	}
	stats, err := s.ProviderStats(ctx, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	o := stats["ollama"]
	if o.Requests != 1 || o.Errors != 0 || o.LastErrKind != "" || o.AvgTotalMs == nil || *o.AvgTotalMs != 29 {
		t.Errorf("this node's ollama: %d requests, %d errors (last %q), average %v ms; want its own 1, 0, none, 29 ms",
			o.Requests, o.Errors, o.LastErrKind, deref(o.AvgTotalMs))
	}
	if p, ok := stats["a/ollama"]; ok {
		t.Errorf("this node shows another node's route a/ollama: %+v", p)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// BenchmarkProviderStats measures aiex providers' query of the last 24
// hours over a store of 3,000 interactions of two-attempt routes and 1,000
// embedding requests.
func BenchmarkProviderStats(b *testing.B) {
	ctx := context.Background()
	s := dbtest.Open(b)
	now := time.Now()
	var stmts []db.Statement
	flush := func() {
		if _, err := s.Execute(ctx, stmts...); err != nil {
			b.Fatal(err)
		}
		stmts = stmts[:0]
	}
	for i := range 3000 {
		fin := now.Add(time.Second)
		in := db.Interaction{ID: fmt.Sprint("i", i), Node: s.NodeID(), Provider: fmt.Sprint("p", i%4), Model: "m", Status: db.StatusOK,
			StartedAt: now.Add(-time.Duration(i) * time.Second), FinishedAt: &fin, TTFTMillis: ptr(100.0), TotalMillis: ptr(900.0),
			Route: []db.Attempt{
				{Provider: fmt.Sprint("p", (i+1)%4), Model: "m", Outcome: "unavailable", Millis: 400},
				{Provider: fmt.Sprint("p", i%4), Model: "m", Outcome: "ok", Millis: 500, TTFTMillis: 80},
			}}
		stmts = append(stmts, db.InsertInteractionStmt(&in), db.FinishInteractionStmt(&in))
		if len(stmts) >= 200 {
			flush()
		}
	}
	flush()
	for i := range 1000 {
		r := db.EmbedRecord{ID: fmt.Sprint("e", i), Node: s.NodeID(), Provider: "p0", Model: "e", Inputs: 32, Status: db.StatusOK,
			StartedAt: now.Add(-time.Duration(i) * time.Second), FinishedAt: now,
			Route: []db.Attempt{{Provider: "p0", Model: "e", Outcome: "ok", Millis: 50}}}
		if err := s.RecordEmbed(ctx, &r); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := s.ProviderStats(ctx, now.Add(-24*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
}
