package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// bidiControls are the Unicode bidi formatting characters: marks,
// embeddings and overrides, isolates.
var bidiControls = []rune{'\u200e', '\u200f', '\u061c', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'}

// TestWriteRefusesBidiControls: a path holding a bidi control, which
// makes it display as another name ("report\u202eog.tset" shows as
// reporttest.go), is refused with the rule invalid-path by every check and
// operation that would make or change a file by that name, with one
// audit row, and the refusal shows the character escaped. An existing
// file with such a name stays readable.
func TestWriteRefusesBidiControls(t *testing.T) {
	ctx := context.Background()
	for _, r := range bidiControls {
		p := "greet/x" + string(r) + "og.go"
		f := sandbox.NewFixture(t)
		s := f.Sandbox
		for i, do := range []func() error{
			func() error { return s.CheckWrite(p) },
			func() error { return s.WriteFile(ctx, p, []byte("package greet\n"), 0o644) },
			func() error { return s.WriteFrom(ctx, p, strings.NewReader("package greet\n"), 0o644) },
			func() error { return s.MkdirAll(ctx, p, 0o755) },
			func() error { return s.Remove(ctx, p) },
		} {
			before := len(f.Recorder.Records())
			err := do()
			var re *sandbox.RefusedError
			if !errors.As(err, &re) || re.Rule != sandbox.RuleInvalidPath {
				t.Errorf("%U: op %d: %v; want rule %s", r, i, err, sandbox.RuleInvalidPath)
				continue
			}
			if strings.ContainsRune(err.Error(), r) || !strings.Contains(err.Error(), "bidi") {
				t.Errorf("%U: op %d: the refusal %q shows the character raw or does not say what is wrong", r, i, err)
			}
			recs := f.Recorder.Records()[before:]
			if len(recs) != 1 || recs[0].Result != audit.ResultRefused || !strings.HasPrefix(recs[0].Detail, "rule "+sandbox.RuleInvalidPath+": ") {
				t.Errorf("%U: op %d: records %+v; want one refusal", r, i, recs)
			}
		}
		if _, err := os.Stat(filepath.Join(f.Project, "greet")); !os.IsNotExist(err) {
			t.Errorf("%U: the refused writes made greet/ (%v)", r, err)
		}
	}

	f := sandbox.NewFixture(t)
	odd := "report\u202eog.tset"
	if err := os.WriteFile(filepath.Join(f.Project, odd), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sandbox.ReadFile(ctx, odd); err != nil {
		t.Errorf("reading an existing file with a bidi control in its name: %v", err)
	}
	// Right-to-left letters are names, not controls.
	if err := f.Sandbox.WriteFile(ctx, "greet/שלום.go", []byte("package greet\n"), 0o644); err != nil {
		t.Errorf("a Hebrew name: %v", err)
	}
}

// TestQuoteName: a name prints as it is unless something in it does not
// print, and then it is quoted on one line with that escaped.
func TestQuoteName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"greet/greet.go", "greet/greet.go"},
		{"sp ace/a b.go", "sp ace/a b.go"},
		{"calc/größe.go", "calc/größe.go"},
		{"", ""},
		{"greet/evil\x1b[31mred\a.go", `"greet/evil\x1b[31mred\a.go"`},
		{"new\nline.go", `"new\nline.go"`},
		{"a\tb.go", `"a\tb.go"`},
		{"del\x7f.go", `"del\x7f.go"`},
		{"csi\u009b31m.go", `"csi\u009b31m.go"`},
		{"x\u202eog.go", `"x\u202eog.go"`},
		{"nb\u00a0sp.go", `"nb\u00a0sp.go"`},
		{"latin1-\xe9.go", `"latin1-\xe9.go"`},
		{`"a\nb.go"`, `"\"a\\nb.go\""`},
	} {
		if got := sandbox.QuoteName(tc.in); got != tc.want {
			t.Errorf("QuoteName(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestWriteRefusesTilde: no shell expands ~ here, so ~/.bashrc from a
// model would be a directory named ~ in the project that "wrote
// ~/.bashrc" presents as the home directory's file: refused, with the rule
// invalid-path. A ~ later in a name (backup~) is an ordinary name.
func TestWriteRefusesTilde(t *testing.T) {
	ctx := context.Background()
	f := sandbox.NewFixture(t)
	for _, p := range []string{"~/.bashrc", "~root/.profile", "~"} {
		err := f.Sandbox.WriteFile(ctx, p, []byte("x\n"), 0o644)
		var re *sandbox.RefusedError
		if !errors.As(err, &re) || re.Rule != sandbox.RuleInvalidPath || !strings.Contains(err.Error(), "not the home directory") {
			t.Errorf("%s: %v; want refused as invalid-path", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(f.Sandbox.Root(), "~")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a ~ was made in the project: %v", err)
	}
	if err := f.Sandbox.WriteFile(ctx, "notes/backup~", []byte("x\n"), 0o644); err != nil {
		t.Errorf("backup~: %v", err)
	}
}
