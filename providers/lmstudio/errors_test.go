package lmstudio

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
)

// TestErrorWithoutBody checks error answers that have no body, as a proxy in
// front of LM Studio sends them, on both of its APIs: the status decides the
// kind and the Retry-After header counts.
func TestErrorWithoutBody(t *testing.T) {
	calls := []struct {
		name string
		run  func(ctx context.Context, p *Provider) error
	}{
		{"chat", func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, providers.Request{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			return err
		}},
		{"embed", func(ctx context.Context, p *Provider) error {
			_, err := p.Embed(ctx, "m", []string{"hi"})
			return err
		}},
		{"models", func(ctx context.Context, p *Provider) error {
			_, err := p.Models(ctx)
			return err
		}},
		{"prompt window", func(ctx context.Context, p *Provider) error {
			_, err := p.PromptWindow(ctx, "m")
			return err
		}},
	}
	tests := []struct {
		status      int
		wantKind    providers.ErrorKind
		wantMessage string
	}{
		{401, providers.KindAuth, "401 Unauthorized"},
		{402, providers.KindAuth, "402 Payment Required (the account is out of credit: add credit or check its billing settings)"},
		{429, providers.KindRateLimited, "429 Too Many Requests"},
		{400, providers.KindBadRequest, "400 Bad Request"},
		{503, providers.KindOverloaded, "503 Service Unavailable"},
		{408, providers.KindUnavailable, "408 Request Timeout"},
		{409, providers.KindUnavailable, "409 Conflict"},
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
					Message: tt.wantMessage, RetryAfter: 7 * time.Second}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
			})
		}
	}
}
