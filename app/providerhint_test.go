package app

import "testing"

// TestProviderHintLeavesOutKeysSet: the advice for a request no provider
// could take offers only the API keys not set: one set was tried.
func TestProviderHintLeavesOutKeysSet(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "start Ollama (ollama serve), set OLLAMA_HOST to a running server, set OPENAI_API_KEY or ANTHROPIC_API_KEY, or add a [providers.NAME] table to /c.toml"},
		{map[string]string{"OPENAI_API_KEY": "x"}, "start Ollama (ollama serve), set OLLAMA_HOST to a running server, set ANTHROPIC_API_KEY, or add a [providers.NAME] table to /c.toml"},
		{map[string]string{"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "y"}, "start Ollama (ollama serve), set OLLAMA_HOST to a running server, or add a [providers.NAME] table to /c.toml"},
	} {
		if got := providerHint("/c.toml", func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("env %v:\n got %q\nwant %q", tt.env, got, tt.want)
		}
	}
}
