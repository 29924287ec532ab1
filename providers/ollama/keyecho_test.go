package ollama

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestErrorsHideEchoedPassword runs against a proxy in front of Ollama that
// refuses every request and quotes back the base URL's credentials, which
// net/http sends as Basic authentication, in Ollama's error body and a
// header: no error may pass them on. The api client drops the message of a
// 401, so it is the 403 that carries the echo into the error.
func TestErrorsHideEchoedPassword(t *testing.T) {
	const user, password = "user", "s3cret-proxy-pass"
	secrets := []string{password, providertest.BasicToken(user, password)}
	calls := []struct {
		name string
		run  func(ctx context.Context, p *Provider) error
	}{
		{"chat", func(ctx context.Context, p *Provider) error {
			_, _, err := chat(ctx, p, userRequest(providertest.DefaultModel))
			return err
		}},
		{"generate", func(ctx context.Context, p *Provider) error {
			_, _, err := generate(ctx, p, providertest.DefaultModel, "func main() {", "")
			return err
		}},
		{"embed", func(ctx context.Context, p *Provider) error {
			_, err := p.Embed(ctx, providertest.DefaultModel, []string{"x"})
			return err
		}},
		{"models", func(ctx context.Context, p *Provider) error {
			_, err := p.Models(ctx)
			return err
		}},
		{"context window", func(ctx context.Context, p *Provider) error {
			_, err := p.ContextWindow(ctx, providertest.DefaultModel)
			return err
		}},
	}
	for _, code := range []int{401, 403} {
		o := providertest.NewOllama(t, providertest.WithCredentialEcho(code))
		u, err := url.Parse(o.URL())
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(user, password)
		p := newProvider(t, u.String())
		for _, c := range calls {
			t.Run(fmt.Sprint(code, " ", c.name), func(t *testing.T) {
				err := c.run(t.Context(), p)
				pe := asProviderError(t, err)
				providertest.CheckNoSecrets(t, err, secrets...)
				if pe.Kind != providers.KindAuth || pe.StatusCode != code {
					t.Errorf("got %s %d, want %s %d", pe.Kind, pe.StatusCode, providers.KindAuth, code)
				}
				if code != 403 {
					return
				}
				want := "Incorrect API key provided: Authorization Basic [redacted]; user user password [redacted]"
				if pe.Message != want {
					t.Errorf("Message = %q, want %q", pe.Message, want)
				}
				var se api.StatusError
				if !errors.As(err, &se) {
					t.Fatalf("no api.StatusError in %v", err)
				}
				if se.ErrorMessage != want {
					t.Errorf("the api client's error says %q, want %q", se.ErrorMessage, want)
				}
				for _, s := range secrets {
					if strings.Contains(se.Status+se.ErrorMessage, s) {
						t.Errorf("the api client's error shows %q: %+v", s, se)
					}
				}
			})
		}
	}
}
