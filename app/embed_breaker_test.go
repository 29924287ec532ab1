package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestProviderReportEmbedBreaker: an embedding model's breaker that
// earlier requests opened shows in the provider report of the next
// process, as a chat model's does.
func TestProviderReportEmbedBreaker(t *testing.T) {
	ctx := context.Background()
	const model = "text-embedding-3-small"
	fake := pt.NewOpenAI(t, pt.WithModels(pt.Model{Name: "gpt-4o-mini"}, pt.Model{Name: model}),
		pt.WithStatus(503, "The server is overloaded or not ready yet."))
	cfg := app.Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" }, File: app.File{
		Providers: map[string]app.ProviderConfig{"oai": {Kind: "openai-compatible", BaseURL: fake.URL(), Local: new(false)}},
		Limits:    app.Limits{MaxAttempts: 1},
		Index:     app.IndexConfig{Embed: "oai/" + model},
	}}
	open := func() *app.App {
		a, err := app.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	c, err := a.Coord(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.Embedder("oai").Embed(ctx, model, []string{"x"}); err == nil {
			t.Fatalf("request %d: no error from a failing server", i)
		}
	}
	a.Close(ctx)

	a = open()
	t.Cleanup(func() { a.Close(ctx) })
	report, err := a.ProviderReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range report {
		for _, b := range ps.Breakers {
			if ps.Name == "oai" && b.Model == model && b.Breaker == "open" {
				return
			}
		}
	}
	t.Errorf("no open breaker of oai/%s in the report: %+v", model, report)
}
