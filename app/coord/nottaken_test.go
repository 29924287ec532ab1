package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestRequestNoProviderTookRecorded: a request that every provider failed
// before a chat went out (Ollama and LM Studio out of reach, Anthropic
// without a key, OpenAI's key unreadable) is recorded as no provider's:
// under no provider rather than the last one tried, with no attempt (no
// chat was sent), the route saying that nothing reached the providers
// refused before sending (no time), the error the one line the user was
// told, and the kind "unavailable" (none could take it), not the last
// provider's "refused".
//
// With models configured, the chats refused for their keys are not
// attempts either: nothing was sent.
func TestRequestNoProviderTookRecorded(t *testing.T) {
	for _, tc := range []struct{ preferred, model string }{{"", ""}, {"openai", ""}, {"ollama", ""}, {"", "m"}, {"anthropic", "m"}} {
		preferred := tc.preferred
		t.Setenv("OPENAI_API_KEY", "")
		t.Setenv("OPENAI_BASE_URL", "")
		t.Setenv("ANTHROPIC_API_KEY", "")
		t.Setenv("ANTHROPIC_BASE_URL", "")
		ol, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: pt.Unreachable(t)})
		if err != nil {
			t.Fatal(err)
		}
		lm, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: pt.Unreachable(t)})
		if err != nil {
			t.Fatal(err)
		}
		an, err := anthropic.New(anthropic.Config{Name: "anthropic"})
		if err != nil {
			t.Fatal(err)
		}
		oa, err := openai.New(openai.Config{Name: "openai", BaseURL: pt.NewOpenAI(t).URL(), APIKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		targets := []coord.Target{
			{Provider: ol, Local: true}, {Provider: lm, Local: true},
			{Provider: an, Model: tc.model}, {Provider: newUnreadableKey(oa, "/d/secret.key"), Model: tc.model},
		}
		e := newEnv(t, coord.Config{Targets: targets, Preferred: preferred, MaxAttempts: 1, Configured: true})
		_, in, err := e.chat(t, coord.Request{})
		ue := usererr.As(err)
		if ue == nil || strings.Contains(ue.Msg, "\n") {
			t.Fatalf("preferred %q: err = %v; want one line", preferred, err)
		}
		if in == nil {
			t.Fatalf("preferred %q: not recorded", preferred)
		}
		if in.Provider != "" || in.Attempts != 0 {
			t.Errorf("preferred %q, model %q: recorded under %q with %d attempts; want no provider and no attempt", preferred, tc.model, in.Provider, in.Attempts)
		}
		if in.Error != ue.Msg {
			t.Errorf("preferred %q: recorded error %q\nwant what the user was told: %q", preferred, in.Error, ue.Msg)
		}
		if in.ErrorKind != "unavailable" {
			t.Errorf("preferred %q: recorded error kind %q; want unavailable", preferred, in.ErrorKind)
		}
		for _, a := range in.Route {
			if (a.Provider == "openai" || a.Provider == "anthropic") && a.Millis != 0 {
				t.Errorf("preferred %q: route %+v: %s was refused before anything was sent; want no time", preferred, a, a.Provider)
			}
		}
		got, err := e.store.Interactions(t.Context(), 10)
		if err != nil || len(got) != 1 || got[0].Provider != "" || got[0].Error != ue.Msg {
			t.Errorf("preferred %q: history %+v, %v", preferred, got, err)
		}
	}
}
