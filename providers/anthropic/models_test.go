package anthropic

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestModels(t *testing.T) {
	released := time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC)
	// A page size of two makes Models follow the pages.
	_, p := startFake(t, providertest.WithAnthropicModelsPageSize(2), providertest.WithModels(
		providertest.Model{Name: "claude-opus-4-6", ContextLength: 1_000_000, ModifiedAt: released},
		providertest.Model{Name: "claude-sonnet-4-5-20250929", ContextLength: 200_000, ModifiedAt: released.Add(-24 * time.Hour)},
		providertest.Model{Name: "claude-3-5-haiku-20241022", ModifiedAt: released.Add(-48 * time.Hour)},
		providertest.Model{Name: "claude-mystery", ModifiedAt: released.Add(-72 * time.Hour)},
	))
	got, err := p.Models(t.Context())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	want := []providers.Model{
		{Name: "claude-opus-4-6", ContextWindow: 1_000_000, ModifiedAt: released},
		{Name: "claude-sonnet-4-5-20250929", ContextWindow: 200_000, ModifiedAt: released.Add(-24 * time.Hour)},
		// Not reported by the API: the built-in table, or unknown.
		{Name: "claude-3-5-haiku-20241022", ContextWindow: 200_000, ModifiedAt: released.Add(-48 * time.Hour)},
		{Name: "claude-mystery", ModifiedAt: released.Add(-72 * time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
}

func TestModelsEmpty(t *testing.T) {
	_, p := startFake(t, providertest.WithModels())
	got, err := p.Models(t.Context())
	if err != nil || len(got) != 0 {
		t.Errorf("Models = %v, %v; want none", got, err)
	}
}

func TestModelsErrors(t *testing.T) {
	a := providertest.NewAnthropic(t, providertest.WithAnthropicKey("sk-other"))
	_, err := newProvider(t, a.URL()).Models(t.Context())
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindAuth || pe.StatusCode != 401 || pe.Message != "invalid x-api-key (the API key was refused; to give another: set ANTHROPIC_API_KEY)" {
		t.Errorf("got %s %d %q, want auth 401", pe.Kind, pe.StatusCode, pe.Message)
	}

	url := providertest.Unreachable(t)
	_, err = newProvider(t, url).Models(t.Context())
	pe = asProviderError(t, err)
	if pe.Kind != providers.KindUnavailable || pe.Message != "cannot reach Anthropic at "+url+": connection refused" {
		t.Errorf("got %s %q", pe.Kind, pe.Message)
	}

	_, p := startFake(t, providertest.WithAnthropicLatency(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := p.Models(ctx); !errors.Is(err, context.DeadlineExceeded) || providers.KindOf(err) != "" {
		t.Errorf("err = %v, want a plain deadline error", err)
	}
}

// TestModelsStopsWithoutProgress runs against a server whose every page
// says there is more after the same model, as a broken proxy might: Models
// must stop rather than ask for the same page forever.
func TestModelsStopsWithoutProgress(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[{"type":"model","id":"claude-x","display_name":"Claude X","created_at":"2026-01-02T00:00:00Z"}],"has_more":true,"first_id":"claude-x","last_id":"claude-x"}`)
	}))
	defer srv.Close()
	ms, err := newProvider(t, srv.URL).Models(t.Context())
	if err != nil || len(ms) != 1 || ms[0].Name != "claude-x" {
		t.Errorf("Models = %v, %v; want claude-x once", ms, err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("server got %d requests, want 2", n)
	}
}
