package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestReloadProviders: a key stored after the providers were built is
// used once they are reloaded (a running node after aiex keys set).
func TestReloadProviders(t *testing.T) {
	const key = "sk-test-reload-0123456789"
	fake := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithOpenAIKey(key))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"openai": {BaseURL: fake.URL()}})
	req := ask.Request{Prompt: "hi", Provider: "openai", Model: providertest.DefaultOpenAIModel}
	if _, err := a.Ask(ctx, req, func(string) error { return nil }); err == nil {
		t.Fatal("asked without a key and succeeded")
	}
	if _, err := a.Keys.Set(ctx, "openai", key); err != nil {
		t.Fatal(err)
	}
	a.ReloadProviders()
	if _, err := a.Ask(ctx, req, func(string) error { return nil }); err != nil {
		t.Fatalf("after the key was stored and the providers reloaded: %v", err)
	}
}
