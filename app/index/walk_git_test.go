package index

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gitTree is a work tree whose .gitignore files try git's rules where
// ignore libraries tend to differ from it.
var gitTree = map[string]string{
	".gitignore": strings.Join([]string{
		"# a comment, then a blank line",
		"",
		"gen/out.go",     // a slash in the middle anchors to this directory: pkg/gen/out.go stays
		"docs/*",         // anchored too: sub/docs/a.md stays
		"file?.go",       // ? is one character
		"build/",         // a directory at any depth, never a file
		"!build/keep.go", // nothing below an ignored directory comes back
		"notes.md/",      // a directory named like a file
		"/top.go",        // a leading slash anchors
		"*.gen.go",       // a glob at any depth
		"!keep.gen.go",   // a negation in the same file
		"**/tmp/**",      // everything inside any tmp
		"a/**/z.go",      // zero or more directories
		"**/deep/*.md",   // deep at any depth, one level below it
		"nb/**/*.ex",     // ** then a glob
		"star/*/one.go",  // * does not cross a slash
		`\#hash.md`,      // escaped #
		`\!bang.md`,      // escaped !
		`trail\ .md`,     // an escaped trailing space stays
		"spaced.go   ",   // trailing spaces do not
		`esc\*.go`,       // an escaped star is a star
		"q[ab].go",       // a set
		"[0-9]d.go",      // a range
		"x**y.go",        // ** within a name is *
		"k*/",            // a directory glob…
		"!kept/",         // …with an exception
		"neg/",           // a directory…
		"!neg/in.go",     // …whose files cannot come back
		"",
	}, "\n"),
	".git/info/exclude": "excluded.ex\n",
	// The usual "only these files" list: git applies "!*/" to directories,
	// never to a file below one.
	"lib/.gitignore": "*\n!*/\n!*.ex\n",
	// A deeper file overrides a higher one.
	"sub/.gitignore":    "/local.go\n!*.gen.go\nz.md\n",
	"n1/.gitignore":     "b.go\n",
	"n1/n2/.gitignore":  "!b.go\na.go\n",
	"vendor/.gitignore": "*\n!m.go\n",
	// "!x" re-includes the directory x, not a file below it.
	"w/.gitignore": "*.ex\n!x\n",
	// A byte order mark and CRLF line ends.
	"crlf/.gitignore": "\ufeffa.go\r\nb.go  \r\n",
}

// gitTreeFiles are the files of gitTree besides its ignore files.
var gitTreeFiles = []string{
	"gen/out.go", "pkg/gen/out.go", "docs/a.md", "docs/sub/b.md", "sub/docs/a.md",
	"file1.go", "filex.go", "file10.go", "build/o.go", "x/build/o.go", "build/keep.go",
	"notes.md/in.go", "x/notes.md", "top.go", "t/top.go", "y.gen.go", "z/y.gen.go",
	"keep.gen.go", "z/keep.gen.go", "tmp/a.go", "v/tmp/a.go", "v/tmp/w/a.go", "vtmp/a.go",
	"a/z.go", "a/b/z.go", "a/b/c/z.go", "b/a/z.go", "deep/a.md", "r/deep/a.md", "deep/r/a.md",
	"nb/a.ex", "nb/c/a.ex", "nb/a.go", "star/x/one.go", "star/x/y/one.go", "star/one.go",
	"#hash.md", "q/#hash.md", "!bang.md", "trail .md", "trail.md", "spaced.go",
	"esc*.go", "escx.go", "qa.go", "qc.go", "9d.go", "ad.go", "xy.go", "xay.go", "xa/y.go",
	"kay/a.go", "kept/a.go", "kept.go", "neg/in.go", "neg/other.go",
	"lib/a.ex", "lib/a.md", "lib/deep/b.ex", "lib/deep/c.go",
	"sub/local.go", "local.go", "sub/t/local.go", "sub/x.gen.go", "sub/w/x.gen.go", "sub/z.md",
	"n1/a.go", "n1/b.go", "n1/n2/a.go", "n1/n2/b.go", "n1/n2/n3/b.go",
	"vendor/m.go", "vendor/n/m.go", "excluded.ex", "sub/excluded.ex",
	"w/a.ex", "w/x/a.ex", "w/x/a.go", "crlf/a.go", "crlf/b.go", "crlf/c.go",
}

// TestWalkAgreesWithGit: the walk leaves out what git leaves out, on a
// tree of the rules ignore libraries get wrong, from the root and from
// directories below it.
func TestWalkAgreesWithGit(t *testing.T) {
	root := t.TempDir()
	git := func(dir string, args ...string) []byte {
		t.Helper()
		return runGit(t, dir, "", args...)
	}
	git(root, "init", "-q")
	for p, content := range gitTree {
		writeFile(t, root, p, content)
	}
	for _, p := range gitTreeFiles {
		writeFile(t, root, p, "x")
	}

	exts := map[string]bool{".go": true, ".ex": true, ".md": true}
	for _, under := range []string{"", "sub", "lib", "n1/n2", "w/x", "docs", "build"} {
		w := &walker{root: root, exts: exts, maxSize: 1 << 20}
		if err := w.walk(under); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range w.out {
			got = append(got, e.rel)
		}
		slices.Sort(got)

		args := []string{"ls-files", "-z", "--others", "--cached", "--exclude-standard"}
		if under != "" {
			args = append(args, "--", under)
		}
		var want []string
		for p := range bytes.SplitSeq(git(root, args...), []byte{0}) {
			if exts[path.Ext(string(p))] {
				want = append(want, string(p))
			}
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("walk %q (-git +walk):\n%s", under, diff)
		}
	}
}

// runGit runs git in dir with stdin as its input and returns its output.
// It fails the test when git is not installed: these tests compare the walk
// with git itself.
func runGit(tb testing.TB, dir, stdin string, args ...string) []byte {
	tb.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		tb.Fatal("git is not installed: this test compares the walk with git")
	}
	cmd := exec.Command(gitPath, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	// No global or system configuration: their excludes file would count
	// for git but not for the walk, and commits need an author.
	home := tb.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			tb.Fatalf("git %v: %v: %s", args, err, ee.Stderr)
		}
		tb.Fatalf("git %v: %v", args, err)
	}
	return out
}
