package coord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// modelsAsked names the models each provider was sent, "provider/model".
func modelsAsked(ps ...*pt.Scripted) string {
	var out []string
	for _, p := range ps {
		for _, r := range p.Requests() {
			out = append(out, p.Name()+"/"+r.Model)
		}
	}
	return strings.Join(out, " ")
}

// TestWantedModel: the configuration's model (Target.Wanted) is asked for
// only where the provider lists it, like a model a request names; a
// provider that does not list it is tried after those that do, on its own
// first model, so that failover still works; a provider with its own
// model keeps it. Plan chooses as Chat does.
func TestWantedModel(t *testing.T) {
	down := &providers.Error{Provider: "gpu", Kind: providers.KindUnavailable, Message: "cannot reach Ollama"}
	newTargets := func() (gpu, local, cloud, other *pt.Scripted, ts []coord.Target) {
		gpu = pt.NewScripted("gpu", "ollama", pt.Step{Err: down})
		local = pt.NewScripted("local", "ollama", ok("l"))
		local.ModelList = []string{"tiny"}
		cloud = pt.NewScripted("cloud", "openai", ok("c"))
		cloud.ModelList = []string{"gpt-4o-mini", "gpt-4o"}
		other = pt.NewScripted("other", "anthropic", ok("o"))
		other.ModelList = []string{"claude-sonnet-4-5"}
		ts = []coord.Target{
			{Provider: gpu, Model: "tiny", Local: true},
			{Provider: local, Wanted: "gpt-4o", Local: true},
			{Provider: other, Wanted: "gpt-4o"},
			{Provider: cloud, Wanted: "gpt-4o"},
		}
		return
	}

	t.Run("served where listed", func(t *testing.T) {
		gpu, local, cloud, other, ts := newTargets()
		e := newEnv(t, coord.Config{Targets: ts[1:], MaxAttempts: 1})
		if _, model, err := e.c.Plan(context.Background(), coord.Request{}); err != nil || model != "gpt-4o" {
			t.Errorf("Plan = %q, %v; want gpt-4o", model, err)
		}
		out, in, err := e.chat(t, coord.Request{})
		if err != nil || out != "c" || in.Model != "gpt-4o" || outcomes(in) != "cloud:ok" {
			t.Fatalf("%q from %s/%s, route %q, %v; want gpt-4o from cloud at once", out, in.Provider, in.Model, outcomes(in), err)
		}
		if got := modelsAsked(gpu, local, cloud, other); got != "cloud/gpt-4o" {
			t.Errorf("sent %q; want only cloud/gpt-4o", got)
		}
	})

	t.Run("failover to providers without it", func(t *testing.T) {
		gpu, local, cloud, other, ts := newTargets()
		cloud.SetSteps(pt.Step{Err: &providers.Error{Provider: "cloud", Kind: providers.KindUnavailable, Message: "down"}})
		// The preferred provider keeps its own model and stays first.
		e := newEnv(t, coord.Config{Targets: ts, Preferred: "gpu", MaxAttempts: 1})
		out, in, err := e.chat(t, coord.Request{})
		if err != nil || out != "l" {
			t.Fatalf("%q, route %q, %v; want a failover to local", out, outcomes(in), err)
		}
		if got, want := modelsAsked(gpu, local, cloud, other), "gpu/tiny local/tiny cloud/gpt-4o"; got != want {
			t.Errorf("sent %q; want %q", got, want)
		}
		if got, want := outcomes(in), "gpu:unavailable cloud:unavailable local:ok"; got != want {
			t.Errorf("route %q; want %q", got, want)
		}
	})

	t.Run("nobody lists it", func(t *testing.T) {
		gpu, local, cloud, other, ts := newTargets()
		for i := range ts {
			if ts[i].Wanted != "" {
				ts[i].Wanted = "llama3.2"
			}
		}
		e := newEnv(t, coord.Config{Targets: ts, Preferred: "gpu", MaxAttempts: 1})
		out, in, err := e.chat(t, coord.Request{})
		if err != nil || out != "l" || in.Model != "tiny" {
			t.Fatalf("%q from %s/%s, route %q, %v; want local's own model after gpu", out, in.Provider, in.Model, outcomes(in), err)
		}
		if got, want := modelsAsked(gpu, local, cloud, other), "gpu/tiny local/tiny"; got != want {
			t.Errorf("sent %q; want %q", got, want)
		}
	})

	t.Run("a model named wins", func(t *testing.T) {
		gpu, local, cloud, other, ts := newTargets()
		e := newEnv(t, coord.Config{Targets: ts[1:], MaxAttempts: 1})
		out, in, err := e.chat(t, coord.Request{Model: "claude-sonnet-4-5"})
		if err != nil || out != "o" || in.Model != "claude-sonnet-4-5" {
			t.Fatalf("%q from %s/%s, %v; want the model named", out, in.Provider, in.Model, err)
		}
		if got := modelsAsked(gpu, local, cloud, other); got != "other/claude-sonnet-4-5" {
			t.Errorf("sent %q", got)
		}
	})
}
