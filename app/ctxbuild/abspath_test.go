package ctxbuild

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestAbsPath: one rule makes a path absolute, for each difference the
// helpers it replaced had. A path the user gave (FromCwd) is read relative
// to the current directory first, then to the project's root; a path aiex
// recorded relative to the root (FromRoot) there only. Files and
// directories alike; PATH:LINE (any suffix) keeps its suffix; a symbol, or
// a path where nothing is, stays as it is; a path read relative to the
// root that leads out of the project is refused, with one line naming the
// root — but one the user gave that is there relative to the current
// directory is taken, for the caller to judge.
func TestAbsPath(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "proj")
	writeTree(t, base, map[string]string{
		"secret":            "not the project's\n",
		"proj/c.go":         "package p\n",
		"proj/sub/a.go":     "package p\n",
		"proj/sub/x.go":     "package p\n",
		"proj/sub/sub/x.go": "package p\n",
		"proj/sub/pkg/p.go": "package pkg\n",
	})
	t.Chdir(filepath.Join(root, "sub"))
	in := func(rel string) string { return filepath.Join(root, rel) }
	const refused = "\x00refused"
	for _, tc := range []struct {
		from   From
		p      string
		want   string
		reason string
	}{
		{FromCwd, "a.go:3", in("sub/a.go") + ":3", "the current directory's file, at a line"},
		{FromCwd, "sub/a.go:3", in("sub/a.go") + ":3", "the root's, nothing being here"},
		{FromCwd, "sub/x.go", in("sub/sub/x.go"), "the current directory's first, where both have one"},
		{FromCwd, "c.go:x", in("c.go") + ":x", "any suffix kept"},
		{FromCwd, "pkg", in("sub/pkg"), "a directory here"},
		{FromCwd, "sub/pkg", in("sub/pkg"), "a directory of the root"},
		{FromCwd, "sub", in("sub/sub"), "the current directory's directory first"},
		{FromCwd, "http.Serve", "http.Serve", "a symbol"},
		{FromCwd, "Kernel.::/2", "Kernel.::/2", "a symbol with a colon"},
		{FromCwd, "nowhere.go:3", "nowhere.go:3", "a path of nothing"},
		{FromCwd, "../nowhere", "../nowhere", "out of the project, where nothing is: maybe a name"},
		{FromCwd, in("c.go"), in("c.go"), "absolute"},
		{FromCwd, "../secret", refused, "out of the project, read from the root"},
		{FromCwd, "../secret:2", refused, "out of the project at a line"},
		{FromCwd, "../../secret", filepath.Join(base, "secret"), "the user's own path, there from here: the caller judges it"},
		{FromRoot, "sub/x.go", in("sub/x.go"), "the root's, though the current directory has one"},
		{FromRoot, "sub/x.go:2", in("sub/x.go") + ":2", "the root's, at a line"},
		{FromRoot, "sub/pkg", in("sub/pkg"), "a directory of the root"},
		{FromRoot, "a.go", "a.go", "the current directory's alone is not the root's"},
		{FromRoot, "calc.Add", "calc.Add", "a symbol"},
		{FromRoot, "../secret", refused, "out of the project"},
		{FromRoot, "../../etc/passwd", "../../etc/passwd", "out of the project, where nothing is"},
		{FromRoot, filepath.Join(base, "secret"), refused, "absolute, out of the project"},
	} {
		got, err := AbsPath(root, tc.p, tc.from)
		if tc.want == refused {
			// The message names the path (of PATH:LINE, the path).
			ue := usererr.As(err)
			named, _, said := "", "", false
			if ue != nil {
				named, _, said = strings.Cut(ue.Msg, " is outside the project at "+root+";")
			}
			if !said || named == "" || !strings.HasPrefix(tc.p, named) || !errors.Is(err, ErrOutside) ||
				ue.ExitCode() != usererr.ExitUsage || strings.Contains(ue.Msg, "\n") {
				t.Errorf("AbsPath(%s, %d) = %q, %v; want refused as outside the project at %s (%s)", tc.p, tc.from, got, err, root, tc.reason)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("AbsPath(%s, %d) = %q, %v; want %s (%s)", tc.p, tc.from, got, err, tc.want, tc.reason)
		}
	}
	if got, err := AbsPath("", "sub/x.go", FromCwd); err != nil || got != in("sub/sub/x.go") {
		t.Errorf("AbsPath with no root = %s, %v; want the current directory's", got, err)
	}
	if got, err := AbsPath("", "c.go", FromCwd); err != nil || got != "c.go" {
		t.Errorf("AbsPath(c.go) with no root = %s, %v; want it as it is: no root to read it in", got, err)
	}
}
