package ollama

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestEmbed(t *testing.T) {
	tests := []struct {
		name  string
		opts  []providertest.Option
		input []string
		dims  int
	}{
		{name: "one", input: []string{"hello"}, dims: providertest.DefaultOllamaEmbeddingDims},
		{name: "several in order", input: []string{"a", "b", "func main() {}"}, dims: 64},
		{name: "other dims", opts: []providertest.Option{providertest.WithOllamaEmbeddingDims(8)}, input: []string{"x", "y"}, dims: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, p := startFake(t, tt.opts...)
			got, err := p.Embed(t.Context(), "tiny", tt.input)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			var want [][]float32
			for _, s := range tt.input {
				want = append(want, providertest.OllamaEmbedding(s, tt.dims))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("vectors (-want +got):\n%s", diff)
			}
			reqs := o.EmbedRequests()
			if len(reqs) != 1 {
				t.Fatalf("server got %d embed requests, want 1 for all inputs", len(reqs))
			}
			if diff := cmp.Diff(toAny(tt.input), reqs[0].Input); diff != "" {
				t.Errorf("input on the wire (-want +got):\n%s", diff)
			}
		})
	}
}

// toAny is ss as JSON decodes an array of strings into an any.
func toAny(ss []string) any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestEmbedNoInput(t *testing.T) {
	o, p := startFake(t)
	for _, in := range [][]string{nil, {}} {
		got, err := p.Embed(t.Context(), "tiny", in)
		if got != nil || err != nil {
			t.Errorf("Embed(%v) = %v, %v; want nil, nil", in, got, err)
		}
	}
	if n := len(o.EmbedRequests()); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}

func TestEmbedSendsKeepAlive(t *testing.T) {
	keep := -time.Second
	o := providertest.NewOllama(t)
	p, err := New(Config{BaseURL: o.URL(), KeepAlive: &keep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Embed(t.Context(), "tiny", []string{"x"}); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	// Ollama decodes a negative keep_alive as the longest duration there is.
	if r := o.EmbedRequests()[0]; r.Model != "tiny" || r.KeepAlive == nil || r.KeepAlive.Duration != math.MaxInt64 {
		t.Errorf("request = %+v, want model tiny and keep_alive forever", r)
	}
}

func TestEmbedErrors(t *testing.T) {
	tests := []struct {
		name        string
		opts        []providertest.Option
		model       string
		wantKind    providers.ErrorKind
		wantStatus  int
		wantMessage string
		wantModels  []string
		wantRetry   time.Duration
	}{
		{
			name:  "model not found lists models",
			opts:  []providertest.Option{providertest.WithModels(providertest.Model{Name: "tiny:latest"}, providertest.Model{Name: "nomic-embed-text:latest"})},
			model: "x", wantKind: providers.KindNotFound, wantStatus: 404,
			wantMessage: `model "x" not found; available: tiny, nomic-embed-text`,
			wantModels:  []string{"tiny:latest", "nomic-embed-text:latest"},
		},
		{
			name:  "rate limited",
			opts:  []providertest.Option{providertest.WithStatus(429, "too many requests"), providertest.WithRetryAfter(3)},
			model: "tiny", wantKind: providers.KindRateLimited, wantStatus: 429,
			wantMessage: "too many requests", wantRetry: 3 * time.Second,
		},
		{
			name:  "server busy",
			opts:  []providertest.Option{providertest.WithStatus(503, "server busy, please try again.  maximum pending requests exceeded")},
			model: "tiny", wantKind: providers.KindOverloaded, wantStatus: 503,
			wantMessage: "server busy, please try again.  maximum pending requests exceeded",
		},
		{
			name:  "context too long",
			opts:  []providertest.Option{providertest.WithStatus(400, "input exceeds maximum context length and cannot be truncated further")},
			model: "tiny", wantKind: providers.KindContextTooLong, wantStatus: 400,
			wantMessage: "input exceeds maximum context length and cannot be truncated further",
		},
		{
			name:  "not an embedding model",
			opts:  []providertest.Option{providertest.WithStatus(500, "this model does not support embeddings")},
			model: "tiny", wantKind: providers.KindUnavailable, wantStatus: 500,
			wantMessage: "this model does not support embeddings",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			_, err := p.Embed(t.Context(), tt.model, []string{"hello"})
			pe := asProviderError(t, err)
			got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode,
				Message: pe.Message, Models: pe.Models, RetryAfter: pe.RetryAfter}
			want := providers.Error{Provider: "ollama", Kind: tt.wantKind, StatusCode: tt.wantStatus,
				Message: tt.wantMessage, Models: tt.wantModels, RetryAfter: tt.wantRetry}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmbedUnreachable(t *testing.T) {
	url := providertest.Unreachable(t)
	p := newProvider(t, url)
	_, err := p.Embed(t.Context(), "tiny", []string{"x"})
	pe := asProviderError(t, err)
	want := fmt.Sprintf("cannot reach Ollama at %s: connection refused", url)
	if pe.Kind != providers.KindUnavailable || pe.Message != want {
		t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindUnavailable, want)
	}
}

func TestEmbedContextCancelled(t *testing.T) {
	_, p := startFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.Embed(ctx, "tiny", []string{"x"})
	if !errors.Is(err, context.Canceled) || providers.KindOf(err) != "" {
		t.Errorf("err = %v, want a plain context.Canceled", err)
	}
	if want := "ollama: embed tiny: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want it to start with %q", err, want)
	}
}

// TestEmbedBadAnswers serves what no Ollama sends, from a handler of its own.
func TestEmbedBadAnswers(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		wantKind    providers.ErrorKind
		wantMessage string // ENDPOINT stands for the server's URL
	}{
		{
			name: "too few vectors",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"model":"tiny","embeddings":[[0.6,0.8]]}`)
			},
			wantKind: providers.KindUnavailable, wantMessage: "unexpected answer from Ollama at ENDPOINT: got 1 embeddings for 2 inputs",
		},
		{
			name: "not JSON",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `<html>proxy login</html>`)
			},
			wantKind: providers.KindUnavailable, wantMessage: "unexpected answer from Ollama at ENDPOINT: invalid character '<' looking for beginning of value",
		},
		{
			name: "wrong shape",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"embeddings":"none"}`)
			},
			wantKind: providers.KindUnavailable, wantMessage: "unexpected answer from Ollama at ENDPOINT: json: cannot unmarshal string into Go struct field EmbedResponse.embeddings of type [][]float32",
		},
		{
			name: "body cut short",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				fmt.Fprint(w, `{"model":"tiny","embeddings":[[0.6,`)
			},
			wantKind: providers.KindInterrupted, wantMessage: "the embeddings from Ollama at ENDPOINT broke off: unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			p := newProvider(t, srv.URL)
			_, err := p.Embed(t.Context(), "tiny", []string{"a", "b"})
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != tt.wantKind || pe.Message != want {
				t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, tt.wantKind, want)
			}
			if pe.Err == nil {
				t.Error("Err is nil, want the cause")
			}
		})
	}
}

// TestEmbedUsage: EmbedUsage returns the vectors Embed does and the tokens
// Ollama counted for the inputs (prompt_eval_count), which the
// coordinator's token rate limits take.
func TestEmbedUsage(t *testing.T) {
	_, p := startFake(t)
	input := []string{"func main() {}", "a b"}
	vecs, u, err := p.EmbedUsage(t.Context(), "tiny", input)
	if err != nil || len(vecs) != 2 {
		t.Fatalf("EmbedUsage: %d vectors, %v", len(vecs), err)
	}
	// The fake counts a token a word and a start token an input.
	if want := 5 + len(input); u.PromptTokens != want {
		t.Errorf("prompt tokens %d; want %d", u.PromptTokens, want)
	}
	if _, u, err := p.EmbedUsage(t.Context(), "tiny", nil); err != nil || u != (providers.Usage{}) {
		t.Errorf("no input: %+v, %v; want nothing asked, nothing used", u, err)
	}
}
