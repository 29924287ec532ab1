package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestUsageCostUnknown: a row with a request of unknown cost says so, as
// history and sessions do: "+?" in the table, with a note that a price
// given in the config applies to later requests (what is recorded stays),
// and "cost_unknown" in --json beside the counts; a row with none says
// false.
func TestUsageCostUnknown(t *testing.T) {
	config := "[providers.local]\nkind = \"ollama\"\nbase_url = \"http://127.0.0.1:1\"\n"
	dir := t.TempDir()
	ctx := context.Background()
	st, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	yes, no := true, false
	for _, r := range []db.EmbedRecord{
		{ID: "e1", Provider: "cloud", Model: "acme-embed-1", CostUnknown: &yes},
		{ID: "e2", Provider: "local", Model: "nomic-embed-text", CostUnknown: &no},
	} {
		r.Node, r.Inputs, r.PromptTokens, r.Status, r.StartedAt, r.FinishedAt = st.NodeID(), 1, 700, db.StatusOK, now, now
		if err = st.RecordEmbed(ctx, &r); err != nil {
			break
		}
	}
	if cerr := st.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	r := runConfigured(t, config, nil, "--data-dir", dir, "usage", "--json")
	if r.code != 0 {
		t.Fatalf("usage --json: %d %s", r.code, r.stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("usage --json: %v\n%s", err, r.stdout)
	}
	want := map[string]bool{"acme-embed-1": true, "nomic-embed-text": false}
	for _, row := range rows {
		w, ok := want[row["model"].(string)]
		if !ok {
			continue
		}
		delete(want, row["model"].(string))
		if row["cost_unknown"] != w || row["unpriced"] == nil || row["uncharged"] == nil {
			t.Errorf("row %v; want cost_unknown %v, with unpriced and uncharged", row, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("usage --json %s: rows of %v missing", r.stdout, want)
	}

	r = runConfigured(t, config, nil, "--data-dir", dir, "usage")
	if r.code != 0 {
		t.Fatalf("usage: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "$0.0000+?") || !strings.Contains(r.stdout, "later requests") {
		t.Errorf("usage:\n%s\nwant the unknown cost marked +?, and the note that a price applies to later requests", r.stdout)
	}
}
