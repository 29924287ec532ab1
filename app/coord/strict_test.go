package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestStrictModelLeavesOutProvidersWithoutIt: a request naming its model
// (--model, AIEX_MODEL) asks only the providers that list it. One whose
// listing answered without the model is neither asked nor recorded in the
// route, so a failure of the one that has it is reported as that
// provider's, not as "after 4 attempts: ollama/gpt-4o not_found, …". One
// whose listing failed may have the model: it stays in the route.
func TestStrictModelLeavesOutProvidersWithoutIt(t *testing.T) {
	down := &providers.Error{Provider: "oai", Kind: providers.KindUnavailable, StatusCode: 500, Message: "500 Internal Server Error"}
	ol := pt.NewScripted("ollama", "ollama", ok("o"))
	ol.ModelList = []string{"llama3.2:latest"}
	oai := pt.NewScripted("oai", "openai", pt.Step{Err: down}, pt.Step{Err: down}, pt.Step{Err: down}, ok("g"))
	oai.ModelList = []string{"gpt-4o"}
	to, toai := target(ol, true), target(oai, false)
	to.Model, toai.Model = "", ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{to, toai}, MaxAttempts: 3})

	_, in, err := e.chat(t, coord.Request{Model: "gpt-4o"})
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "ollama/gpt-4o") || !strings.Contains(ue.Msg, "500 Internal Server Error") {
		t.Fatalf("err = %v; want oai's failure, without ollama in it", err)
	}
	if in == nil || outcomes(in) != "oai:server_error oai:server_error oai:server_error" || ol.Calls() != 0 {
		t.Fatalf("route %q, %d calls to ollama; want oai's three attempts alone", outcomes(in), ol.Calls())
	}
	if out, in, err := e.chat(t, coord.Request{Model: "gpt-4o"}); err != nil || out != "g" || outcomes(in) != "oai:ok" {
		t.Fatalf("%q, route %q, %v; want oai's answer alone in the route", out, outcomes(in), err)
	}

	// A provider whose listing failed may have the model: it is kept.
	broken := pt.NewScripted("broken", "openai", ok("b"))
	broken.ModelsErr = &providers.Error{Provider: "broken", Kind: providers.KindUnavailable, Message: "cannot reach it"}
	tb := target(broken, false)
	tb.Model = ""
	e = newEnv(t, coord.Config{Targets: []coord.Target{to, tb}, MaxAttempts: 1})
	_, in, err = e.chat(t, coord.Request{Model: "gpt-4o"})
	if err == nil || in == nil || outcomes(in) != "broken:unavailable" {
		t.Fatalf("route %v, %v; want broken's failed listing alone", in, err)
	}
}
