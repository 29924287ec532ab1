package sandbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// TestCommandEnvDropsURLQueryKeys: a variable holding a URL with a value
// in its query — a gateway's ?key=, ?api_key=, a signed URL's sig= — does
// not reach a command, whatever the variable is called: aiex takes every
// query value of a provider's URL for a credential (providers.URLSecrets),
// and so does the sandbox. URLs without one, or with a user but no
// password, pass.
func TestCommandEnvDropsURLQueryKeys(t *testing.T) {
	hidden := map[string]string{
		"OPENAI_BASE_URL":    "https://gw.example/v1?key=QSECRET-openai",
		"ANTHROPIC_BASE_URL": "https://gw2.example/?api_key=QSECRET-anth",
		"BLOB_URL":           "https://store.example/c/b?sv=2024&sig=QSECRET-sas",
		"MIRRORS":            "https://a.example/m,https://b.example/m?t=QSECRET-list",
		"NOTE":               "fetch from https://c.example/x?code=QSECRET-code then build",
		"ODD_URL":            "https://d.example/%zz?access_token=QSECRET-unparsed",
		"FRAG_URL":           "https://x.example/#access_token=QSECRET-fragment",
		"SEMI_URL":           "https://x.example/a;key=QSECRET-param",
	}
	kept := map[string]string{
		"DOCS_URL":  "https://user@docs.example/",
		"PLAIN_URL": "https://example.com/path/",
		"FLAG_URL":  "https://example.com/p?debug",
		"ANCHOR":    "https://example.com/doc#section-2",
		"MESSAGE":   "what? no scheme here=1",
	}
	for k, v := range hidden {
		t.Setenv(k, v)
	}
	for k, v := range kept {
		t.Setenv(k, v)
	}
	s, err := sandbox.New(t.TempDir(), sandbox.Options{Mode: sandbox.ModeOff})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	out, err := s.Command(context.Background(), "sh", "-c", "env").Output()
	if err != nil {
		t.Fatalf("env: %v", err)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.Contains(line, "QSECRET") {
			t.Errorf("a URL's query credential reached the command: %s", line)
		}
	}
	env := map[string]string{}
	for line := range strings.SplitSeq(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	for k := range hidden {
		if _, ok := env[k]; ok {
			t.Errorf("%s reached the command", k)
		}
	}
	for k, v := range kept {
		if env[k] != v {
			t.Errorf("%s = %q in the command, want %q", k, env[k], v)
		}
	}
}
