package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestSessionListNoneHere: session list where no session was started
// (outside any project, say in /tmp) says that other projects have some
// and how to list them, not that there are none at all; with none
// anywhere it says how to start one.
func TestSessionListNoneHere(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("hi"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	elsewhere, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(elsewhere)
	if r := runIn(nil, false, "--data-dir", dir, "session", "list"); r.code != 0 || r.stdout != "No sessions yet; aiex ask \"…\" starts one\n" {
		t.Fatalf("session list with none anywhere: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	project, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, project, map[string]string{"go.mod": "module example.com/p\n\ngo 1.22\n"})
	t.Chdir(project)
	for range 2 {
		if r := runIn(nil, false, "--data-dir", dir, "ask", "-m", "tiny", "--no-code", "hello"); r.code != 0 {
			t.Fatalf("ask: exit %d, %s", r.code, r.stderr)
		}
	}
	t.Chdir(elsewhere)
	r := runIn(nil, false, "--data-dir", dir, "session", "list")
	want := "No sessions for " + elsewhere + "; aiex session list --all lists every project's (2 sessions)\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("session list outside the project: exit %d, %q %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	if r := runIn(nil, false, "--data-dir", dir, "session", "list", "--all"); r.code != 0 || strings.Count(r.stdout, "\n") != 3 {
		t.Fatalf("session list --all: exit %d, %q %q; want both", r.code, r.stdout, r.stderr)
	}
}
