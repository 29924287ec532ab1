package lmstudio

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefusedKeyAdvice: a server that refuses requests for their key (401
// in its own error body, as LM Studio does with "Require authentication"
// on) is answered, on both of its APIs, with the server's message and
// what to do (Config.KeyAdvice): another key when one was refused, a key
// when none was sent. Without advice configured, the message alone.
func TestRefusedKeyAdvice(t *testing.T) {
	const advice = "run aiex keys set lms"
	calls := map[string]func(ctx context.Context, p *Provider) error{
		"chat": func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, providers.Request{Model: providertest.DefaultLMStudioModel,
				Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}, func(providers.Chunk) error { return nil })
			return err
		},
		"embed": func(ctx context.Context, p *Provider) error {
			_, _, err := p.EmbedUsage(ctx, providertest.DefaultLMStudioEmbeddingModel, []string{"x"})
			return err
		},
		"models": func(ctx context.Context, p *Provider) error {
			_, err := p.Models(ctx)
			return err
		},
	}
	for _, tt := range []struct {
		name, key, advice, want string
	}{
		{"refused", "sk-lm-wrong-123456", advice, " (the API key was refused; to give another: " + advice + ")"},
		{"none sent", "", advice, " (no API key configured: " + advice + ")"},
		{"no advice", "sk-lm-wrong-123456", "", ""},
	} {
		srv := providertest.NewLMStudio(t, providertest.WithCredentialEcho(401))
		p, err := New(Config{Name: "lms", BaseURL: srv.URL(), APIKey: tt.key, KeyAdvice: tt.advice})
		if err != nil {
			t.Fatal(err)
		}
		for name, call := range calls {
			err := call(context.Background(), p)
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Kind != providers.KindAuth || pe.StatusCode != 401 {
				t.Fatalf("%s, %s: err = %v; want the server's 401", tt.name, name, err)
			}
			switch {
			case tt.want == "" && (strings.Contains(pe.Message, "to give another") || strings.Contains(pe.Message, "no API key configured")):
				t.Errorf("%s, %s: message %q; want the server's alone", tt.name, name, pe.Message)
			case tt.want != "" && (!strings.HasSuffix(pe.Message, tt.want) || strings.Count(pe.Message, advice) != 1):
				t.Errorf("%s, %s: message %q; want it to end %q, once", tt.name, name, pe.Message, tt.want)
			}
		}
	}
}
