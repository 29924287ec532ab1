package anthropic

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// secret is the password the tests put in base URLs; no error may show it.
const secret = "s3cretpass"

func TestNewHidesPassword(t *testing.T) {
	providertest.CheckNewRefusesBadBaseURL(t, func(base string) error {
		_, err := New(Config{BaseURL: base, APIKey: testKey})
		return err
	})
}

func TestErrorsHidePassword(t *testing.T) {
	servers := map[string]string{
		"unreachable":  providertest.Unreachable(t),
		"server error": providertest.NewAnthropic(t, providertest.WithStatus(500, "Internal server error")).URL(),
		"no such path": providertest.NewAnthropic(t).URL() + "/nothing",
	}
	for name, base := range servers {
		t.Run(name, func(t *testing.T) {
			base := providertest.WithPassword(t, base, secret)
			p := newProvider(t, base)
			if strings.Contains(p.Endpoint(), secret) {
				t.Errorf("Endpoint = %q", p.Endpoint())
			}
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			if err == nil {
				t.Fatal("Chat succeeded")
			}
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.Models(t.Context())
			providertest.CheckNoSecrets(t, err, secret)
		})
	}
}
