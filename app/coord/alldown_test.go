package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// How OpenAI is down in downTargets.
const (
	keyMissing    = "missing"    // no key, for OpenAI's own API: refused before it is sent
	keyUnreadable = "unreadable" // its stored key cannot be read: refused before it is sent
	keyWrong      = "wrong"      // the server refuses it (HTTP 401)
)

// downTargets are Ollama and LM Studio where nothing listens, and OpenAI
// whose key is as key says: every one down, each in its own way.
func downTargets(t *testing.T, key string) (targets []coord.Target, ollamaURL, lmstudioURL, keyReason string) {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	ollamaURL, lmstudioURL = pt.Unreachable(t), pt.Unreachable(t)
	ol, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: ollamaURL})
	if err != nil {
		t.Fatal(err)
	}
	lm, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: lmstudioURL})
	if err != nil {
		t.Fatal(err)
	}
	var oa providers.Provider
	switch key {
	case keyMissing:
		oa, err = openai.New(openai.Config{Name: "openai"})
		keyReason = "openai: no API key configured: set OPENAI_API_KEY"
	case keyUnreadable:
		var p providers.Provider
		p, err = openai.New(openai.Config{Name: "openai", BaseURL: pt.NewOpenAI(t).URL(), APIKey: "k"})
		oa, keyReason = newUnreadableKey(p, "/d/secret.key"), "openai: key file /d/secret.key is accessible to other users"
	case keyWrong:
		oa, err = openai.New(openai.Config{Name: "openai", BaseURL: pt.NewOpenAI(t, pt.WithOpenAIKey("right")).URL(), APIKey: "wrong"})
		keyReason = "the API key was refused; to give another: set OPENAI_API_KEY"
	}
	if err != nil {
		t.Fatal(err)
	}
	return []coord.Target{
		{Provider: ol, Local: true},
		{Provider: oa, Model: "gpt-4o-mini"},
		{Provider: lm, Local: true, Model: "qwen"},
	}, ollamaURL, lmstudioURL, keyReason
}

// TestProvidersDownEachTheirWay: when every provider is down, each in its
// own way (Ollama and LM Studio unreachable, OpenAI's key missing,
// unreadable or refused by the server), the one line names each provider with why and what to do:
// how to reach the servers, and what the key needs — whichever of them
// failed last. (When they fail alike: TestConfiguredProvidersUnreachable.)
func TestProvidersDownEachTheirWay(t *testing.T) {
	for _, key := range []string{keyMissing, keyUnreadable, keyWrong} {
		for _, preferred := range []string{"", "openai"} { // OpenAI tried last (local first), or first
			targets, ollamaURL, lmstudioURL, keyReason := downTargets(t, key)
			e := newEnv(t, coord.Config{Targets: targets, Preferred: preferred, MaxAttempts: 1, Configured: true})
			_, in, err := e.chat(t, coord.Request{})
			ue := usererr.As(err)
			if ue == nil || strings.Contains(ue.Msg, "\n") {
				t.Fatalf("key %s, preferred %q: err = %v; want one line for the user", key, preferred, err)
			}
			for _, want := range []string{
				"ollama: ", "lmstudio: ", keyReason,
				// Their reasons name their addresses (and Ollama): the advice
				// does not again (TestReachAdviceSaysEachFactOnce).
				"cannot reach Ollama at " + ollamaURL, "cannot reach the server at " + lmstudioURL,
				`ollama: start it, or check the base_url of provider "ollama" in the config`,
				`lmstudio: start LM Studio, or check the base_url of provider "lmstudio" in the config`,
			} {
				if !strings.Contains(ue.Msg, want) {
					t.Errorf("key %s, preferred %q: %q\nlacks %q", key, preferred, ue.Msg, want)
				}
			}
			if strings.Contains(ue.Msg, "configure a provider") || strings.Contains(ue.Msg, "passed over") {
				t.Errorf("key %s, preferred %q: %q; want each provider's advice, not the hint or a route summary", key, preferred, ue.Msg)
			}
			if in == nil || !strings.Contains(outcomes(in), "ollama:unavailable") || !strings.Contains(outcomes(in), "lmstudio:unavailable") {
				t.Errorf("key %s, preferred %q: recorded %+v", key, preferred, in)
			}
		}
	}
}

// TestProvidersDownEachTheirWayUnconfigured: without the config's tables
// (the providers made from the environment) the advice is the hint, how
// to make a provider reachable, after each provider's reason.
func TestProvidersDownEachTheirWayUnconfigured(t *testing.T) {
	targets, _, _, keyReason := downTargets(t, keyUnreadable)
	e := newEnv(t, coord.Config{Targets: targets[:2], MaxAttempts: 1})
	_, _, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "ollama: ") || !strings.Contains(ue.Msg, keyReason) || !strings.HasSuffix(ue.Msg, "; configure a provider") {
		t.Fatalf("err = %v; want each provider's reason, then the hint", err)
	}
}
