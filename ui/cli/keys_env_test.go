//go:build linux

package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/ui/cli"
)

// keysConfig writes the test's configuration file (see keysEnv).
func keysConfig(t *testing.T, config string) {
	t.Helper()
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "aiex")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKeysSetWarnsOfAPIKeyEnv: while the variable a provider's api_key_env
// names is set, its value is the key sent and a stored key is not read;
// keys set stores the key all the same (it is used once the variable is
// unset) but says so, in one line on stderr.
func TestKeysSetWarnsOfAPIKeyEnv(t *testing.T) {
	const secret = "sk-piped-1234567890"
	keysEnv(t)
	keysConfig(t, "[providers.oa]\nkind = \"openai\"\napi_key_env = \"QA_OA_KEY\"\n")
	tests := []struct {
		name string
		env  map[string]string
		want string // on stderr; "" for nothing
	}{
		{"variable set", map[string]string{"QA_OA_KEY": "sk-env-0123456789"},
			"aiex: warning: QA_OA_KEY is set and the config's api_key_env for oa names it, so the key sent is its value, not the stored one, until it is unset\n"},
		{"variable unset", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cli.Run(context.Background(), []string{"--data-dir", t.TempDir(), "keys", "set", "oa"}, cli.Env{
				Stdin: strings.NewReader(secret + "\n"), StdinPiped: true,
				Stdout: &out, Stderr: &errb,
				Getenv: func(k string) string { return tt.env[k] },
				Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
			})
			if code != 0 || !strings.HasPrefix(out.String(), "stored key for oa (sha256:") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
			}
			if errb.String() != tt.want {
				t.Errorf("stderr %q; want %q", errb.String(), tt.want)
			}
		})
	}
}

// TestKeysSetOllamaProvider: an Ollama provider exists but takes no key,
// and the refusal says that rather than that no such provider exists.
func TestKeysSetOllamaProvider(t *testing.T) {
	keysEnv(t)
	config := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "aiex", "config.toml")
	tests := []struct{ name, config, provider, want string }{
		{"with keyed providers", "[providers.local]\nkind = \"ollama\"\n[providers.work]\nkind = \"openai\"\n", "local",
			"aiex: local is an Ollama provider, and those take no API key; name one of work\n"},
		{"alone", "[providers.local]\nkind = \"ollama\"\n", "local",
			"aiex: local is an Ollama provider, and those take no API key; none of the providers in " + config + " does\n"},
		{"named ollama, no kind", "[providers.ollama]\n[providers.work]\nkind = \"openai\"\n", "ollama",
			"aiex: ollama is an Ollama provider, and those take no API key; name one of work\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keysConfig(t, tt.config)
			r := runKeys(context.Background(), strings.NewReader("sk-piped-1234567890\n"), false,
				"--data-dir", t.TempDir(), "keys", "set", tt.provider)
			if r.code != 2 || r.stderr != tt.want {
				t.Errorf("exit %d, stderr %q; want 2, %q", r.code, r.stderr, tt.want)
			}
		})
	}
}
