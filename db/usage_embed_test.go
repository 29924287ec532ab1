package db_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestUsageCountsEmbeddings: embedding requests count in usage, as rows of
// kind embed beside the chat rows of the same provider, in the spending the
// caps check, and in the provider's recent requests and errors; history
// (Interactions) does not hold them.
func TestUsageCountsEmbeddings(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	now := time.Now()
	record(t, s, db.Interaction{ID: "chat", Node: s.NodeID(), Provider: "oa", Model: "gpt-4o-mini", Prompt: "q", Status: db.StatusOK,
		PromptTokens: 100, CompletionTokens: 10, CostUSD: 0.25, StartedAt: now,
		Route: []db.Attempt{{Provider: "oa", Model: "gpt-4o-mini", Outcome: "ok", Millis: 5}}})
	for i, r := range []db.EmbedRecord{
		{ID: "e1", Status: db.StatusOK, PromptTokens: 1000, CostUSD: 0.5,
			Route: []db.Attempt{{Provider: "oa", Model: "text-embedding-3-small", Outcome: "ok", Millis: 3}}},
		{ID: "e2", Status: db.StatusError, ErrorKind: "rate_limited", PromptTokens: 0,
			Route: []db.Attempt{{Provider: "oa", Model: "text-embedding-3-small", Outcome: "rate_limited", Millis: 2}}},
		{ID: "e3", Status: db.StatusError, ErrorKind: "spend_cap",
			Route: []db.Attempt{{Provider: "oa", Model: "text-embedding-3-small", Outcome: "spend_cap"}}}, // not sent
	} {
		r.Node, r.Provider, r.Model, r.Inputs = s.NodeID(), "oa", "text-embedding-3-small", 32
		r.StartedAt, r.FinishedAt = now.Add(time.Duration(i)*time.Millisecond), now.Add(time.Second)
		if err := s.RecordEmbed(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordEmbed(ctx, &r); err != nil { // a write sent again is a no-op
			t.Fatal(err)
		}
	}

	rows, err := s.Usage(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("usage rows %+v; want a chat row and an embed row", rows)
	}
	chat, emb := rows[0], rows[1]
	if chat.Kind != db.UsageChat || chat.Model != "gpt-4o-mini" || chat.Requests != 1 || chat.CostUSD != 0.25 {
		t.Errorf("chat row %+v", chat)
	}
	if emb.Kind != db.UsageEmbed || emb.Model != "text-embedding-3-small" || emb.Requests != 3 || emb.Errors != 2 ||
		emb.PromptTokens != 1000 || emb.CompletionTokens != 0 || emb.CostUSD != 0.5 {
		t.Errorf("embed row %+v; want 3 requests, 2 failed, 1000 tokens, $0.50", emb)
	}
	spent, err := s.SpentSince(ctx, now.Add(-time.Hour))
	if err != nil || math.Abs(spent-0.75) > 1e-9 {
		t.Errorf("spent %g, %v; want 0.75, chats and embeddings", spent, err)
	}
	stats, err := s.ProviderStats(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st := stats["oa"]; st.Requests != 3 || st.Errors != 1 || st.LastErrKind != "rate_limited" {
		t.Errorf("provider stats %+v; want the chat and the 2 embedding requests sent, 1 rate limited", st)
	}
	if ins, err := s.Interactions(ctx, 0); err != nil || len(ins) != 1 {
		t.Errorf("history: %d interactions, %v; want the chat alone", len(ins), err)
	}
	routes, err := s.RecentEmbedRoutes(ctx, s.NodeID(), now.Add(-time.Hour), 10)
	if err != nil || len(routes) != 3 || routes[0].Route[0].Outcome != "spend_cap" {
		t.Errorf("recent embedding routes %+v, %v; want the 3, newest first", routes, err)
	}
}
