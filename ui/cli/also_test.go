package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestContextSaysWhatElseANameNamed: a bare name several packages define
// takes one, and aiex context lists the others.
func TestContextSaysWhatElseANameNamed(t *testing.T) {
	proj := t.TempDir()
	for rel, src := range map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		"a/a.go":    "package a\n\nfunc Run() {}\n",
		"bb/b.go":   "package bb\n\nfunc Run() {}\n",
	} {
		p := filepath.Join(proj, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(proj)
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	dir := t.TempDir()
	if r := runCLI(t, false, nil, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", "Run")
	if r.code != 0 || !strings.Contains(r.stdout, "also named so: ") || !strings.Contains(r.stdout, ".Run (") {
		t.Fatalf("context Run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
