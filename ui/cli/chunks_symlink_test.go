package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChunksRefusesLinksOutOfTheProject: aiex chunks does not follow a
// symlink of the project to a file outside it, nor a file reached through
// a symlink to a directory outside it, as aiex index leaves such files out
// (a cloned project's x.go may lead to the user's credentials): it says
// so in one line, with the exit code of a bad path, and prints nothing of
// the file. Links that stay in the project are followed, and a file in no
// project is chunked wherever it is, as before.
func TestChunksRefusesLinksOutOfTheProject(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{
		"secret.go":   "package secret\n\nfunc Secret() {}\n",
		"dir/deep.go": "package dir\n\nfunc Deep() {}\n",
	})
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		".git/HEAD":   "ref: refs/heads/main\n",
		"go.mod":      "module example.com/p\n\ngo 1.22\n",
		"real/own.go": "package real\n\nfunc Own() {}\n",
	})
	for link, target := range map[string]string{
		"x.go":          filepath.Join(outside, "secret.go"),
		"up.go":         "../" + filepath.Base(outside) + "/secret.go", // relative, as a clone holds it
		"sub":           filepath.Join(outside, "dir"),
		"real/in.go":    "own.go",
		"alias":         "real",
		"real/cycle.go": "../alias/own.go",
	} {
		if err := os.Symlink(target, filepath.Join(proj, link)); err != nil {
			t.Fatal(err)
		}
	}
	// The outside files' directory is a sibling of the project's, for
	// the relative link.
	if filepath.Dir(outside) != filepath.Dir(proj) {
		t.Fatalf("temp dirs %s and %s are not siblings", outside, proj)
	}
	t.Chdir(proj)
	for _, file := range []string{"x.go", "up.go", "sub/deep.go", filepath.Join(proj, "x.go"), "real/../sub/deep.go"} {
		for _, json := range []bool{false, true} {
			args := []string{"chunks", file}
			if json {
				args = []string{"--json", "chunks", file}
			}
			r := runCLI(t, false, nil, args...)
			if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 ||
				!strings.Contains(r.stderr, "outside the project at "+proj) || !strings.Contains(r.stderr, "give the file by its own path") {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, one line saying the link leads out of the project", args, r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "Secret") || strings.Contains(r.stdout+r.stderr, "Deep") {
				t.Errorf("%q: the outside file's code was shown:\n%s%s", args, r.stdout, r.stderr)
			}
		}
	}
	for file, name := range map[string]string{
		"real/in.go":                        "real.Own",
		"alias/own.go":                      "real.Own",
		"real/cycle.go":                     "real.Own",
		filepath.Join(outside, "secret.go"): "secret.Secret", // no project: as before
	} {
		r := runCLI(t, false, nil, "chunks", file)
		if r.code != 0 || !strings.Contains(r.stdout, name) {
			t.Errorf("chunks %s: exit %d; want %s\n%s%s", file, r.code, name, r.stdout, r.stderr)
		}
	}
}
