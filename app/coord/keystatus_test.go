package coord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefusedKeyNamesItsStatus: a key the server refuses (HTTP 401, in
// each vendor's own error body) is said as every other error answer is,
// "HTTP 401 from ADDR: the server's message", with the provider's advice
// on the key after it where it gives one: in the line said, in the
// attempt recorded, and in the model listing's message (aiex providers).
func TestRefusedKeyNamesItsStatus(t *testing.T) {
	oaFake := pt.NewOpenAI(t, pt.WithOpenAIKey("right"))
	oa, err := openai.New(openai.Config{Name: "openai", BaseURL: oaFake.URL(), APIKey: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	anFake := pt.NewAnthropic(t, pt.WithAnthropicKey("right"))
	an, err := anthropic.New(anthropic.Config{Name: "claude", BaseURL: anFake.URL(), APIKey: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	lmFake := pt.NewLMStudio(t, pt.WithCredentialEcho(401))
	lm, err := lmstudio.New(lmstudio.Config{Name: "lms", BaseURL: lmFake.URL(), APIKey: "wrong-key-1234"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		p      providers.Provider
		model  string
		advice string
	}{
		{oa, pt.DefaultOpenAIModel, "the API key was refused; to give another: set OPENAI_API_KEY"},
		{an, "claude-x", "the API key was refused; to give another: set ANTHROPIC_API_KEY"},
		{lm, "qwen", ""},
	} {
		t.Run(tt.p.Name(), func(t *testing.T) {
			e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: tt.p, Model: tt.model}}, MaxAttempts: 2})
			_, in, err := e.chat(t, coord.Request{})
			lead := "HTTP 401 from " + tt.p.Endpoint() + ": "
			ue := usererr.As(err)
			if ue == nil || !strings.HasPrefix(ue.Msg, tt.p.Name()+": "+lead) || !strings.Contains(ue.Msg, tt.advice) {
				t.Fatalf("err = %v\nwant %q, then the server's message and %q", err, tt.p.Name()+": "+lead, tt.advice)
			}
			if in == nil || len(in.Route) == 0 || !strings.HasPrefix(in.Route[0].Error, lead) || in.Route[0].Outcome != "auth" {
				t.Fatalf("recorded %+v; want the attempt's error to begin %q, outcome auth", in, lead)
			}
			if in.Error != ue.Msg && !strings.HasPrefix(in.Error, lead) {
				t.Errorf("recorded error %q; want it to begin %q", in.Error, lead)
			}
			_, lerr := tt.p.Models(context.Background())
			if msg := coord.ProviderMessage(tt.p, lerr); !strings.HasPrefix(msg, lead) || !strings.Contains(msg, tt.advice) {
				t.Errorf("listing's message %q; want it to begin %q and say %q", msg, lead, tt.advice)
			}
		})
	}
}
