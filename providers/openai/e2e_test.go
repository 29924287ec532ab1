package openai

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
)

// TestE2EOllama talks to a real Ollama through its OpenAI-compatible API.
// It runs when AIEX_E2E=1, against the server OLLAMA_HOST names, e.g. after
//
//	eval "$(scripts/ollama-dev start)"
//
// which serves the tiny random-weight model "tiny" (64-dim embeddings).
func TestE2EOllama(t *testing.T) {
	if os.Getenv("AIEX_E2E") != "1" {
		t.Skip("set AIEX_E2E=1 (and OLLAMA_HOST) to run against a real Ollama")
	}
	host := os.Getenv("OLLAMA_HOST")
	if host == "" {
		t.Fatal("AIEX_E2E=1 but OLLAMA_HOST is not set; run: eval \"$(scripts/ollama-dev start)\"")
	}
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	model := os.Getenv("AIEX_MODEL")
	if model == "" {
		model = "tiny"
	}
	// The test's own client, so that its idle connections to the server
	// can be closed before the leak check.
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(hc.CloseIdleConnections)
	p := newProvider(t, Config{Name: "e2e", Kind: KindCompatible, BaseURL: strings.TrimRight(host, "/") + "/v1", HTTPClient: hc})

	t.Run("chat", func(t *testing.T) {
		zero := 0.0
		var chunks []string
		res, err := p.Chat(t.Context(), providers.Request{
			Model:       model,
			Messages:    []providers.Message{{Role: providers.RoleUser, Content: "Say hello."}},
			Temperature: &zero,
			MaxTokens:   16,
		}, func(c providers.Chunk) error {
			chunks = append(chunks, c.Text)
			return nil
		})
		if err != nil {
			t.Fatalf("Chat: %v", err)
		}
		t.Logf("%d chunks %q, result %+v", len(chunks), strings.Join(chunks, ""), res)
		if len(chunks) < 2 {
			t.Errorf("got %d chunks, want several", len(chunks))
		}
		if res.Usage.PromptTokens <= 0 || res.Usage.CompletionTokens <= 0 {
			t.Errorf("usage = %+v, want prompt and completion tokens", res.Usage)
		}
		if res.StopReason == "" {
			t.Error("no stop reason")
		}
	})

	t.Run("models", func(t *testing.T) {
		ms, err := p.Models(t.Context())
		if err != nil {
			t.Fatalf("Models: %v", err)
		}
		found := false
		for _, m := range ms {
			found = found || m.Name == model+":latest"
			if !m.Local {
				t.Errorf("model %s not Local on a loopback server", m.Name)
			}
		}
		if !found {
			t.Errorf("models %+v lack %s:latest", ms, model)
		}
	})

	t.Run("embeddings", func(t *testing.T) {
		vecs, err := p.Embed(t.Context(), model, []string{"hello", "world"})
		if err != nil {
			t.Fatalf("Embed: %v", err)
		}
		if len(vecs) != 2 || len(vecs[0]) != 64 || len(vecs[1]) != 64 {
			t.Errorf("got %d vectors of %d dims, want 2 of 64", len(vecs), len(vecs[0]))
		}
	})

	t.Run("missing model", func(t *testing.T) {
		_, err := p.Chat(t.Context(), providers.Request{Model: "no-such-model",
			Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}, func(providers.Chunk) error { return nil })
		if k := providers.KindOf(err); k != providers.KindNotFound {
			t.Fatalf("err = %v, want kind not_found", err)
		}
		pe := err.(*providers.Error)
		t.Logf("not found: %v (models %v)", pe, pe.Models)
		if len(pe.Models) == 0 {
			t.Error("no models listed")
		}
	})
}
