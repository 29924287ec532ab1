package backend

import (
	"context"
	"errors"
	"testing"
	"time"

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

// TestPlannerKeepsThePlan: the status plans at most once per node.PlanEvery,
// and again at once when the model list changed, the coordinator is a
// new one, or a question was sent. A failed plan names nothing and is
// kept as long; one the caller gave up on is not kept.
func TestPlannerKeepsThePlan(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_000_000, 0)
	plans := 0
	var fail error
	p := &planner{node.Planner{
		Now: func() time.Time { return now },
		Plan: func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error) {
			plans++
			if fail != nil {
				return coord.Target{}, "", fail
			}
			return coord.Target{Provider: providertest.NewScripted("gpu/ollama", "ollama"), Node: "gpu"}, "qwen", nil
		},
	}}
	c1, c2 := new(coord.Coordinator), new(coord.Coordinator)
	listA := []tui.ModelInfo{{Provider: "ollama", Model: "qwen"}}
	listB := []tui.ModelInfo{{Provider: "ollama", Model: "qwen"}, {Provider: "ollama", Model: "llama"}}

	steps := []struct {
		name  string
		do    func()
		c     *coord.Coordinator
		plans int    // plans made so far
		model string // the status names
	}{
		{"first status plans", func() {}, c1, 1, "qwen"},
		{"kept within node.PlanEvery", func() { now = now.Add(node.PlanEvery - time.Second) }, c1, 1, "qwen"},
		{"planned again after it", func() { now = now.Add(time.Second) }, c1, 2, "qwen"},
		{"a first list plans again", func() { p.models(listA) }, c1, 3, "qwen"},
		{"the same list does not", func() { p.models(listA) }, c1, 3, "qwen"},
		{"a changed list does", func() { p.models(listB) }, c1, 4, "qwen"},
		{"a question sent does", p.stale, c1, 5, "qwen"},
		{"a new coordinator does", func() {}, c2, 6, "qwen"},
		{"a failed plan names none", func() { fail = errors.New("no provider reachable"); p.stale() }, c2, 7, ""},
		{"and is kept", func() { fail = nil }, c2, 7, ""},
		{"until node.PlanEvery passed", func() { now = now.Add(node.PlanEvery) }, c2, 8, "qwen"},
	}
	for _, s := range steps {
		s.do()
		st := tui.Status{Node: "laptop"}
		p.fill(ctx, s.c, &st)
		if plans != s.plans || st.Model != s.model || st.Node != "laptop" {
			t.Fatalf("%s: %d plans, status %+v; want %d plans naming %q", s.name, plans, st, s.plans, s.model)
		}
		if s.model != "" && (st.Provider != "gpu/ollama" || st.ModelNode != "gpu") {
			t.Fatalf("%s: status %+v; want gpu/ollama on gpu", s.name, st)
		}
	}

	// A plan cut short by the caller says nothing of the providers: the
	// next status plans again.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p.stale()
	fail = context.Canceled
	p.fill(cctx, c2, &tui.Status{})
	fail = nil
	st := tui.Status{}
	p.fill(ctx, c2, &st)
	if plans != 10 || st.Model != "qwen" {
		t.Fatalf("after a cancelled plan: %d plans, status %+v; want 10, naming qwen", plans, st)
	}
}
