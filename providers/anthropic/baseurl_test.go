package anthropic

import (
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestBaseURLWithVersion checks base URLs written the way other tools
// accept them, with the API version or a trailing slash: the requests
// still reach /v1/messages and /v1/models, not /v1/v1/….
func TestBaseURLWithVersion(t *testing.T) {
	a := providertest.NewAnthropic(t, providertest.WithAnthropicKey(testKey), providertest.WithReply("Hi"))
	for _, suffix := range []string{"/", "/v1", "/v1/"} {
		t.Run(suffix, func(t *testing.T) {
			p := newProvider(t, a.URL()+suffix)
			if p.Endpoint() != a.URL() {
				t.Errorf("Endpoint() = %q, want %q", p.Endpoint(), a.URL())
			}
			got, _, err := chat(t.Context(), p, userRequest(testModel))
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if ts := texts(got); len(ts) != 1 || ts[0] != "Hi" {
				t.Errorf("texts = %q, want [Hi]", ts)
			}
			if ms, err := p.Models(t.Context()); err != nil || len(ms) == 0 {
				t.Errorf("Models = %v, %v; want the fake's models", ms, err)
			}
		})
	}
}
