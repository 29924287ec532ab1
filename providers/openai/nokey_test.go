package openai

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// Without a key, OpenAI's own API is not asked at all: every call fails
// at once as an auth error saying how to give a key.
func TestNoKeyOfficialAPI(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	hc := providertest.NoRequests(t)
	for _, tt := range []struct{ advice, want string }{
		{"", "no API key configured: set OPENAI_API_KEY"},
		{"set WORK_KEY or run aiex keys set work", "no API key configured: set WORK_KEY or run aiex keys set work"},
	} {
		p := newProvider(t, Config{Name: "work", HTTPClient: hc, KeyAdvice: tt.advice})
		_, _, _, chatErr := chat(t.Context(), p, userRequest("gpt-4o"))
		_, modelsErr := p.Models(t.Context())
		_, embedErr := p.Embed(t.Context(), "text-embedding-3-small", []string{"x"})
		for name, err := range map[string]error{"Chat": chatErr, "Models": modelsErr, "Embed": embedErr} {
			pe := asProviderError(t, err)
			if pe.Provider != "work" || pe.Kind != providers.KindAuth || pe.Message != tt.want {
				t.Errorf("%s: got %s %s %q, want work %s %q", name, pe.Provider, pe.Kind, pe.Message, providers.KindAuth, tt.want)
			}
		}
	}
}

// Another base URL may be a gateway that adds the key: the request goes,
// and an auth error then says that no key was configured.
func TestNoKeyGateway(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	o := providertest.NewOpenAI(t, providertest.WithOpenAIKey(testKey))
	p := newProvider(t, Config{Name: "work", BaseURL: o.URL(), KeyAdvice: "set WORK_KEY or run aiex keys set work"})
	_, _, _, err := chat(t.Context(), p, userRequest(providertest.DefaultOpenAIModel))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindAuth || !strings.HasPrefix(pe.Message, "You didn't provide an API key.") ||
		!strings.HasSuffix(pe.Message, " (no API key configured: set WORK_KEY or run aiex keys set work)") {
		t.Errorf("got %s %q", pe.Kind, pe.Message)
	}
	// With a key, an auth error is the server's alone.
	_, p = startFake(t, providertest.WithStatus(401, "Incorrect API key provided"))
	_, _, _, err = chat(t.Context(), p, userRequest(providertest.DefaultOpenAIModel))
	if pe := asProviderError(t, err); strings.Contains(pe.Message, "no API key configured") {
		t.Errorf("with a key: %q", pe.Message)
	}
}
