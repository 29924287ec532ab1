package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbedWarnings: embeddings that cannot be made or used are warned
// of in one style, as one sentence; search still ranks without them, while
// an [index] embed naming a provider that is not configured (a default
// without its API key) is the config's mistake for the commands that
// build the providers.
func TestEmbedWarnings(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir, _ := taskProject(t, "an answer")
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	config := func(body string) string {
		p := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// The fake Ollama has no such model: the embeddings are not made.
	missing := config("[index]\nembed = \"ollama/no-embed-model\"\n")
	r := runIn(nil, false, "--data-dir", dir, "--config", missing, "index", "--force")
	const made = "aiex: warning: embeddings were not made, so search ranks without them until aiex index makes them: "
	if r.code != 0 || !strings.Contains(r.stderr, made) || strings.Contains(r.stderr, "search: ") {
		t.Errorf("index with a missing embedding model: exit %d, stderr %q; want %q and no package name", r.code, r.stderr, made)
	}

	unkeyed := config("\n[index]\nembed = \"openai/text-embedding-3-small\"\n")
	r = runIn(nil, false, "--data-dir", dir, "--config", unkeyed, "search", "Add")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "aiex: warning: ranked without embeddings: ") || !strings.Contains(r.stderr, "OPENAI_API_KEY") {
		t.Errorf("search: exit %d, stderr %q; want hits ranked without embeddings, warned as aiex: warning:", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "calc.go") {
		t.Errorf("search: stdout %q; want hits", r.stdout)
	}
	for _, cmd := range []string{"status", "index"} {
		r = runIn(nil, false, "--data-dir", dir, "--config", unkeyed, cmd)
		if r.code != 2 || !strings.Contains(r.stderr, unkeyed+" line 3") || !strings.Contains(r.stderr, `key "index.embed"`) {
			t.Errorf("%s: exit %d, stderr %q; want the config's mistake, exit 2", cmd, r.code, r.stderr)
		}
	}
}
