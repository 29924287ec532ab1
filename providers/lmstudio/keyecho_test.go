package lmstudio

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestErrorsHideEchoedKey runs against a server that refuses every request,
// on both of LM Studio's APIs, and quotes back the bearer key, or the base
// URL's password sent as Basic authentication, in its error body and a
// header, as a proxy in front of LM Studio may: no error may pass them on.
func TestErrorsHideEchoedKey(t *testing.T) {
	const (
		key            = "sk-lm-Zq7xW2pL:m9Kc4TvB8nR1yH6dF3gJ"
		user, password = "user", "s3cret-proxy-pass"
	)
	secrets := []string{key, password, providertest.BasicToken(user, password)}
	calls := []struct {
		name string
		run  func(ctx context.Context, p *Provider) error
	}{
		{"chat", func(ctx context.Context, p *Provider) error {
			_, err := p.Chat(ctx, providers.Request{Model: providertest.DefaultLMStudioModel,
				Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}, func(providers.Chunk) error { return nil })
			return err
		}},
		{"embed", func(ctx context.Context, p *Provider) error {
			_, err := p.Embed(ctx, providertest.DefaultLMStudioEmbeddingModel, []string{"x"})
			return err
		}},
		{"models", func(ctx context.Context, p *Provider) error {
			_, err := p.Models(ctx)
			return err
		}},
		{"context window", func(ctx context.Context, p *Provider) error {
			_, err := p.ContextWindow(ctx, providertest.DefaultLMStudioModel)
			return err
		}},
		{"prompt window", func(ctx context.Context, p *Provider) error {
			_, err := p.PromptWindow(ctx, providertest.DefaultLMStudioModel)
			return err
		}},
	}
	for _, auth := range []struct {
		name     string
		key      string
		password bool
	}{{"key", key, false}, {"password", "", true}} {
		for _, code := range []int{401, 403} {
			l := providertest.NewLMStudio(t, providertest.WithCredentialEcho(code))
			u, err := url.Parse(l.URL())
			if err != nil {
				t.Fatal(err)
			}
			if auth.password {
				u.User = url.UserPassword(user, password)
			}
			p, err := New(Config{BaseURL: u.String(), APIKey: auth.key})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range calls {
				t.Run(fmt.Sprint(auth.name, " ", code, " ", c.name), func(t *testing.T) {
					err := c.run(t.Context(), p)
					pe, ok := err.(*providers.Error)
					if !ok {
						t.Fatalf("err = %#v, want *providers.Error", err)
					}
					providertest.CheckNoSecrets(t, err, secrets...)
					if pe.Kind != providers.KindAuth || pe.StatusCode != code {
						t.Errorf("got %s %d, want %s %d", pe.Kind, pe.StatusCode, providers.KindAuth, code)
					}
				})
			}
		}
	}
}
