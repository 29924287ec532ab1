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

// record writes in as started and, unless it is still running, finished.
func record(t *testing.T, s *db.Store, in db.Interaction) {
	t.Helper()
	ctx := context.Background()
	status := in.Status
	in.Status = db.StatusRunning
	if _, err := s.Execute(ctx, db.InsertInteractionStmt(&in)); err != nil {
		t.Fatal(err)
	}
	if status == db.StatusRunning {
		return
	}
	in.Status = status
	fin := in.StartedAt.Add(time.Second)
	in.FinishedAt = &fin
	if _, err := s.Execute(ctx, db.FinishInteractionStmt(&in)); err != nil {
		t.Fatal(err)
	}
}

// TestUsageRunningIsNoError: a request still running is counted as a
// request but not as an error, nor is one the user cancelled or one whose
// answer could not be written out (a closed pipe).
func TestUsageRunningIsNoError(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	for i, st := range [][2]string{{db.StatusOK}, {db.StatusError, "unavailable"}, {db.StatusRunning}, {db.StatusInterrupted, "interrupted"},
		{db.StatusCancelled, "cancelled"}, {db.StatusError, "output"}, {db.StatusInterrupted, "too_long"}} {
		record(t, s, db.Interaction{ID: string(rune('a' + i)), Node: s.NodeID(), Provider: "p", Model: "m",
			Status: st[0], ErrorKind: st[1], StartedAt: now, PromptTokens: 10, CostUSD: 0.5})
	}
	rows, err := s.Usage(context.Background(), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The running request costs what its prompt was priced at when it
	// started (InsertInteractionStmt): it was sent.
	if len(rows) != 1 || rows[0].Requests != 7 || rows[0].Errors != 2 || rows[0].PromptTokens != 60 || rows[0].CostUSD != 3.5 {
		t.Fatalf("Usage = %+v; want 7 requests, 2 errors (unavailable, interrupted), 60 prompt tokens, $3.5", rows)
	}
}

// TestPromptTokenRatioByRequestedModel: requests answered by a dated model
// are found by the alias they asked for, by the dated model, and rows
// written before requested_model existed by their model.
func TestPromptTokenRatioByRequestedModel(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	record(t, s, db.Interaction{ID: "1", Node: s.NodeID(), Provider: "claude", Model: "sonnet-20250929", RequestedModel: "sonnet",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 300, PromptEstimate: 100})
	record(t, s, db.Interaction{ID: "2", Node: s.NodeID(), Provider: "claude", Model: "haiku",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 150, PromptEstimate: 100})
	record(t, s, db.Interaction{ID: "3", Node: s.NodeID(), Provider: "ollama", Model: "tiny:latest", RequestedModel: "tiny:latest",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 200, PromptEstimate: 100})
	record(t, s, db.Interaction{ID: "4", Node: s.NodeID(), Provider: "ollama", Model: "qwen", RequestedModel: "qwen",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 120, PromptEstimate: 100})
	tests := []struct {
		provider, model string
		want            float64
	}{
		{"claude", "sonnet", 3},
		{"claude", "sonnet-20250929", 3},
		{"claude", "haiku", 1.5},
		{"claude", "opus", 0},
		{"other", "sonnet", 0},
		// Ollama's default tag: tiny is tiny:latest, both ways.
		{"ollama", "tiny", 2},
		{"ollama", "tiny:latest", 2},
		{"ollama", "qwen:latest", 1.2},
		{"ollama", "tiny:q4", 0},
	}
	for _, tt := range tests {
		got, err := s.PromptTokenRatio(context.Background(), tt.provider, tt.model, 0)
		if err != nil || got != tt.want {
			t.Errorf("PromptTokenRatio(%s, %s) = %v, %v; want %v", tt.provider, tt.model, got, err, tt.want)
		}
	}
	in, _, err := s.Interaction(context.Background(), "1")
	if err != nil || in.RequestedModel != "sonnet" || in.Model != "sonnet-20250929" {
		t.Fatalf("Interaction = %+v, %v; want requested sonnet, model sonnet-20250929", in, err)
	}
}

// TestProviderStatsCountsEveryAttempt: a provider that failed every attempt
// of requests another provider then answered shows those failures; a
// provider passed over without a request (its breaker open) is not
// counted; a request whose process died before it recorded its route
// counts as one failed attempt of its provider.
func TestProviderStatsCountsEveryAttempt(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	failedOver := []db.Attempt{
		{Provider: "local", Model: "m", Outcome: "unavailable", Millis: 3},
		{Provider: "local", Model: "m", Outcome: "unavailable", Millis: 2, Retry: 1},
		{Provider: "local", Model: "m", Outcome: "unavailable", Millis: 2, Retry: 2},
		{Provider: "cloud", Model: "c", Outcome: "ok", Millis: 40},
	}
	skipped := []db.Attempt{
		{Provider: "local", Model: "m", Outcome: "breaker_open"},
		{Provider: "cloud", Model: "c", Outcome: "ok", Millis: 40},
	}
	for i, route := range [][]db.Attempt{failedOver, failedOver, skipped} {
		record(t, s, db.Interaction{ID: string(rune('a' + i)), Node: s.NodeID(), Provider: "cloud", Model: "c",
			Status: db.StatusOK, StartedAt: now.Add(time.Duration(i) * time.Millisecond), Route: route, TotalMillis: ptr(50.0)})
	}
	record(t, s, db.Interaction{ID: "orphan", Node: s.NodeID(), Provider: "other", Model: "o",
		Status: db.StatusInterrupted, ErrorKind: "interrupted", StartedAt: now, TotalMillis: ptr(900.0)})
	// Ended by the user (Ctrl-C) or by a closed pipe: not the provider's
	// errors, with a route or without one.
	record(t, s, db.Interaction{ID: "ctrl-c", Node: s.NodeID(), Provider: "user", Model: "u",
		Status: db.StatusCancelled, ErrorKind: "cancelled", StartedAt: now,
		Route: []db.Attempt{{Provider: "user", Model: "u", Outcome: "cancelled", Millis: 9}}})
	record(t, s, db.Interaction{ID: "head", Node: s.NodeID(), Provider: "user", Model: "u",
		Status: db.StatusError, ErrorKind: "output", StartedAt: now,
		Route: []db.Attempt{{Provider: "user", Model: "u", Outcome: "output", Millis: 9}}})
	record(t, s, db.Interaction{ID: "killed", Node: s.NodeID(), Provider: "user", Model: "u",
		Status: db.StatusCancelled, StartedAt: now})
	record(t, s, db.Interaction{ID: "long", Node: s.NodeID(), Provider: "user", Model: "u",
		Status: db.StatusInterrupted, ErrorKind: "too_long", StartedAt: now,
		Route: []db.Attempt{{Provider: "user", Model: "u", Outcome: "too_long", Millis: 9}}})
	stats, err := s.ProviderStats(context.Background(), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"local": {6, 6}, "cloud": {3, 0}, "other": {1, 1}, "user": {4, 0}}
	for p, w := range want {
		got := stats[p]
		if got.Requests != w[0] || got.Errors != w[1] {
			t.Errorf("%s: %d requests, %d errors; want %d, %d", p, got.Requests, got.Errors, w[0], w[1])
		}
	}
	if k := stats["user"].LastErrKind; k != "" {
		t.Errorf("user's last error kind %q; want none", k)
	}
	if k := stats["local"].LastErrKind; k != "unavailable" {
		t.Errorf("local's last error kind %q; want unavailable", k)
	}
	// Its attempts' time, not the requests' (local's failures came first).
	if avg := stats["cloud"].AvgTotalMs; avg == nil || *avg != 40 {
		t.Errorf("cloud's average total %v; want 40 ms", deref(avg))
	}
	// Times are of the answers: a provider that answered nothing has none,
	// however long its failures took.
	if avg := stats["other"].AvgTotalMs; avg != nil {
		t.Errorf("other (interrupted only) has an average total of %v; want none", *avg)
	}
}

// TestProviderStatsTTFTOfTheAttempt: a provider's average time to first
// token is its answering attempt's (the request's own counts from its
// start: another provider's failures and the backoffs before them were
// not this provider's wait), else the request's, for records from before
// attempts had one.
func TestProviderStatsTTFTOfTheAttempt(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	record(t, s, db.Interaction{ID: "after-failover", Node: s.NodeID(), Provider: "cloud", Model: "c", Status: db.StatusOK,
		StartedAt: now, TTFTMillis: ptr(3050.0), TotalMillis: ptr(3400.0), Route: []db.Attempt{
			{Provider: "local", Model: "m", Outcome: "rate_limited", Millis: 5},
			{Provider: "cloud", Model: "c", Outcome: "ok", Millis: 350, TTFTMillis: 50},
		}})
	record(t, s, db.Interaction{ID: "older", Node: s.NodeID(), Provider: "cloud", Model: "c", Status: db.StatusOK,
		StartedAt: now.Add(time.Millisecond), TTFTMillis: ptr(150.0), TotalMillis: ptr(400.0),
		Route: []db.Attempt{{Provider: "cloud", Model: "c", Outcome: "ok", Millis: 400}}})
	stats, err := s.ProviderStats(context.Background(), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if avg := stats["cloud"].AvgTTFTms; avg == nil || *avg != 100 {
		t.Errorf("cloud's average TTFT %v; want 100 ms (50 of its attempt, 150 of the older record)", avg)
	}
}

// TestRecentRoutes: a node's finished requests since a time, newest first,
// and which provider its latest request of a strategy tried first.
func TestRecentRoutes(t *testing.T) {
	s := dbtest.Open(t)
	ctx := context.Background()
	now := time.Now()
	for i, p := range []string{"a", "b", "c"} {
		record(t, s, db.Interaction{ID: p, Node: s.NodeID(), Provider: p, Model: "m", Status: db.StatusOK, Strategy: "round_robin",
			StartedAt: now.Add(time.Duration(i-3) * time.Second), Route: []db.Attempt{{Provider: p, Model: "m", Outcome: "ok", Millis: 1}}})
	}
	record(t, s, db.Interaction{ID: "lb", Node: s.NodeID(), Provider: "a", Model: "m", Status: db.StatusOK, Strategy: "load_balanced",
		StartedAt: now.Add(-time.Second / 2), Route: []db.Attempt{{Provider: "a", Model: "m", Outcome: "ok", Millis: 1}}})
	record(t, s, db.Interaction{ID: "other", Node: "another-node", Provider: "z", Model: "m", Status: db.StatusOK, Strategy: "round_robin",
		StartedAt: now, Route: []db.Attempt{{Provider: "z", Model: "m", Outcome: "ok", Millis: 1}}})
	record(t, s, db.Interaction{ID: "running", Node: s.NodeID(), Provider: "y", Model: "m", Status: db.StatusRunning, Strategy: "round_robin",
		StartedAt: now})

	recs, err := s.RecentRoutes(ctx, s.NodeID(), now.Add(-2500*time.Millisecond), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Strategy+":"+r.Route[0].Provider)
	}
	if want := "load_balanced:a round_robin:c round_robin:b"; strings.Join(got, " ") != want {
		t.Fatalf("RecentRoutes = %v; want %s", got, want)
	}
	if recs[0].FinishedAt == nil || recs[0].Route[0].Millis != 1 {
		t.Fatalf("record %+v", recs[0])
	}
	if p, err := s.LastRouteStart(ctx, s.NodeID(), "round_robin", 10); err != nil || p != "c" {
		t.Fatalf("LastRouteStart = %q, %v; want c", p, err)
	}
	// Among the latest two (running, load_balanced) there is none.
	if p, err := s.LastRouteStart(ctx, s.NodeID(), "round_robin", 2); err != nil || p != "" {
		t.Fatalf("LastRouteStart among 2 = %q, %v; want none", p, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestPromptTokenRatioOfCutPrompts: a prompt the model counted at its
// whole window was cut, and its ratio is a floor. Alone, or above the
// ratios of prompts that fitted, it is raised so that the next prompt
// fits; below them it teaches nothing. Without a window every count is
// taken as it is.
func TestPromptTokenRatioOfCutPrompts(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	// Cut: 2048 counted of a prompt estimated at 1024.
	record(t, s, db.Interaction{ID: "cut", Node: s.NodeID(), Provider: "ollama", Model: "tiny:latest", RequestedModel: "tiny",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 2048, PromptEstimate: 1024})
	ctx := context.Background()
	if got, err := s.PromptTokenRatio(ctx, "ollama", "tiny", 2048); err != nil || got != 3 {
		t.Errorf("ratio with only a cut prompt = %v, %v; want its floor 2 raised to 3", got, err)
	}
	if got, err := s.PromptTokenRatio(ctx, "ollama", "tiny", 0); err != nil || got != 2 {
		t.Errorf("ratio without a window = %v, %v; want the count as it is, 2", got, err)
	}
	// A prompt that fitted after it, at a lower ratio: the growth did its
	// work; the floor is still above what is known, and counts as it is.
	record(t, s, db.Interaction{ID: "fit1", Node: s.NodeID(), Provider: "ollama", Model: "tiny:latest", RequestedModel: "tiny",
		Status: db.StatusOK, StartedAt: now.Add(time.Second), PromptTokens: 1800, PromptEstimate: 1000})
	if got, err := s.PromptTokenRatio(ctx, "ollama", "tiny", 2048); err != nil || got != 2 {
		t.Errorf("ratio with a floor above the ratio of a prompt fitted after it = %v, %v; want the floor as it is, 2", got, err)
	}
	// One that fitted at a higher ratio than the floor: the real ratio.
	record(t, s, db.Interaction{ID: "fit2", Node: s.NodeID(), Provider: "ollama", Model: "tiny:latest", RequestedModel: "tiny",
		Status: db.StatusOK, StartedAt: now.Add(2 * time.Second), PromptTokens: 2000, PromptEstimate: 950})
	if got, err := s.PromptTokenRatio(ctx, "ollama", "tiny", 2048); err != nil || got != 2000.0/950 {
		t.Errorf("ratio with a fitted prompt above the floor = %v, %v; want %v", got, err, 2000.0/950)
	}
	// Cut again after them, at a higher ratio: raised again.
	record(t, s, db.Interaction{ID: "cut2", Node: s.NodeID(), Provider: "ollama", Model: "tiny:latest", RequestedModel: "tiny",
		Status: db.StatusOK, StartedAt: now.Add(3 * time.Second), PromptTokens: 2048, PromptEstimate: 800})
	if got, err := s.PromptTokenRatio(ctx, "ollama", "tiny", 2048); err != nil || got != 2048.0/800*1.5 {
		t.Errorf("ratio with the newest prompt cut = %v, %v; want its floor raised, %v", got, err, 2048.0/800*1.5)
	}
}

// TestPromptTokenRatioComesBackDown: a model whose real ratio is 1.5 had
// its first prompt cut at 1.53; the prompts that fitted after it bring
// the ratio back to what is known (the floor as it is), not the raised
// floor for the next 20 requests.
func TestPromptTokenRatioComesBackDown(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	ctx := context.Background()
	record(t, s, db.Interaction{ID: "first", Node: s.NodeID(), Provider: "local", Model: "coder-7b",
		Status: db.StatusOK, StartedAt: now, PromptTokens: 9139, PromptEstimate: 5956})
	raised, err := s.PromptTokenRatio(ctx, "local", "coder-7b", 8000)
	if err != nil || raised < 2.2 {
		t.Fatalf("ratio after a cut prompt = %v, %v; want its floor raised", raised, err)
	}
	for i := range 3 {
		record(t, s, db.Interaction{ID: fmt.Sprint("fit", i), Node: s.NodeID(), Provider: "local", Model: "coder-7b",
			Status: db.StatusOK, StartedAt: now.Add(time.Duration(i+1) * time.Second), PromptTokens: 3600, PromptEstimate: 2400})
	}
	if got, err := s.PromptTokenRatio(ctx, "local", "coder-7b", 8000); err != nil || got != 9139.0/5956 {
		t.Errorf("ratio after prompts fitted = %v, %v; want the floor as it is, %v", got, err, 9139.0/5956)
	}
}
