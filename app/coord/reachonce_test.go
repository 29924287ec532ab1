package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestReachAdviceSaysEachFactOnce: the advice after a provider out of
// reach does not name its server and address again, which its reason
// ("cannot reach Ollama at URL: connection refused") said just before:
// "start it, or check …", not "start Ollama at URL, or check …". Alone,
// pinned, among others (one failing with 500), and for a cloud API at its
// default address.
func TestReachAdviceSaysEachFactOnce(t *testing.T) {
	newOllama := func(t *testing.T) providers.Provider {
		t.Helper()
		p, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: pt.Unreachable(t)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		targets func(t *testing.T) []coord.Target
		req     coord.Request
		want    []string // besides each endpoint once
	}{
		{"alone", func(t *testing.T) []coord.Target {
			return []coord.Target{{Provider: newOllama(t), Model: "tiny", Local: true}}
		}, coord.Request{}, []string{`; start it, or check the base_url of provider "ollama" in the config`}},
		{"pinned", func(t *testing.T) []coord.Target {
			return []coord.Target{{Provider: newOllama(t), Model: "tiny", Local: true}}
		}, coord.Request{Provider: "ollama"}, []string{`ollama is unreachable (cannot reach Ollama at `, `; start it, or check the base_url`}},
		{"among others", func(t *testing.T) []coord.Target {
			lm, _, srv := downPair(t)
			return []coord.Target{
				{Provider: newOllama(t), Model: "tiny", Local: true, AddressFrom: "OLLAMA_HOST"},
				{Provider: lm, Model: "qwen", Local: true},
				{Provider: srv, Model: pt.DefaultOpenAIModel},
			}
		}, coord.Request{}, []string{
			`ollama: start it, or check OLLAMA_HOST, which sets its address`,
			// Its chat's reason names the address, not LM Studio
			// ("cannot reach the server at URL/v1"): the advice does.
			`lmstudio: start LM Studio, or check the base_url of provider "lmstudio" in the config`,
			"srv: HTTP 500 from ",
		}},
		{"cloud at its default address", func(t *testing.T) []coord.Target {
			oa, err := openai.New(openai.Config{Name: "openai", BaseURL: pt.Unreachable(t), APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			return []coord.Target{{Provider: oa, Model: "m", AddressFrom: coord.AddressDefault}}
		}, coord.Request{}, []string{`; check this machine's network and DNS (that is its default address; a base_url for provider "openai" in the config sets another)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets := tt.targets(t)
			e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: targets})
			_, _, err := e.chat(t, tt.req)
			ue := usererr.As(err)
			if ue == nil || strings.Contains(ue.Msg, "\n") {
				t.Fatalf("err = %v; want one line for the user", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(ue.Msg, w) {
					t.Errorf("%q\nlacks %q", ue.Msg, w)
				}
			}
			for _, tg := range targets {
				if n := strings.Count(ue.Msg, tg.Provider.Endpoint()); n != 1 {
					t.Errorf("%q\nnames %s %d times; want once", ue.Msg, tg.Provider.Endpoint(), n)
				}
			}
		})
	}
}
