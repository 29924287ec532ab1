package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestUsageEmbedCostUnknown: an embedding request recorded as of unknown
// cost counts in usage's Unpriced, as a chat's does; one recorded before
// that was kept (CostUnknown nil) at no cost counts as Uncharged, for the
// reader to judge; one recorded as known counts in neither. EmbedRecords
// gives back what was recorded.
func TestUsageEmbedCostUnknown(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	now := time.Now()
	yes, no := true, false
	for i, r := range []db.EmbedRecord{
		{ID: "unknown", Model: "a", CostUnknown: &yes},
		{ID: "before", Model: "b"},
		{ID: "free", Model: "c", CostUnknown: &no},
	} {
		r.Node, r.Provider, r.Status, r.Inputs, r.PromptTokens = "n", "oa", db.StatusOK, 1, 100
		r.StartedAt, r.FinishedAt = now.Add(time.Duration(i)*time.Millisecond), now.Add(time.Second)
		if err := s.RecordEmbed(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.Usage(ctx, now.Add(-time.Hour))
	if err != nil || len(rows) != 3 {
		t.Fatalf("usage %+v, %v; want 3 rows", rows, err)
	}
	want := map[string][2]int{"a": {1, 0}, "b": {0, 1}, "c": {0, 0}} // unpriced, uncharged
	for _, r := range rows {
		if w := want[r.Model]; r.Unpriced != w[0] || r.Uncharged != w[1] {
			t.Errorf("row %s: unpriced %d, uncharged %d; want %d, %d", r.Model, r.Unpriced, r.Uncharged, w[0], w[1])
		}
	}
	recs, err := s.EmbedRecords(ctx, now.Add(-time.Hour))
	if err != nil || len(recs) != 3 {
		t.Fatalf("embed records %+v, %v", recs, err)
	}
	if c := recs[0].CostUnknown; c == nil || !*c {
		t.Errorf("record unknown: cost_unknown %v; want true", c)
	}
	if c := recs[1].CostUnknown; c != nil {
		t.Errorf("record before: cost_unknown %v; want unset", *c)
	}
	if c := recs[2].CostUnknown; c == nil || *c {
		t.Errorf("record free: cost_unknown %v; want false", c)
	}
}
