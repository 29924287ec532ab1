package ollama

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestBaseURLWithAPIPath checks base URLs that end in a path Ollama's
// client adds itself: the address of its OpenAI-compatible API (/v1, which
// users copy from other tools) or of its native one (/api). Requests must
// still reach /api/chat and /api/tags, not /v1/api/chat; a path in front
// of those (a reverse proxy's prefix) is kept.
func TestBaseURLWithAPIPath(t *testing.T) {
	o := providertest.NewOllama(t, providertest.WithReply("Hi"))
	for _, suffix := range []string{"/", "/v1", "/v1/", "/api", "/api/"} {
		t.Run(suffix, func(t *testing.T) {
			p := newProvider(t, o.URL()+suffix)
			if p.Endpoint() != o.URL() {
				t.Errorf("Endpoint() = %q, want %q", p.Endpoint(), o.URL())
			}
			got, _, err := chat(t.Context(), p, userRequest("tiny"))
			if err != nil || strings.Join(got, "") != "Hi" {
				t.Fatalf("Chat = %q, %v; want Hi", got, err)
			}
			if ms, err := p.Models(t.Context()); err != nil || len(ms) == 0 {
				t.Errorf("Models = %v, %v; want the fake's models", ms, err)
			}
		})
	}
	p := newProvider(t, "https://gpu.example/ollama/")
	if got, want := p.Endpoint(), "https://gpu.example/ollama"; got != want {
		t.Errorf("Endpoint() with a prefix = %q, want %q", got, want)
	}
}
