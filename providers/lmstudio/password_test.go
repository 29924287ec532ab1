package lmstudio

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// secret is the password the tests put in base URLs; no error may show it.
const secret = "s3cretpass"

func TestNewHidesPassword(t *testing.T) {
	providertest.CheckNewRefusesBadBaseURL(t, func(base string) error {
		_, err := New(Config{BaseURL: base})
		return err
	})
}

func TestErrorsHidePassword(t *testing.T) {
	servers := map[string]string{
		"unreachable":  providertest.Unreachable(t),
		"server error": providertest.NewLMStudio(t, providertest.WithStatus(500, "Internal error")).URL(),
		"no such path": providertest.NewLMStudio(t).URL() + "/nothing",
	}
	for name, base := range servers {
		t.Run(name, func(t *testing.T) {
			base := providertest.WithPassword(t, base, secret)
			p, err := New(Config{BaseURL: base})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p.Endpoint(), secret) {
				t.Errorf("Endpoint = %q", p.Endpoint())
			}
			_, err = p.Chat(t.Context(), providers.Request{Model: providertest.DefaultLMStudioModel,
				Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}}, func(providers.Chunk) error { return nil })
			if err == nil {
				t.Fatal("Chat succeeded")
			}
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.Models(t.Context())
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.Embed(t.Context(), providertest.DefaultLMStudioEmbeddingModel, []string{"x"})
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.ContextWindow(t.Context(), providertest.DefaultLMStudioModel)
			providertest.CheckNoSecrets(t, err, secret)
			_, err = p.PromptWindow(t.Context(), providertest.DefaultLMStudioModel)
			providertest.CheckNoSecrets(t, err, secret)
		})
	}
}
