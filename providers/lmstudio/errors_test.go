package lmstudio

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

// TestErrorWithoutBody checks error answers that have no body, as a proxy in
// front of LM Studio sends them, on both of its APIs: the status decides the
// kind, the Retry-After header counts, and the message names the address
// the request went to (the OpenAI-compatible API's, under /v1, or the
// server's) and says the answer was empty.
func TestErrorWithoutBody(t *testing.T) {
	calls := []struct {
		name string
		api  string // the path the message names after the server's URL
		run  func(ctx context.Context, p *Provider) error
	}{
		{"chat", "/v1", func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, providers.Request{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			return err
		}},
		{"embed", "/v1", func(ctx context.Context, p *Provider) error {
			_, err := p.Embed(ctx, "m", []string{"hi"})
			return err
		}},
		{"models", "", func(ctx context.Context, p *Provider) error {
			_, err := p.Models(ctx)
			return err
		}},
		{"prompt window", "", func(ctx context.Context, p *Provider) error {
			_, err := p.PromptWindow(ctx, "m")
			return err
		}},
	}
	tests := []struct {
		status      int
		wantKind    providers.ErrorKind
		wantMessage string
	}{
		{401, providers.KindAuth, "401 Unauthorized from ENDPOINT (empty body)"},
		{402, providers.KindAuth, "402 Payment Required from ENDPOINT (empty body; the account is out of credit: add credit or check its billing settings)"},
		{429, providers.KindRateLimited, "429 Too Many Requests from ENDPOINT (empty body)"},
		{400, providers.KindBadRequest, "400 Bad Request from ENDPOINT (empty body)"},
		{503, providers.KindOverloaded, "503 Service Unavailable from ENDPOINT (empty body)"},
		{408, providers.KindUnavailable, "408 Request Timeout from ENDPOINT (empty body)"},
		{409, providers.KindUnavailable, "409 Conflict from ENDPOINT (empty body)"},
	}
	for _, c := range calls {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", c.name, tt.status), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "7")
					w.WriteHeader(tt.status)
				}))
				t.Cleanup(srv.Close)
				p, err := New(Config{BaseURL: srv.URL})
				if err != nil {
					t.Fatal(err)
				}
				pe := asProviderError(t, c.run(t.Context(), p))
				got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode,
					Message: pe.Message, RetryAfter: pe.RetryAfter}
				want := providers.Error{Provider: "lmstudio", Kind: tt.wantKind, StatusCode: tt.status,
					Message: strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL+c.api), RetryAfter: 7 * time.Second}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestErrorAnswersOfProxies checks the error answers of proxies in front of
// LM Studio, which are not its JSON error, on both of its APIs: the message
// says who answered and why.
func TestErrorAnswersOfProxies(t *testing.T) {
	for _, a := range providertest.ProxyAnswers {
		t.Run(a.Name, func(t *testing.T) {
			url := providertest.NewProxy(t, a)
			p, err := New(Config{BaseURL: url})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Models(t.Context())
			pe := asProviderError(t, err)
			if want := fmt.Sprintf("%d %s from %s (%s)", a.Status, http.StatusText(a.Status), url, a.Note); pe.StatusCode != a.Status || pe.Message != want {
				t.Errorf("Models: got %d %q, want %d %q", pe.StatusCode, pe.Message, a.Status, want)
			}
			_, err = p.Chat(t.Context(), providers.Request{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			pe = asProviderError(t, err)
			if want := fmt.Sprintf("%d %s from %s/v1 (%s)", a.Status, http.StatusText(a.Status), url, a.Note); pe.StatusCode != a.Status || pe.Message != want {
				t.Errorf("Chat: got %d %q, want %d %q", pe.StatusCode, pe.Message, a.Status, want)
			}
		})
	}
}

// TestNativeJSONErrorKeepsItsMessage checks that LM Studio's own error
// keeps its message as it is.
func TestNativeJSONErrorKeepsItsMessage(t *testing.T) {
	srv := providertest.NewRaw(t, 500, http.Header{"Content-Type": {"application/json"}}, `{"error":"Failed to load model"}`, 0)
	p, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Models(t.Context())
	if pe := asProviderError(t, err); pe.Message != "Failed to load model" || pe.Kind != providers.KindUnavailable {
		t.Errorf("got %s %q, want unavailable %q", pe.Kind, pe.Message, "Failed to load model")
	}
}
