package app

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// askAll sends one request through a coordinator over the targets f
// makes, and returns its error as the user reads it.
func askAll(t *testing.T, f File, keys keyLookup, getenv func(string) string) string {
	t.Helper()
	ctx := context.Background()
	targets, err := buildTargets(ctx, f, keys, getenv)
	if err != nil {
		t.Fatal(err)
	}
	st := dbtest.Open(t)
	c := coord.New(coord.Config{Targets: targets, Recorder: st, Node: st.NodeID(), MaxAttempts: 1, Configured: true})
	t.Cleanup(c.Close)
	_, err = c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(providers.Chunk) error { return nil })
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") {
		t.Fatalf("err = %v; want one line for the user", err)
	}
	return ue.Msg
}

// TestReachAdviceNamesTheAddressUsed: a provider whose table gives no
// base_url, out of reach at the address OPENAI_BASE_URL (or OLLAMA_HOST)
// gives it, is told to check that variable, not a base_url the config
// does not have; one with a base_url in the config, to check that.
func TestReachAdviceNamesTheAddressUsed(t *testing.T) {
	oaURL, olURL, lmURL := providertest.Unreachable(t), providertest.Unreachable(t), providertest.Unreachable(t)
	t.Setenv("OPENAI_BASE_URL", oaURL)
	t.Setenv("OLLAMA_HOST", olURL)
	t.Setenv("OPENAI_API_KEY", "sk-test-0123456789")
	env := map[string]string{"OPENAI_BASE_URL": oaURL, "OLLAMA_HOST": olURL, "OPENAI_API_KEY": "sk-test-0123456789"}
	f := File{Providers: map[string]ProviderConfig{
		"openai":   {Kind: "openai", Model: "gpt-4o-mini"},
		"ollama":   {Kind: "ollama", Model: "tiny"},
		"lmstudio": {Kind: "lmstudio", BaseURL: lmURL, Model: "qwen"},
	}}
	msg := askAll(t, f, nil, func(k string) string { return env[k] })
	for _, want := range []string{
		`openai: check OPENAI_BASE_URL, which sets its address`,
		`check OLLAMA_HOST, which sets its address`,
		`lmstudio: start LM Studio, or check the base_url of provider "lmstudio" in the config`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q\nlacks %q", msg, want)
		}
	}
	for _, p := range []string{"openai", "ollama"} {
		if strings.Contains(msg, `check the base_url of provider "`+p+`"`) {
			t.Errorf("%q: the config gives %s no base_url", msg, p)
		}
	}
}

// TestCompatibleKeyAdvice: an openai-compatible provider whose key the
// server refuses is told how to give it its own key — a stored one, or
// its api_key_env — not OPENAI_API_KEY, which it never reads.
func TestCompatibleKeyAdvice(t *testing.T) {
	fake := providertest.NewOpenAI(t, providertest.WithOpenAIKey("sk-right-0123456789"))
	stored := keysFunc(func(p string) (string, bool, error) { return "sk-wrong-0123456789", p == "gw", nil })
	none := keysFunc(func(string) (string, bool, error) { return "", false, nil })
	tests := []struct {
		name string
		pc   ProviderConfig
		keys keyLookup
		env  map[string]string
		want string
	}{
		// No key sent: not "the API key was refused".
		{"no key", ProviderConfig{}, none, nil, "/v1: no API key configured: run aiex keys set gw"},
		{"api_key_env unset, none stored", ProviderConfig{APIKeyEnv: "GW_KEY"}, none, nil,
			"/v1: no API key configured: set GW_KEY (the config's api_key_env) or run aiex keys set gw"},
		{"stored key", ProviderConfig{}, stored, nil, "to give another: run aiex keys set gw)"},
		{"api_key_env unset", ProviderConfig{APIKeyEnv: "GW_KEY"}, stored, nil,
			"to give another: set GW_KEY (the config's api_key_env) or run aiex keys set gw)"},
		{"api_key_env set", ProviderConfig{APIKeyEnv: "GW_KEY"}, none, map[string]string{"GW_KEY": "sk-wrong-0123456789"},
			"to give another: change GW_KEY (the config's api_key_env; while it is set, stored keys are not used))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pc.Kind, tt.pc.BaseURL, tt.pc.Model = "openai-compatible", fake.URL(), providertest.DefaultOpenAIModel
			msg := askAll(t, File{Providers: map[string]ProviderConfig{"gw": tt.pc}}, tt.keys, func(k string) string { return tt.env[k] })
			if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "gw: HTTP 401 from "+fake.URL()) || strings.Contains(msg, "OPENAI_API_KEY") ||
				strings.Contains(tt.want, "no API key") && strings.Contains(msg, "refused; to give another") {
				t.Errorf("%q\nwant gw: HTTP 401 from its address, %q, and no OPENAI_API_KEY", msg, tt.want)
			}
		})
	}
}

// TestAddressFrom: where each kind's address comes from without a
// base_url: its variable when set, else its default; with one, the config.
func TestAddressFrom(t *testing.T) {
	set := func(k string) string {
		return map[string]string{"OPENAI_BASE_URL": "x", "ANTHROPIC_BASE_URL": "x", "OLLAMA_HOST": "x"}[k]
	}
	unset := func(string) string { return "" }
	tests := []struct {
		kind   string
		pc     ProviderConfig
		getenv func(string) string
		want   string
	}{
		{"openai", ProviderConfig{}, set, "OPENAI_BASE_URL"},
		{"openai", ProviderConfig{}, unset, coord.AddressDefault},
		{"openai", ProviderConfig{BaseURL: "http://h/v1"}, set, ""},
		{"anthropic", ProviderConfig{}, set, "ANTHROPIC_BASE_URL"},
		{"ollama", ProviderConfig{}, set, "OLLAMA_HOST"},
		{"ollama", ProviderConfig{}, unset, coord.AddressDefault},
		{"lmstudio", ProviderConfig{}, set, coord.AddressDefault},
		{"openai-compatible", ProviderConfig{BaseURL: "http://h/v1"}, set, ""},
	}
	for _, tt := range tests {
		if got := addressFrom(tt.kind, tt.pc, tt.getenv); got != tt.want {
			t.Errorf("addressFrom(%s, %+v) = %q; want %q", tt.kind, tt.pc, got, tt.want)
		}
	}
}
