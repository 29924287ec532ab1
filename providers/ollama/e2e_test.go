package ollama

import (
	"encoding/json"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
)

// TestE2E talks to a real Ollama through its native API. It runs when
// AIEX_E2E is set, against the server OLLAMA_HOST names, e.g. after
//
//	eval "$(scripts/ollama-dev start)"
//
// which serves the tiny random-weight model "tiny" (64-dim embeddings,
// temperature 0). It leaves the server running.
func TestE2E(t *testing.T) {
	if os.Getenv("AIEX_E2E") == "" {
		t.Skip("end-to-end test against a real Ollama: run scripts/ollama-dev start, then AIEX_E2E=1 go test")
	}
	if os.Getenv("OLLAMA_HOST") == "" {
		t.Fatal(`AIEX_E2E is set but OLLAMA_HOST is not: eval "$(scripts/ollama-dev start)" first`)
	}
	model := os.Getenv("AIEX_MODEL")
	if model == "" {
		model = "tiny"
	}
	// The test's own client, so that its idle connections to the server
	// can be closed before the leak check.
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(hc.CloseIdleConnections)
	p, err := New(Config{Name: "e2e", HTTPClient: hc}) // follows OLLAMA_HOST
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Ollama at %s, model %s", p.Endpoint(), model)

	t.Run("embed", func(t *testing.T) {
		vecs, err := p.Embed(t.Context(), model, []string{"hello", "func main() {}"})
		if err != nil {
			t.Fatalf("Embed: %v", err)
		}
		if len(vecs) != 2 || len(vecs[0]) != 64 || len(vecs[1]) != 64 {
			t.Fatalf("got %d vectors, want 2 of 64 dims", len(vecs))
		}
		for i, v := range vecs {
			var sum float64
			for _, x := range v {
				sum += float64(x) * float64(x)
			}
			if math.Abs(sum-1) > 1e-3 {
				t.Errorf("vector %d: |v|² = %v, want 1 (Ollama normalises)", i, sum)
			}
		}
		if equalVectors(vecs[0], vecs[1]) {
			t.Error("different inputs gave the same vector")
		}
	})

	t.Run("generate", func(t *testing.T) {
		tests := []struct{ name, prompt, system string }{
			{"raw", "func main() {", ""},
			{"with system prompt", "Say hello.", "You are brief."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				chunks, res, err := generate(t.Context(), p, model, tt.prompt, tt.system)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				t.Logf("%d chunks %q, result %+v", len(chunks), strings.Join(chunks, ""), res)
				if len(chunks) < 2 {
					t.Errorf("got %d chunks, want several", len(chunks))
				}
				if res.Usage.PromptTokens <= 0 || res.Usage.CompletionTokens <= 0 || res.StopReason == "" {
					t.Errorf("result = %+v, want token counts and a stop reason", res)
				}
			})
		}
	})

	t.Run("chat with tools", func(t *testing.T) {
		// A random-weight model calls no tools, but the server must
		// accept the tools as sent and render them into its template.
		req := userRequest(model)
		req.Tools = []providers.Tool{{Name: "read_file", Description: "Read a file.",
			Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}}
		chunks, res, err := chat(t.Context(), p, req)
		if err != nil {
			t.Fatalf("Chat: %v", err)
		}
		t.Logf("%d chunks, result %+v", len(chunks), res)
		if res.Usage.PromptTokens <= 0 {
			t.Errorf("usage = %+v", res.Usage)
		}
	})

	t.Run("models show the model loaded", func(t *testing.T) {
		if _, _, err := generate(t.Context(), p, model, "x", ""); err != nil {
			t.Fatalf("Generate: %v", err)
		}
		ms, err := p.Models(t.Context())
		if err != nil {
			t.Fatalf("Models: %v", err)
		}
		t.Logf("models %+v", ms)
		found := false
		for _, m := range ms {
			if m.Name == model+":latest" {
				found = true
				if !m.Loaded {
					t.Errorf("%s is not Loaded right after a request", m.Name)
				}
			}
		}
		if !found {
			t.Errorf("models lack %s:latest", model)
		}
	})

	t.Run("missing model", func(t *testing.T) {
		_, err := p.Embed(t.Context(), "no-such-model", []string{"x"})
		if k := providers.KindOf(err); k != providers.KindNotFound {
			t.Fatalf("Embed: err = %v, want kind not_found", err)
		}
		if pe := err.(*providers.Error); len(pe.Models) == 0 {
			t.Errorf("Embed: %v lists no models", pe)
		}
		_, _, err = generate(t.Context(), p, "no-such-model", "x", "")
		if k := providers.KindOf(err); k != providers.KindNotFound {
			t.Fatalf("Generate: err = %v, want kind not_found", err)
		}
		t.Logf("not found: %v", err)
	})
}

func equalVectors(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
