package backend

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// TestLocalStatusNamesThePlannedModel: with two providers, each with its
// own model, the status names the one a question would go to now: the
// config's default provider, else the first that answers; with none
// answering it names none and the status does not fail.
func TestLocalStatusNamesThePlannedModel(t *testing.T) {
	alpha := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "alpha:latest"}))
	beta := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "beta:latest"}))
	down := providertest.Unreachable(t)
	cases := []struct {
		name          string
		preferred     string
		first, second string // the providers' URLs
		provider      string
		model         string
	}{
		{"default provider second", "second", alpha.URL(), beta.URL(), "second", "beta:latest"},
		{"default provider first", "first", alpha.URL(), beta.URL(), "first", "alpha:latest"},
		{"first unreachable", "", down, beta.URL(), "second", "beta:latest"},
		{"none reachable", "", down, down, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), File: app.File{Provider: c.preferred,
				Providers: map[string]app.ProviderConfig{
					"first":  {Kind: "ollama", BaseURL: c.first},
					"second": {Kind: "ollama", BaseURL: c.second},
				}}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(ctx) })
			b := Local(func() (*app.App, error) { return a, nil }, t.TempDir())
			st, err := b.Status(ctx)
			if err != nil || !st.Healthy() {
				t.Fatalf("status %+v, %v", st, err)
			}
			if st.Provider != c.provider || st.Model != c.model || st.ModelNode != "" {
				t.Fatalf("status names %q/%q on %q; want %q/%q here", st.Provider, st.Model, st.ModelNode, c.provider, c.model)
			}
		})
	}
}

// TestPlannerForTheStatusBar: the status bar's planner (node.Planner,
// whose keeping and timing app/node tests) fills a status with the plan,
// and plans again when the model list changes and after a question.
func TestPlannerForTheStatusBar(t *testing.T) {
	ctx := context.Background()
	plans := 0
	p := &planner{node.Planner{
		Plan: func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error) {
			plans++
			return coord.Target{Provider: providertest.NewScripted("gpu/ollama", "ollama"), Node: "gpu"}, "qwen", nil
		},
	}}
	c := new(coord.Coordinator)
	listA := []tui.ModelInfo{{Provider: "ollama", Model: "qwen"}}
	listB := []tui.ModelInfo{{Provider: "ollama", Model: "qwen"}, {Provider: "ollama", Model: "llama"}}
	for _, step := range []struct {
		name  string
		do    func()
		plans int
	}{
		{"first status plans", func() {}, 1},
		{"the next keeps it", func() {}, 1},
		{"a first list plans again", func() { p.models(listA) }, 2},
		{"the same list does not", func() { p.models(listA) }, 2},
		{"the same models in another order do not", func() { p.models([]tui.ModelInfo{listB[1], listB[0]}); p.models(listB) }, 3},
		{"a question sent does", p.stale, 4},
	} {
		step.do()
		st := tui.Status{Node: "laptop"}
		p.fill(ctx, c, &st)
		if plans != step.plans || st.Provider != "gpu/ollama" || st.Model != "qwen" || st.ModelNode != "gpu" || st.Node != "laptop" {
			t.Fatalf("%s: %d plans, status %+v; want %d plans naming gpu/ollama qwen on gpu", step.name, plans, st, step.plans)
		}
	}
}
