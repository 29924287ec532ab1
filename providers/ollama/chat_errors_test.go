package ollama

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestStreamErrors(t *testing.T) {
	const endpointPlaceholder = "ENDPOINT"
	tests := []struct {
		name        string
		opts        []providertest.Option
		model       string
		wantKind    providers.ErrorKind
		wantStatus  int
		wantMessage string // ENDPOINT stands for the server's URL
		wantModels  []string
		wantRetry   time.Duration
		// orMessage is also accepted: a socket closed with unread input
		// resets instead of ending.
		orMessage string
	}{
		{
			name:  "model not found lists models",
			opts:  []providertest.Option{providertest.WithModels(providertest.Model{Name: "tiny:latest"}, providertest.Model{Name: "llama3:latest"})},
			model: "x", wantKind: providers.KindNotFound, wantStatus: 404,
			wantMessage: `model "x" not found; available: tiny, llama3`,
			wantModels:  []string{"tiny:latest", "llama3:latest"},
		},
		{
			// A model the server lists and refuses (still being pulled):
			// not "not found; available: …, tiny".
			name:  "listed model refused",
			opts:  []providertest.Option{providertest.WithModels(providertest.Model{Name: "tiny:latest"}), providertest.WithStatus(404, "model 'tiny' not found")},
			model: "tiny", wantKind: providers.KindNotFound, wantStatus: 404,
			wantMessage: "Ollama lists model \"tiny\" but refused it (model 'tiny' not found); it may still be downloading or be damaged: pull it again with `ollama pull tiny`",
			wantModels:  []string{"tiny:latest"},
		},
		{
			name:  "model not found on empty server",
			opts:  []providertest.Option{providertest.WithModels()},
			model: "x", wantKind: providers.KindNotFound, wantStatus: 404,
			wantMessage: "model \"x\" not found; no models installed; pull one with `ollama pull NAME`",
		},
		{
			name:  "rate limited",
			opts:  []providertest.Option{providertest.WithStatus(429, "too many requests"), providertest.WithRetryAfter(7)},
			model: "tiny", wantKind: providers.KindRateLimited, wantStatus: 429,
			wantMessage: "too many requests", wantRetry: 7 * time.Second,
		},
		{
			name:  "server busy",
			opts:  []providertest.Option{providertest.WithStatus(503, "server busy, please try again.  maximum pending requests exceeded")},
			model: "tiny", wantKind: providers.KindOverloaded, wantStatus: 503,
			wantMessage: "server busy, please try again.  maximum pending requests exceeded",
		},
		{
			name:  "internal error",
			opts:  []providertest.Option{providertest.WithStatus(500, "model runner has unexpectedly stopped")},
			model: "tiny", wantKind: providers.KindUnavailable, wantStatus: 500,
			wantMessage: "model runner has unexpectedly stopped",
		},
		{
			name:  "bad gateway",
			opts:  []providertest.Option{providertest.WithStatus(502, "bad gateway")},
			model: "tiny", wantKind: providers.KindUnavailable, wantStatus: 502, wantMessage: "bad gateway",
		},
		{
			// A proxy in front of Ollama that gave up waiting: sent
			// again, the request may well succeed.
			name:  "proxy timeout",
			opts:  []providertest.Option{providertest.WithStatus(408, "request timeout")},
			model: "tiny", wantKind: providers.KindUnavailable, wantStatus: 408, wantMessage: "request timeout",
		},
		{
			name:  "conflict",
			opts:  []providertest.Option{providertest.WithStatus(409, "conflict")},
			model: "tiny", wantKind: providers.KindUnavailable, wantStatus: 409, wantMessage: "conflict",
		},
		{
			name:  "bad request",
			opts:  []providertest.Option{providertest.WithStatus(400, "top_logprobs must be between 0 and 20")},
			model: "tiny", wantKind: providers.KindBadRequest, wantStatus: 400,
			wantMessage: "top_logprobs must be between 0 and 20",
		},
		{
			name:  "context too long",
			opts:  []providertest.Option{providertest.WithStatus(400, "the input length exceeds the context length")},
			model: "tiny", wantKind: providers.KindContextTooLong, wantStatus: 400,
			wantMessage: "the input length exceeds the context length",
		},
		{
			name:  "context too long without truncation",
			opts:  []providertest.Option{providertest.WithStatus(500, "input exceeds maximum context length and cannot be truncated further")},
			model: "tiny", wantKind: providers.KindContextTooLong, wantStatus: 500,
			wantMessage: "input exceeds maximum context length and cannot be truncated further",
		},
		{
			name:  "unauthorized",
			opts:  []providertest.Option{providertest.WithStatus(401, "unauthorized")},
			model: "tiny", wantKind: providers.KindAuth, wantStatus: 401,
			wantMessage: "Ollama at ENDPOINT refused the request: 401 Unauthorized",
		},
		{
			name:  "out of credit",
			opts:  []providertest.Option{providertest.WithStatus(402, "payment required")},
			model: "tiny", wantKind: providers.KindAuth, wantStatus: 402,
			wantMessage: "payment required (the account is out of credit: add credit or check its billing settings)",
		},
		{
			name:  "forbidden",
			opts:  []providertest.Option{providertest.WithStatus(403, "remote model is unavailable")},
			model: "tiny", wantKind: providers.KindAuth, wantStatus: 403,
			wantMessage: "remote model is unavailable",
		},
		{
			name:  "stream breaks",
			opts:  []providertest.Option{providertest.WithReply("a", "b", "c"), providertest.WithBrokenStream(2)},
			model: "tiny", wantKind: providers.KindInterrupted,
			wantMessage: "the answer from Ollama at ENDPOINT broke off after 2 chunks: unexpected EOF",
			orMessage:   "the answer from Ollama at ENDPOINT broke off after 2 chunks: connection reset",
		},
		{
			name:  "stream ends without done",
			opts:  []providertest.Option{providertest.WithReply("a", "b", "c"), providertest.WithTruncatedStream(2)},
			model: "tiny", wantKind: providers.KindInterrupted,
			wantMessage: "the answer from Ollama at ENDPOINT ended after 2 chunks without its final response",
		},
		{
			name:  "error inside the stream",
			opts:  []providertest.Option{providertest.WithStreamError(1, "an error was encountered while running the model: unexpected EOF")},
			model: "tiny", wantKind: providers.KindInterrupted,
			wantMessage: "Ollama stopped the answer: an error was encountered while running the model: unexpected EOF",
		},
		{
			name:  "context length inside the stream",
			opts:  []providertest.Option{providertest.WithStreamError(1, "the input length exceeds the context length")},
			model: "tiny", wantKind: providers.KindContextTooLong,
			wantMessage: "Ollama stopped the answer: the input length exceeds the context length",
		},
	}
	for _, op := range streamOps() {
		for _, tt := range tests {
			t.Run(op.name+"/"+tt.name, func(t *testing.T) {
				o, p := startFake(t, tt.opts...)
				res, err := op.run(t.Context(), p, tt.model, func(providers.Chunk) error { return nil })
				pe := asProviderError(t, err)
				got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode,
					Message: pe.Message, Models: pe.Models, RetryAfter: pe.RetryAfter}
				want := providers.Error{Provider: "ollama", Kind: tt.wantKind, StatusCode: tt.wantStatus,
					Message: strings.ReplaceAll(tt.wantMessage, endpointPlaceholder, o.URL()),
					Models:  tt.wantModels, RetryAfter: tt.wantRetry}
				if alt := strings.ReplaceAll(tt.orMessage, endpointPlaceholder, o.URL()); alt != "" && got.Message == alt {
					want.Message = alt
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				if res.Model != tt.model {
					t.Errorf("Result.Model = %q, want %q", res.Model, tt.model)
				}
				if providers.KindOf(err) != tt.wantKind {
					t.Errorf("KindOf = %q", providers.KindOf(err))
				}
			})
		}
	}
}

// TestStreamErrorWithoutBody checks error answers that have no body, as a
// proxy in front of Ollama sends them: the api client returns no error for
// them, yet the status must decide the kind (a 401 or 400 is not worth
// retrying), the Retry-After header must still count, and the message says
// where the empty answer came from.
func TestStreamErrorWithoutBody(t *testing.T) {
	tests := []struct {
		status      int
		wantKind    providers.ErrorKind
		wantMessage string // ENDPOINT stands for the server's URL
	}{
		{401, providers.KindAuth, "401 Unauthorized from ENDPOINT (empty body)"},
		{402, providers.KindAuth, "402 Payment Required from ENDPOINT (empty body; the account is out of credit: add credit or check its billing settings)"},
		{403, providers.KindAuth, "403 Forbidden from ENDPOINT (empty body)"},
		{404, providers.KindNotFound, "404 Not Found from ENDPOINT (empty body)"},
		{429, providers.KindRateLimited, "429 Too Many Requests from ENDPOINT (empty body)"},
		{400, providers.KindBadRequest, "400 Bad Request from ENDPOINT (empty body)"},
		{500, providers.KindUnavailable, "500 Internal Server Error from ENDPOINT (empty body)"},
		{503, providers.KindOverloaded, "503 Service Unavailable from ENDPOINT (empty body)"},
	}
	for _, op := range streamOps() {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", op.name, tt.status), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "7")
					w.WriteHeader(tt.status)
				}))
				t.Cleanup(srv.Close)
				p := newProvider(t, srv.URL)
				_, err := op.run(t.Context(), p, "tiny", func(providers.Chunk) error { return nil })
				pe := asProviderError(t, err)
				got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode,
					Message: pe.Message, RetryAfter: pe.RetryAfter}
				want := providers.Error{Provider: "ollama", Kind: tt.wantKind, StatusCode: tt.status,
					Message: strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL), RetryAfter: 7 * time.Second}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestErrorAnswersOfProxies checks the error answers of proxies in front of
// Ollama, which are not its {"error": "…"}, for every call: the message
// says who answered and why on one line, where the api client would have
// made it the page's first line, or the whole page.
func TestErrorAnswersOfProxies(t *testing.T) {
	calls := map[string]func(ctx context.Context, p *Provider) error{
		"chat": func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, providers.Request{Model: "tiny", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			return err
		},
		"embed": func(ctx context.Context, p *Provider) error {
			_, err := p.Embed(ctx, "tiny", []string{"hi"})
			return err
		},
		"models":         func(ctx context.Context, p *Provider) error { _, err := p.Models(ctx); return err },
		"context window": func(ctx context.Context, p *Provider) error { _, err := p.ContextWindow(ctx, "tiny"); return err },
		"prompt window":  func(ctx context.Context, p *Provider) error { _, err := p.PromptWindow(ctx, "tiny"); return err },
	}
	for _, a := range providertest.ProxyAnswers {
		url := providertest.NewProxy(t, a)
		p := newProvider(t, url)
		for name, call := range calls {
			t.Run(a.Name+"/"+name, func(t *testing.T) {
				pe := asProviderError(t, call(t.Context(), p))
				want := fmt.Sprintf("%d %s from %s (%s)", a.Status, http.StatusText(a.Status), url, a.Note)
				if pe.StatusCode != a.Status || pe.Message != want {
					t.Errorf("got %d %q, want %d %q", pe.StatusCode, pe.Message, a.Status, want)
				}
			})
		}
	}
}

// TestOllamaErrorKeepsItsMessage checks that Ollama's own error answer
// keeps its message.
func TestOllamaErrorKeepsItsMessage(t *testing.T) {
	srv := providertest.NewRaw(t, 500, http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		`{"error":"llama runner process has terminated: exit status 2"}`, 0)
	p := newProvider(t, srv.URL)
	_, err := p.Chat(t.Context(), providers.Request{Model: "tiny", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(providers.Chunk) error { return nil })
	if pe := asProviderError(t, err); pe.Message != "llama runner process has terminated: exit status 2" {
		t.Errorf("Message = %q", pe.Message)
	}
}
