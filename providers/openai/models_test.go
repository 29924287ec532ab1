package openai

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestModels(t *testing.T) {
	created := time.Date(2024, 7, 18, 0, 0, 0, 0, time.UTC)
	models := providertest.WithModels(
		providertest.Model{Name: "gpt-4o-mini", ModifiedAt: created},
		providertest.Model{Name: "o3", ModifiedAt: created.Add(-time.Hour)},
		providertest.Model{Name: "my-finetune", ModifiedAt: created.Add(-2 * time.Hour)},
		providertest.Model{Name: "text-embedding-3-small", ModifiedAt: created.Add(-3 * time.Hour)},
		providertest.Model{Name: "whisper-1", ModifiedAt: created.Add(-4 * time.Hour)},
		providertest.Model{Name: "gpt-4o-realtime-preview", ModifiedAt: created.Add(-5 * time.Hour)},
	)
	t.Run("openai", func(t *testing.T) {
		_, p := startFake(t, models)
		got, err := p.Models(t.Context())
		if err != nil {
			t.Fatalf("Models: %v", err)
		}
		want := []providers.Model{
			{Name: "gpt-4o-mini", ContextWindow: 128_000, ModifiedAt: created},
			{Name: "o3", ContextWindow: 200_000, ModifiedAt: created.Add(-time.Hour)},
			{Name: "my-finetune", ModifiedAt: created.Add(-2 * time.Hour)},
			{Name: "text-embedding-3-small", ModifiedAt: created.Add(-3 * time.Hour), NoChat: true},
			{Name: "whisper-1", ModifiedAt: created.Add(-4 * time.Hour), NoChat: true},
			{Name: "gpt-4o-realtime-preview", ContextWindow: 128_000, ModifiedAt: created.Add(-5 * time.Hour), NoChat: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Models (-want +got):\n%s", diff)
		}
	})
	t.Run("compatible on loopback", func(t *testing.T) {
		o := providertest.NewOpenAI(t, models)
		p := newProvider(t, Config{Kind: KindCompatible, BaseURL: o.URL()})
		got, err := p.Models(t.Context())
		if err != nil {
			t.Fatalf("Models: %v", err)
		}
		want := []providers.Model{
			{Name: "gpt-4o-mini", Local: true, ModifiedAt: created},
			{Name: "o3", Local: true, ModifiedAt: created.Add(-time.Hour)},
			{Name: "my-finetune", Local: true, ModifiedAt: created.Add(-2 * time.Hour)},
			// Another server: only a name that says embedding is told apart.
			{Name: "text-embedding-3-small", Local: true, ModifiedAt: created.Add(-3 * time.Hour), NoChat: true},
			{Name: "whisper-1", Local: true, ModifiedAt: created.Add(-4 * time.Hour)},
			{Name: "gpt-4o-realtime-preview", Local: true, ModifiedAt: created.Add(-5 * time.Hour)},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Models (-want +got):\n%s", diff)
		}
	})
}

func TestModelsErrors(t *testing.T) {
	t.Run("unreachable", func(t *testing.T) {
		p := newProvider(t, Config{Kind: KindCompatible, BaseURL: providertest.Unreachable(t) + "/v1"})
		_, err := p.Models(t.Context())
		if k := providers.KindOf(err); k != providers.KindUnavailable {
			t.Errorf("KindOf(%v) = %q, want %q", err, k, providers.KindUnavailable)
		}
	})
	t.Run("bad key", func(t *testing.T) {
		o, _ := startFake(t)
		p := newProvider(t, Config{BaseURL: o.URL(), APIKey: "sk-nope-nope-nope"})
		_, err := p.Models(t.Context())
		pe := asProviderError(t, err)
		if pe.Kind != providers.KindAuth || pe.StatusCode != 401 || pe.Models != nil {
			t.Errorf("err = %+v", pe)
		}
	})
}

func TestEmbed(t *testing.T) {
	o, p := startFake(t, providertest.WithOpenAIEmbeddingDims(16))
	got, err := p.Embed(t.Context(), model, []string{"alpha", "beta", "gamma"})
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d vectors, want 3", len(got))
	}
	for i, v := range got {
		if len(v) != 16 {
			t.Errorf("vector %d has %d dims, want 16", i, len(v))
		}
	}
	if cmp.Equal(got[0], got[1]) {
		t.Error("different inputs gave the same vector")
	}
	reqs := o.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/embeddings" {
		t.Fatalf("requests = %+v", reqs)
	}
	wantBody := map[string]any{"model": model, "input": []any{"alpha", "beta", "gamma"}, "encoding_format": "float"}
	if diff := cmp.Diff(any(wantBody), asJSON(t, reqs[0].Body)); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}

	none, err := p.Embed(t.Context(), model, nil)
	if err != nil || none != nil {
		t.Errorf("Embed(nil) = %v, %v; want nil, nil", none, err)
	}
	if n := len(o.Requests()); n != 1 {
		t.Errorf("Embed(nil) sent a request")
	}
}

func TestEmbedErrors(t *testing.T) {
	_, p := startFake(t, providertest.WithModels(providertest.Model{Name: "text-embedding-3-small"}))
	_, err := p.Embed(t.Context(), "text-embedding-9", []string{"x"})
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindNotFound || pe.StatusCode != 404 || !cmp.Equal(pe.Models, []string{"text-embedding-3-small"}) {
		t.Errorf("err = %+v", pe)
	}
}

// TestUnexpectedAnswers checks successful answers that are not what was
// asked for.
func TestUnexpectedAnswers(t *testing.T) {
	serve := func(t *testing.T, contentType, body string) *Provider {
		t.Helper()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL})
	}
	t.Run("models: not a list", func(t *testing.T) {
		p := serve(t, "application/json", `[{"id":"a"}]`)
		_, err := p.Models(t.Context())
		pe := asProviderError(t, err)
		if want := "the server at " + p.Endpoint() + " did not answer with a model list; is the base URL right?"; pe.Kind != providers.KindBadRequest || pe.Message != want {
			t.Errorf("got %s %q, want bad_request %q", pe.Kind, pe.Message, want)
		}
	})
	t.Run("models: a field of another type", func(t *testing.T) {
		p := serve(t, "application/json", `{"object":"list","data":[{"id":"a","created":"yesterday"},{"id":"b","created":1721260800}]}`)
		got, err := p.Models(t.Context())
		if err != nil {
			t.Fatalf("Models: %v", err)
		}
		want := []providers.Model{{Name: "a", Local: true}, {Name: "b", Local: true, ModifiedAt: time.Unix(1721260800, 0).UTC()}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Models (-want +got):\n%s", diff)
		}
	})
	t.Run("models: not JSON", func(t *testing.T) {
		p := serve(t, "text/html", "<html>a web page</html>")
		_, err := p.Models(t.Context())
		pe := asProviderError(t, err)
		want := "unexpected answer from the server at " + p.Endpoint() + ": malformed answer: invalid character '<' looking for beginning of value"
		if pe.Kind != providers.KindUnavailable || pe.Message != want {
			t.Errorf("got %s %q, want unavailable %q", pe.Kind, pe.Message, want)
		}
	})
	t.Run("embeddings: base64 though floats were asked for", func(t *testing.T) {
		p := serve(t, "application/json", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AAAAPw=="}]}`)
		_, err := p.Embed(t.Context(), "m", []string{"x"})
		pe := asProviderError(t, err)
		if pe.Kind != providers.KindUnavailable || !strings.HasPrefix(pe.Message, "unexpected answer from the server at "+p.Endpoint()+": malformed answer: ") {
			t.Errorf("got %s %q, want unavailable and a malformed answer", pe.Kind, pe.Message)
		}
	})
}
