package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefactorFileWithoutChunks: a file the index takes no chunk of — a
// language it does not index (go.mod, a .txt file) — is a target of
// refactor as a whole: the model is shown the file and its diff is
// checked and written. gen tests says it is no code to test, rather than
// to run aiex index, which would not help.
func TestRefactorFileWithoutChunks(t *testing.T) {
	const reply = "```diff\n--- a/docs/real.txt\n+++ b/docs/real.txt\n@@ -1,2 +1,2 @@\n some real text here\n-second line\n+the second line\n```\n"
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fake := providertest.NewOllama(t, providertest.WithReply(reply))
	t.Setenv("OLLAMA_HOST", fake.URL())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": taskCalcGo, "docs/real.txt": "some real text here\nsecond line\n"}
	writeTree(t, root, files)
	t.Chdir(root)
	dir := t.TempDir()

	r := runIn(nil, false, "--data-dir", dir, "refactor", "docs/real.txt", "--goal", "say which line", "-m", "tiny", "--apply", "-y")
	if r.code != 0 || !strings.Contains(r.stderr, "wrote docs/real.txt (checkpoint ") {
		t.Fatalf("refactor docs/real.txt: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := readFile(t, root, "docs/real.txt"); got != "some real text here\nthe second line\n" {
		t.Errorf("docs/real.txt:\n%s", got)
	}
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request reached the model")
	}
	var prompt strings.Builder
	for _, m := range reqs[len(reqs)-1].Messages {
		prompt.WriteString(m.Content)
	}
	if p := prompt.String(); !strings.Contains(p, "The code to change, docs/real.txt:") || !strings.Contains(p, "some real text here\nsecond line\n") {
		t.Errorf("the prompt does not show the file to change:\n%s", p)
	}

	// go.mod by its absolute path, as a node is given it, and with a line.
	for _, target := range []string{filepath.Join(root, "go.mod"), "go.mod:3"} {
		r = runIn(nil, false, "--data-dir", dir, "refactor", target, "--goal", "g", "-m", "tiny", "--no-build")
		if strings.Contains(r.stderr, "no chunks") || !strings.Contains(r.stderr, "the model's diff does not apply") {
			t.Errorf("refactor %s: exit %d, stderr %q; want the model asked about it", target, r.code, r.stderr)
		}
	}

	r = runIn(nil, false, "--data-dir", dir, "gen", "tests", "go.mod", "-m", "tiny", "--no-build")
	if r.code != 1 || strings.TrimSpace(r.stderr) != "aiex: go.mod is not Go or Elixir code; aiex gen tests writes Go and ExUnit tests" {
		t.Errorf("gen tests go.mod: exit %d, stderr %q", r.code, r.stderr)
	}
}
