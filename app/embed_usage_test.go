package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestIndexEmbeddingsThroughCoordinator: with [index] embed naming a paid
// OpenAI model, aiex index's embedding requests are priced and shown by
// usage as kind embed (not in history), and once the daily spend cap is
// reached none is sent: index warns and completes, and search ranks
// without embeddings, saying why.
func TestIndexEmbeddingsThroughCoordinator(t *testing.T) {
	ctx := context.Background()
	t.Setenv("OPENAI_API_KEY", "")
	fake := providertest.NewOpenAI(t, providertest.WithModels(providertest.Model{Name: "gpt-4o-mini"}, providertest.Model{Name: "text-embedding-3-small"}))
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), File: app.File{
		Providers: map[string]app.ProviderConfig{"oa": {Kind: "openai", BaseURL: fake.URL()}},
		Index:     app.IndexConfig{Embed: "oa/text-embedding-3-small"},
		Limits:    app.Limits{DailyUSD: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(ctx) })
	root := writeProject(t, map[string]string{"go.mod": "module shop\n\ngo 1.22\n",
		"cart.go": "package shop\n\n// Total sums the items of a cart.\nfunc Total(items []int) int {\n\tn := 0\n\tfor _, x := range items {\n\t\tn += x\n\t}\n\treturn n\n}\n",
		"tax.go":  "package shop\n\n// Tax is the tax on an amount.\nfunc Tax(amount int) int {\n\treturn amount / 5\n}\n"})
	embeds := func() int {
		n := 0
		for _, r := range fake.Requests() {
			if strings.HasSuffix(r.Path, "/embeddings") {
				n++
			}
		}
		return n
	}

	res, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil)
	if err != nil || res.EmbedError != "" || res.Embeddings == nil || res.Embeddings.Embedded == 0 {
		t.Fatalf("index: %+v, %v", res, err)
	}
	rows, err := a.Usage(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var embedRow *app.UsageRow
	for i, r := range rows {
		if r.Kind == db.UsageEmbed && r.Provider == "oa" && r.Model == "text-embedding-3-small" {
			embedRow = &rows[i]
		}
	}
	if embedRow == nil || embedRow.Requests != embeds() || embedRow.PromptTokens == 0 || embedRow.CostUSD <= 0 {
		t.Fatalf("usage %+v; want a priced row of kind embed for the %d embedding requests", rows, embeds())
	}
	if ins, err := a.Store.Interactions(ctx, 0); err != nil || len(ins) != 0 {
		t.Fatalf("history: %d interactions, %v; want none", len(ins), err)
	}

	// The day's cap is spent (by embeddings or chats alike).
	now := time.Now()
	if err := a.Store.RecordEmbed(ctx, &db.EmbedRecord{ID: "spent", Node: a.Store.NodeID(), Provider: "oa", Model: "text-embedding-3-small",
		PromptTokens: 50_000_000, CostUSD: 1, Status: db.StatusOK, StartedAt: now, FinishedAt: now}); err != nil {
		t.Fatal(err)
	}
	sent := embeds()
	writeProjectFile(t, root, "cart.go", "package shop\n\n// Total sums the items of a cart, twice.\nfunc Total(items []int) int {\n\tn := 0\n\tfor _, x := range items {\n\t\tn += 2 * x\n\t}\n\treturn n\n}\n")
	res, err = a.IndexProject(ctx, app.IndexRequest{Root: root}, nil)
	if err != nil || !strings.Contains(res.EmbedError, "daily spend cap of $1.00 is reached") {
		t.Fatalf("index past the cap: %+v, %v; want it done, warning of the cap", res, err)
	}
	sr, err := a.Search(ctx, root, "Tax", 5)
	if err != nil || len(sr.Hits) == 0 || !strings.Contains(sr.EmbedError, "spend cap") {
		t.Fatalf("search past the cap: %+v, %v; want hits ranked without embeddings, saying why", sr, err)
	}
	if n := embeds() - sent; n != 0 {
		t.Fatalf("%d embedding requests sent past the spend cap", n)
	}
}

// writeProjectFile writes content to the file rel of the project at root.
func writeProjectFile(t *testing.T, root, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
