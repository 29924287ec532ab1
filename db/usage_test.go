package db_test

import (
	"context"
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
// request but not as an error.
func TestUsageRunningIsNoError(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	for i, st := range []string{db.StatusOK, db.StatusError, db.StatusRunning, db.StatusInterrupted} {
		record(t, s, db.Interaction{ID: string(rune('a' + i)), Node: s.NodeID(), Provider: "p", Model: "m",
			Status: st, StartedAt: now, PromptTokens: 10, CostUSD: 0.5})
	}
	rows, err := s.Usage(context.Background(), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Requests != 4 || rows[0].Errors != 2 || rows[0].PromptTokens != 30 || rows[0].CostUSD != 1.5 {
		t.Fatalf("Usage = %+v; want 4 requests, 2 errors (error, interrupted), 30 prompt tokens, $1.50", rows)
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
		got, err := s.PromptTokenRatio(context.Background(), tt.provider, tt.model)
		if err != nil || got != tt.want {
			t.Errorf("PromptTokenRatio(%s, %s) = %v, %v; want %v", tt.provider, tt.model, got, err, tt.want)
		}
	}
	in, _, err := s.Interaction(context.Background(), "1")
	if err != nil || in.RequestedModel != "sonnet" || in.Model != "sonnet-20250929" {
		t.Fatalf("Interaction = %+v, %v; want requested sonnet, model sonnet-20250929", in, err)
	}
}
