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

// TestWriteRefusesControlCharacters: a path with a control character (C0,
// DEL, C1) or bytes that are not UTF-8 is refused by every check and
// operation that would make or change a file by that name, before anything
// is written: printed, such a name forges lines of aiex's output (a
// newline and a fake "wrote …" line, terminal escapes). The refusal is
// recorded with the rule invalid-path.
func TestWriteRefusesControlCharacters(t *testing.T) {
	ctx := context.Background()
	for _, p := range []string{
		"calc/x\x1b[31mRED\x1b[0m\nwrote calc/fake.go.go",
		"calc/a\tb.go",
		"calc/a\rb.go",
		"calc/del\x7f.go",
		"calc/c1\u0085.go",
		"calc/csi\u009b31m.go",
		"calc/dir\x1b/x.go",
		"calc/latin1-\xe9.go",
	} {
		f := sandbox.NewFixture(t)
		s := f.Sandbox
		ops := []struct {
			op string
			do func() error
		}{
			{audit.OpWrite, func() error { return s.CheckWrite(p) }},
			{audit.OpWrite, func() error { return s.WriteFile(ctx, p, []byte("package calc\n"), 0o644) }},
			{audit.OpWrite, func() error { return s.WriteFrom(ctx, p, strings.NewReader("package calc\n"), 0o644) }},
			{audit.OpMkdir, func() error { return s.MkdirAll(ctx, p, 0o755) }},
			{audit.OpRemove, func() error { return s.Remove(ctx, p) }},
		}
		for i, o := range ops {
			before := len(f.Recorder.Records())
			err := o.do()
			var re *sandbox.RefusedError
			if !errors.As(err, &re) || re.Rule != sandbox.RuleInvalidPath {
				t.Errorf("%q: op %d (%s): %v; want rule %s", p, i, o.op, err, sandbox.RuleInvalidPath)
				continue
			}
			if strings.ContainsAny(err.Error(), "\n\r\x1b\x7f") {
				t.Errorf("%q: the refusal's message carries the control characters: %q", p, err.Error())
			}
			recs := f.Recorder.Records()[before:]
			if len(recs) != 1 || recs[0].Op != o.op || recs[0].Result != audit.ResultRefused ||
				!strings.HasPrefix(recs[0].Detail, "rule "+sandbox.RuleInvalidPath+": ") {
				t.Errorf("%q: op %d: records %+v; want one refused %s", p, i, recs, o.op)
			}
		}
		if _, err := os.Stat(filepath.Join(f.Project, "calc")); !os.IsNotExist(err) {
			t.Errorf("%q: the refused writes made calc/ (%v)", p, err)
		}
	}
	// Ordinary names, non-ASCII letters included, are still written.
	f := sandbox.NewFixture(t)
	for _, p := range []string{"calc/ok.go", "calc/größe.go", "calc/日本.go", "calc/with space.go"} {
		if err := f.Sandbox.WriteFile(ctx, p, []byte("package calc\n"), 0o644); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	// A file already there with such a name can still be read: the rule
	// is about names the assistant makes.
	odd := filepath.Join(f.Project, "odd\x1bname.txt")
	if err := os.WriteFile(odd, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sandbox.ReadFile(ctx, "odd\x1bname.txt"); err != nil {
		t.Errorf("reading an existing file with an escape in its name: %v", err)
	}
}

// TestWriteRecordsDirectoriesMade: a write whose directories are missing
// records each directory it makes, as a mkdir row, before the write's own
// row; directories that were there are not recorded.
func TestWriteRecordsDirectoriesMade(t *testing.T) {
	ctx := context.Background()
	f := sandbox.NewFixture(t)
	if err := os.Mkdir(filepath.Join(f.Project, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := len(f.Recorder.Records())
	if err := f.Sandbox.WriteFile(ctx, "a/b/deep/deep.go", []byte("package deep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type row struct{ op, result, path string }
	var got []row
	for _, r := range f.Recorder.Records()[before:] {
		got = append(got, row{r.Op, r.Result, r.Path})
	}
	want := []row{
		{audit.OpMkdir, audit.ResultOK, f.Project + "/a/b"},
		{audit.OpMkdir, audit.ResultOK, f.Project + "/a/b/deep"},
		{audit.OpWrite, audit.ResultOK, f.Project + "/a/b/deep/deep.go"},
	}
	if len(got) != len(want) {
		t.Fatalf("records %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A second write into the same directories makes none.
	before = len(f.Recorder.Records())
	if err := f.Sandbox.WriteFile(ctx, "a/b/deep/more.go", []byte("package deep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if recs := f.Recorder.Records()[before:]; len(recs) != 1 || recs[0].Op != audit.OpWrite {
		t.Errorf("a write into existing directories recorded %+v", recs)
	}
	// MkdirAll records the directories it makes too, then its own row.
	before = len(f.Recorder.Records())
	if err := f.Sandbox.MkdirAll(ctx, "a/x/y", 0o755); err != nil {
		t.Fatal(err)
	}
	recs := f.Recorder.Records()[before:]
	if len(recs) != 3 || recs[0].Path != f.Project+"/a/x" || recs[1].Path != f.Project+"/a/x/y" ||
		recs[2].Detail != "2 created" {
		t.Errorf("MkdirAll a/x/y recorded %+v", recs)
	}
	for _, r := range recs {
		if r.Op != audit.OpMkdir || r.Result != audit.ResultOK {
			t.Errorf("MkdirAll a/x/y recorded %+v", r)
		}
	}
}
