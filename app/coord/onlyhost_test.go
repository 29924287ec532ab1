package coord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestModelOnlyOnUnreachableProvider: a request naming a model that the
// reachable providers do not list, whose only other provider cannot be
// reached (its list fails), says so — the model, the provider it could be
// on, why that provider could not be asked and what to check — not "no
// LLM provider reachable" with advice on starting Ollama, which answered.
// Chat and Plan say the same, in a second request too (the failed list
// then comes from the cache), and a request pinned to that provider says
// it of the provider in the same words.
func TestModelOnlyOnUnreachableProvider(t *testing.T) {
	const why = "cannot reach OpenAI at http://127.0.0.1:1/v1: connection refused"
	down := &providers.Error{Provider: "openai", Kind: providers.KindUnavailable, Message: why}
	ol := pt.NewScripted("ollama", "ollama", ok("o"))
	ol.ModelList = []string{"llama3.2:latest"}
	an := pt.NewScripted("anthropic", "anthropic", ok("a"))
	an.ModelList = []string{"claude-sonnet-4-5-20250929"}
	oa := pt.NewScripted("openai", "openai", pt.Step{Err: down})
	oa.ModelsErr = down
	targets := []coord.Target{target(ol, true), target(an, false), target(oa, false)}
	for i := range targets {
		targets[i].Model = ""
	}
	e := newEnv(t, coord.Config{Targets: targets, MaxAttempts: 1})

	want := []string{`model "gpt-4o-mini" could only be on openai, which is unreachable (` + why + `)`,
		"the other providers do not list it", `check the base_url of provider "openai" in the config`, "pick another model (aiex models)"}
	check := func(what string, err error) {
		t.Helper()
		ue := usererr.As(err)
		if ue == nil {
			t.Fatalf("%s: err = %v; want a user error", what, err)
		}
		for _, w := range want {
			if !strings.Contains(ue.Msg, w) {
				t.Errorf("%s: %q\nwant it to say %q", what, ue.Msg, w)
			}
		}
		for _, not := range []string{"no LLM provider reachable", "configure a provider", "start "} {
			if strings.Contains(ue.Msg, not) {
				t.Errorf("%s: %q says %q", what, ue.Msg, not)
			}
		}
	}
	for i := range 2 {
		_, _, err := e.chat(t, coord.Request{Model: "gpt-4o-mini"})
		check("request "+string(rune('1'+i)), err)
	}
	_, _, err := e.c.Plan(context.Background(), coord.Request{Model: "gpt-4o-mini"})
	check("Plan", err)
	if ol.Calls()+an.Calls()+oa.Calls() != 0 {
		t.Errorf("chats sent: ollama %d, anthropic %d, openai %d; want none", ol.Calls(), an.Calls(), oa.Calls())
	}

	// Pinned to openai, the model is asked for all the same (its list may
	// be what is broken), and the failure is said of openai alike.
	_, _, err = e.chat(t, coord.Request{Provider: "openai", Model: "gpt-4o-mini"})
	ue := usererr.As(err)
	pinned := `openai is unreachable (` + why + `); check the base_url of provider "openai" in the config`
	if ue == nil || !strings.Contains(ue.Msg, pinned) || strings.Contains(ue.Msg, "start OpenAI") {
		t.Errorf("pinned: %v\nwant %q", err, pinned)
	}
}
