package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestUsageUncharged: a request that used tokens and was recorded at no
// cost is counted as uncharged (free, or of a price that was not known);
// one that cost something, or used no tokens, is not.
func TestUsageUncharged(t *testing.T) {
	s := dbtest.Open(t)
	now := time.Now()
	for i, in := range []db.Interaction{
		{PromptTokens: 10, CompletionTokens: 2},                // uncharged
		{PromptTokens: 10},                                     // uncharged
		{CompletionTokens: 3},                                  // uncharged
		{PromptTokens: 10, CompletionTokens: 2, CostUSD: 0.01}, // priced
		{Status: db.StatusError},                               // nothing used
	} {
		in.ID, in.Node, in.Provider, in.Model, in.StartedAt = string(rune('a'+i)), s.NodeID(), "p", "m", now
		if in.Status == "" {
			in.Status = db.StatusOK
		}
		record(t, s, in)
	}
	rows, err := s.Usage(context.Background(), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Requests != 5 || rows[0].Uncharged != 3 || rows[0].Unpriced != 0 {
		t.Fatalf("Usage = %+v; want 5 requests, 3 uncharged, unpriced left to the reader", rows)
	}
}
