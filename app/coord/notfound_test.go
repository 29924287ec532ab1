package coord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestModelOnTargetOutOfReach: the only provider with the model named is
// another node's, which cannot be reached, and then has its breaker open.
// The error says that — the model is there, and why it could not answer —
// not that no provider has the model, as the others' lists alone said.
// Plan, which fits the prompt before the request, says the same.
func TestModelOnTargetOutOfReach(t *testing.T) {
	local := pt.NewScripted("local", "ollama")
	local.ModelList = []string{"llama"}
	down := &providers.Error{Provider: "alpha/local", Kind: providers.KindUnavailable,
		Message: "cannot reach node alpha at 10.0.0.5:7420: connection refused"}
	alpha := pt.NewScripted("alpha/local", "ollama", pt.Step{Err: down})
	alpha.ModelList = []string{"tiny"}
	oai := pt.NewScripted("oai", "openai", ok("o"))
	oai.ModelList = []string{"gpt-4o-mini", "fake-gpt"}
	tl, to := target(local, true), target(oai, false)
	tl.Model, to.Model = "", ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{tl, to}, MaxAttempts: 1,
		Breaker: coord.BreakerConfig{Failures: 1, OpenFor: time.Minute},
		Remote:  func() []coord.Target { return []coord.Target{{Provider: alpha, Local: true, Node: "alpha"}} }})

	for i, want := range []string{"cannot reach node alpha", "will be tried again in"} {
		_, in, err := e.chat(t, coord.Request{Model: "tiny"})
		ue := usererr.As(err)
		if ue == nil || !strings.Contains(ue.Msg, `model "tiny" is on alpha/local`) || !strings.Contains(ue.Msg, want) ||
			strings.Contains(ue.Msg, "not found on any provider") || !strings.Contains(ue.Msg, "gpt-4o-mini") {
			t.Fatalf("request %d (route %q): %v; want the model named on alpha/local, with %q", i, outcomes(in), err, want)
		}
	}
	_, _, err := e.c.Plan(context.Background(), coord.Request{Model: "tiny"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, `model "tiny" is on alpha/local`) || !strings.Contains(ue.Msg, "breaker open") {
		t.Errorf("Plan: %v; want the model named on alpha/local, its breaker open", err)
	}
	if errors.Is(err, coord.ErrUnknownModel) {
		t.Errorf("Plan: %v is ErrUnknownModel; the model is there, out of reach", err)
	}

	// A model no provider has is still reported so, and is an unknown
	// model to Plan and Chat alike (a caller refuses it unrecorded).
	if _, _, err := e.chat(t, coord.Request{Model: "nope"}); err == nil || !strings.Contains(err.Error(), `"nope" not found on any provider`) ||
		!errors.Is(err, coord.ErrUnknownModel) {
		t.Errorf("a model nobody has: %v; want ErrUnknownModel", err)
	}
	if _, _, err := e.c.Plan(context.Background(), coord.Request{Model: "nope"}); !errors.Is(err, coord.ErrUnknownModel) {
		t.Errorf("Plan of a model nobody has: %v; want ErrUnknownModel", err)
	}
}

// TestModelListedButRefused: a provider that lists the model and answers
// the chat "not found" all the same (a model still being pulled) is said
// to have refused it; "not found on any provider; available: …, ghost"
// gainsaid itself.
func TestModelListedButRefused(t *testing.T) {
	refused := &providers.Error{Provider: "o", Kind: providers.KindNotFound, Message: `model "ghost" not found, try pulling it first`,
		Models: []string{"slow", "ghost"}}
	o := pt.NewScripted("o", "ollama", pt.Step{Err: refused})
	o.ModelList = []string{"slow", "ghost"}
	to := target(o, true)
	to.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{to}, MaxAttempts: 1})
	_, _, err := e.chat(t, coord.Request{Model: "ghost"})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, `model "ghost" is listed by o`) || !strings.Contains(ue.Msg, "try pulling it first") ||
		strings.Contains(ue.Msg, "not found on") {
		t.Fatalf("err = %v; want the listed model said to be refused, with the provider's words", err)
	}
}
