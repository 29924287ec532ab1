package openai

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestBaseURLWithoutVersion checks a base URL that lacks the /v1 most
// servers put their API under (Ollama, vLLM, the fake): every call answers
// 404, which must say that the base URL is the likely culprit, not leave
// the user with the server's bare "404 page not found".
func TestBaseURLWithoutVersion(t *testing.T) {
	o := providertest.NewOpenAI(t)
	root := strings.TrimSuffix(o.URL(), "/v1")
	p := newProvider(t, Config{Kind: KindCompatible, BaseURL: root})
	calls := map[string]func(ctx context.Context) error{
		"chat": func(ctx context.Context) error {
			_, err := p.Chat(ctx, providers.Request{Model: model, Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			return err
		},
		"models": func(ctx context.Context) error { _, err := p.Models(ctx); return err },
		"embed":  func(ctx context.Context) error { _, err := p.Embed(ctx, model, []string{"hi"}); return err },
	}
	want := "is the base URL right? OpenAI-compatible servers usually serve their API under /v1, e.g. " + root + "/v1"
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call(t.Context())
			pe, ok := err.(*providers.Error)
			if !ok {
				t.Fatalf("err = %T %v, want *providers.Error", err, err)
			}
			if pe.StatusCode != 404 || !strings.Contains(pe.Message, want) {
				t.Errorf("got %d %q, want 404 and a message saying %q", pe.StatusCode, pe.Message, want)
			}
		})
	}
}

// TestNotFoundModelKeepsMessage checks that a model the server lacks is
// still reported as such, with the server's list, and without a word
// about the base URL, which is right.
func TestNotFoundModelKeepsMessage(t *testing.T) {
	_, p := startFake(t)
	_, err := p.Chat(t.Context(), providers.Request{Model: "nope", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(providers.Chunk) error { return nil })
	pe, ok := err.(*providers.Error)
	if !ok || pe.Kind != providers.KindNotFound || len(pe.Models) == 0 || strings.Contains(pe.Message, "base URL") {
		t.Errorf("err = %v (models %v), want not_found with the server's models and its own message", err, pe.Models)
	}
}

// TestNotFoundModelWithListThatHangs checks that a server whose list never
// answers does not hold the 404 it was to complete: the list is given a
// bounded share of the caller's time (providers.ListContext), and the
// model's not being found is reported, without a list.
func TestNotFoundModelWithListThatHangs(t *testing.T) {
	_, p := startFake(t, providertest.WithListLatency(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := p.Chat(ctx, providers.Request{Model: "nope", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(providers.Chunk) error { return nil })
	pe, ok := err.(*providers.Error)
	if !ok || pe.Kind != providers.KindNotFound || pe.StatusCode != 404 || ctx.Err() != nil {
		t.Fatalf("err = %v after %v, want the 404 (not_found) before the caller's deadline", err, time.Since(start))
	}
}
