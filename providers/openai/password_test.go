package openai

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// secret is the password the tests put in base URLs; no error may show it.
const secret = "s3cretpass"

func TestNewHidesPassword(t *testing.T) {
	providertest.CheckNewRefusesBadBaseURL(t, func(base string) error {
		_, err := New(Config{Kind: KindCompatible, BaseURL: base})
		return err
	})
}

func TestErrorsHidePassword(t *testing.T) {
	withPassword := func(t *testing.T, base string) *Provider {
		t.Helper()
		base = providertest.WithPassword(t, base, secret)
		p := newProvider(t, Config{Kind: KindCompatible, BaseURL: base})
		if strings.Contains(p.Endpoint(), secret) {
			t.Errorf("Endpoint = %q", p.Endpoint())
		}
		return p
	}
	servers := map[string]string{
		"unreachable":  providertest.Unreachable(t) + "/v1",
		"server error": providertest.NewOpenAI(t, providertest.WithStatus(500, "The server had an error while processing your request.")).URL(),
		"no such path": providertest.NewOpenAI(t).URL() + "/v2",
	}
	for name, base := range servers {
		t.Run(name, func(t *testing.T) {
			p := withPassword(t, base)
			_, _, _, err := chat(t.Context(), p, userRequest(model))
			if err == nil {
				t.Fatal("Chat succeeded")
			}
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.Models(t.Context())
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.Embed(t.Context(), model, []string{"x"})
			providertest.CheckNoSecrets(t, err, secret)
		})
	}
}
