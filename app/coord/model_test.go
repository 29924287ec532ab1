package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// anthropicProvider is a provider named "an" on fake, with key "k".
func anthropicProvider(t *testing.T, fake *pt.Anthropic) providers.Provider {
	t.Helper()
	p, err := anthropic.New(anthropic.Config{Name: "an", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPinnedModelIsChecked: a request pinned to a provider, naming a model,
// is checked against the provider's model list as one left to the
// strategy is: a model it does not list is reported with the list, without
// a request sent.
func TestPinnedModelIsChecked(t *testing.T) {
	fake := pt.NewAnthropic(t)
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: anthropicProvider(t, fake)}}})
	_, in, err := e.chat(t, coord.Request{Provider: "an", Model: "gpt-4o"})
	want := `model "gpt-4o" not found on an; available: ` + pt.AnthropicDefaultModel
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, want) {
		t.Fatalf("err = %v; want %q", err, want)
	}
	if n := len(fake.Requests()); n != 0 || outcomes(in) != "an:not_found" {
		t.Errorf("route %q, %d requests sent; want none, the model checked against the list", outcomes(in), n)
	}
}

// TestPinnedModelNotFoundByProvider: a model the provider's list could not
// vouch for (the list did not answer in time) is still asked for, and
// Anthropic's 404 for it — {"type":"error","error":{"type":
// "not_found_error","message":"model: gpt-4o"}} — is reported as a model
// not found, with the models the provider lists.
func TestPinnedModelNotFoundByProvider(t *testing.T) {
	fake := pt.NewAnthropic(t, pt.WithListLatency(300*time.Millisecond))
	e := newEnv(t, coord.Config{ListTimeout: 50 * time.Millisecond, Targets: []coord.Target{{Provider: anthropicProvider(t, fake)}}})
	_, in, err := e.chat(t, coord.Request{Provider: "an", Model: "gpt-4o"})
	want := `model "gpt-4o" not found on an; available: ` + pt.AnthropicDefaultModel
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, want) {
		t.Fatalf("err = %v; want %q", err, want)
	}
	if n := len(fake.Requests()); n != 1 || outcomes(in) != "an:not_found" {
		t.Errorf("route %q, %d requests sent; want the model asked for once", outcomes(in), n)
	}
}

// TestNamedModelThatDoesNotChat: a model the provider lists as one that
// does not chat (an embedding model) is refused before it is sent, pinned
// or not, saying so.
func TestNamedModelThatDoesNotChat(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	a.ModelList, a.NoChat = []string{"llama3:latest", "nomic-embed-text:latest"}, []string{"nomic-embed-text:latest"}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	for _, req := range []coord.Request{{Provider: "a", Model: "nomic-embed-text"}, {Model: "nomic-embed-text"}} {
		_, in, err := e.chat(t, req)
		if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, `model "nomic-embed-text:latest" of a does not chat`) ||
			!strings.Contains(ue.Msg, "llama3:latest") {
			t.Fatalf("%+v: err = %v; want the model refused as one that does not chat", req, err)
		}
		if a.Calls() != 0 || outcomes(in) != "a:not_found" {
			t.Fatalf("%+v: route %q, %d calls; want none", req, outcomes(in), a.Calls())
		}
	}
}

// TestNamedModelListFails: a pinned request whose provider's model list
// fails is sent all the same, unchecked: the list may be what is broken.
// A model the list does not name but the provider serves under an alias of
// a dated ID it lists (Anthropic's claude-sonnet-4-5 for
// claude-sonnet-4-5-20250929) is asked for as named, pinned or not.
func TestNamedModelListFails(t *testing.T) {
	a := pt.NewScripted("a", "openai", ok("a"))
	a.ModelsErr = &providers.Error{Provider: "a", Kind: providers.KindNotFound, StatusCode: 404, Message: "404 page not found"}
	b := pt.NewScripted("b", "anthropic", ok("b"))
	b.ModelList = []string{"claude-sonnet-4-5-20250929", "claude-3-5-sonnet-20241022"}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, false), target(b, false)}})
	if out, _, err := e.chat(t, coord.Request{Provider: "a", Model: "anything"}); err != nil || out != "a" || a.Requests()[0].Model != "anything" {
		t.Fatalf("%q, %v; want the model sent unchecked", out, err)
	}
	for i, req := range []coord.Request{
		{Provider: "b", Model: "claude-sonnet-4-5"},
		{Model: "claude-sonnet-4-5"},
		{Provider: "b", Model: "claude-3-5-sonnet-latest"},
	} {
		if out, _, err := e.chat(t, req); err != nil || out != "b" || b.Requests()[i].Model != req.Model {
			t.Fatalf("%+v: %q, %v; want the alias asked for", req, out, err)
		}
	}
}
