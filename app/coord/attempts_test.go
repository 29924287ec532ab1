package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestTotalFailureCountsAttemptsAsRecorded: a request that fails on every
// provider — the preferred one overloaded three times, one whose model
// list could not be reached (passed over, never sent the chat), one
// answering 500 three times — says how many attempts it made as its
// record counts them: the chats sent, not the provider passed over, which
// does not count; each provider is named with why it failed. The
// recorded error is that line.
func TestTotalFailureCountsAttemptsAsRecorded(t *testing.T) {
	an := pt.NewScripted("anthropic", "anthropic", pt.Step{Err: &providers.Error{Provider: "anthropic", Kind: providers.KindOverloaded,
		StatusCode: 529, RetryAfter: time.Millisecond, Message: "Overloaded"}})
	ol := pt.NewScripted("ollama", "ollama", ok("o"))
	ol.ModelsErr = &providers.Error{Provider: "ollama", Kind: providers.KindUnavailable,
		Message: "cannot reach Ollama at http://127.0.0.1:1: connection refused"}
	oa := pt.NewScripted("openai", "openai", pt.Step{Err: &providers.Error{Provider: "openai", Kind: providers.KindUnavailable,
		StatusCode: 500, Message: "HTTP 500: boom"}})
	tol := target(ol, true)
	tol.Model = ""
	e := newEnv(t, coord.Config{Preferred: "anthropic", Targets: []coord.Target{tol, target(an, false), target(oa, false)}})
	_, in, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || in == nil {
		t.Fatalf("err = %v, interaction %v; want a failure, recorded", err, in)
	}
	rec := record(t, e, in)
	if got := outcomes(rec); got != "anthropic:overloaded anthropic:overloaded anthropic:overloaded ollama:unavailable openai:server_error openai:server_error openai:server_error" {
		t.Fatalf("route %q", got)
	}
	if rec.Attempts != 6 {
		t.Errorf("recorded %d attempts; want the 6 chats sent", rec.Attempts)
	}
	for _, want := range []string{"no LLM provider could take the request after 6 attempts (tried ",
		"anthropic: Overloaded", "ollama: cannot reach Ollama", "openai: HTTP 500: boom"} {
		if !strings.Contains(ue.Msg, want) {
			t.Errorf("error %q\nlacks %q; want it to count the 6 attempts recorded, and name each provider with why", ue.Msg, want)
		}
	}
	if rec.Error != ue.Msg {
		t.Errorf("recorded error %q; want the line the user was told, naming each provider", rec.Error)
	}
}
