package sandbox_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// trick is one row of the traversal table: an operation on a path, and
// the rule that must refuse it ("" when it must succeed, with want read
// back or written).
type trick struct {
	op   string
	path string
	rule string
	want string // read: the content; write: the file (relative to the project) that must now hold the data
}

// tricks are the known ways out of a directory, and the ways in that must
// keep working. {P}, {O}, {S}, {R} stand for the fixture's project,
// outside, shared and read-only directories.
var tricks = []trick{
	// Reads that stay inside.
	{op: "read", path: "file.txt", want: "inside"},
	{op: "read", path: "./sub/../file.txt", want: "inside"},
	{op: "read", path: "sub//inner.txt", want: "inner"},
	{op: "read", path: "{P}/file.txt", want: "inside"},
	{op: "read", path: "link-in", want: "inner"},
	{op: "read", path: "link-abs-in", want: "inside"},
	{op: "read", path: "link-shared", want: "shared"},
	{op: "read", path: "{S}/lib.txt", want: "shared"},
	{op: "read", path: "{R}/doc.txt", want: "doc"},
	{op: "read", path: ".git/config", want: "[core]\n"},

	// .. and absolute paths.
	{op: "read", path: "..", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "../outside/secret", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "a/../../x", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "sub/../../outside/secret", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "{O}/secret", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "{P}/../outside/secret", rule: sandbox.RuleOutsideRoot},
	{op: "read", path: "/etc/passwd", rule: sandbox.RuleOutsideRoot},

	// Symlinks that lead out.
	{op: "read", path: "link-etc", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "link-out", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "link-outdir/secret", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "link-outdir-rel/secret", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "chain1", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "link-proc/etc/passwd", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "link-devnull", rule: sandbox.RuleSymlinkEscape},
	{op: "read", path: "loop1", rule: sandbox.RuleSymlinkLoop},

	// Pseudo filesystems and special files.
	{op: "read", path: "/proc/self/root/etc/passwd", rule: sandbox.RuleProc},
	{op: "read", path: "/proc/self/environ", rule: sandbox.RuleProc},
	{op: "read", path: "/sys/kernel/mm", rule: sandbox.RuleProc},
	{op: "read", path: "/dev/null", rule: sandbox.RuleSpecialFile},
	{op: "read", path: "fifo", rule: sandbox.RuleSpecialFile},
	{op: "read", path: "sock", rule: sandbox.RuleSpecialFile},
	{op: "read", path: "devnull", rule: sandbox.RuleSpecialFile}, // only with a device node
	{op: "read", path: "big.bin", rule: sandbox.RuleSizeLimit},

	// Malformed paths.
	{op: "read", path: "", rule: sandbox.RuleInvalidPath},
	{op: "read", path: "file.txt\x00/etc/passwd", rule: sandbox.RuleInvalidPath},
	{op: "read", path: strings.Repeat("a/", 2100) + "x", rule: sandbox.RuleInvalidPath},
	{op: "read", path: strings.Repeat("n", 256), rule: sandbox.RuleInvalidPath},

	// Writes.
	{op: "write", path: "new.txt", want: "new.txt"},
	{op: "write", path: "sub/new.txt", want: "sub/new.txt"},
	{op: "write", path: "fresh/deep/new.txt", want: "fresh/deep/new.txt"}, // directories made on the way
	{op: "write", path: "fresh/.git/new.txt", rule: sandbox.RuleGitDir},
	{op: "write", path: "link-outdir/fresh/new.txt", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "link-in", want: "sub/inner.txt"}, // through the link, to its target
	{op: "write", path: "{S}/new.txt", want: "../shared/new.txt"},
	{op: "write", path: ".git/config", rule: sandbox.RuleGitDir},
	{op: "write", path: "sub/.git/HEAD", rule: sandbox.RuleGitDir},
	{op: "write", path: ".GIT/config", rule: sandbox.RuleGitDir},
	{op: "write", path: "link-git/config", rule: sandbox.RuleGitDir},
	{op: "write", path: ".git", rule: sandbox.RuleGitDir},
	{op: "write", path: "{R}/doc.txt", rule: sandbox.RuleReadOnly},
	{op: "write", path: "../x", rule: sandbox.RuleOutsideRoot},
	{op: "write", path: "{O}/x", rule: sandbox.RuleOutsideRoot},
	{op: "write", path: "link-outdir/x", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "link-outdir-rel/x", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "link-out", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "link-etc", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "chain1", rule: sandbox.RuleSymlinkEscape},
	{op: "write", path: "fifo", rule: sandbox.RuleSpecialFile},
	{op: "write", path: "sock", rule: sandbox.RuleSpecialFile},
	{op: "write", path: "devnull", rule: sandbox.RuleSpecialFile},
	{op: "write", path: "/dev/null", rule: sandbox.RuleSpecialFile},
	{op: "write", path: "/proc/self/attr/current", rule: sandbox.RuleProc},
	{op: "write", path: "bad\x00", rule: sandbox.RuleInvalidPath},
	{op: "write", path: "lat\xe9.ex", rule: sandbox.RuleInvalidPath},
	{op: "remove", path: "lat\xe9.ex", rule: sandbox.RuleInvalidPath},

	// Remove and mkdir.
	{op: "remove", path: "link-out"}, // the link itself, inside
	{op: "remove", path: ".git/config", rule: sandbox.RuleGitDir},
	{op: "remove", path: ".", rule: sandbox.RuleOutsideRoot},
	{op: "remove", path: "link-outdir/secret", rule: sandbox.RuleSymlinkEscape},
	{op: "remove", path: "{R}/doc.txt", rule: sandbox.RuleReadOnly},
	{op: "mkdir", path: "new/a/b"},
	{op: "mkdir", path: "sub/.git/hooks", rule: sandbox.RuleGitDir},
	{op: "mkdir", path: "link-outdir/new", rule: sandbox.RuleSymlinkEscape},
	{op: "stat", path: "link-in"},
	{op: "stat", path: "link-etc", rule: sandbox.RuleSymlinkEscape},
	{op: "stat", path: "/proc/self", rule: sandbox.RuleProc},
}

// TestTraversal runs the table twice: with openat2 and with the walk a
// kernel without openat2 gets.
func TestTraversal(t *testing.T) {
	for _, mode := range []string{"openat2", "walk"} {
		t.Run(mode, func(t *testing.T) {
			f := sandbox.NewFixture(t)
			if mode == "walk" {
				sandbox.ForceWalk(f.Sandbox)
			}
			for _, tr := range tricks {
				p := strings.NewReplacer("{P}", f.Project, "{O}", f.Outside, "{S}", f.Shared, "{R}", f.RO).Replace(tr.path)
				if strings.Contains(p, "devnull") && !f.HasDevice {
					continue // no device node without CAP_MKNOD; see NewFixture
				}
				err := apply(f.Sandbox, tr.op, p)
				checkTrick(t, f, tr, p, err)
			}
			checkOutsideUntouched(t, f)
		})
	}
}

func apply(s *sandbox.Sandbox, op, p string) error {
	ctx := context.Background()
	switch op {
	case "read":
		_, err := s.ReadFile(ctx, p)
		return err
	case "write":
		return s.WriteFile(ctx, p, []byte("written"), 0o644)
	case "remove":
		return s.Remove(ctx, p)
	case "mkdir":
		return s.MkdirAll(ctx, p, 0o755)
	case "stat":
		_, err := s.Stat(ctx, p)
		return err
	}
	panic(op)
}

func checkTrick(t *testing.T, f *sandbox.Fixture, tr trick, p string, err error) {
	t.Helper()
	name := tr.op + " " + strings.ReplaceAll(tr.path, "\x00", `\0`)
	if len(name) > 60 {
		name = name[:60] + "…"
	}
	if tr.rule == "" {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		switch tr.op {
		case "read":
			if got, _ := f.Sandbox.ReadFile(context.Background(), p); string(got) != tr.want {
				t.Errorf("%s: read %q, want %q", name, got, tr.want)
			}
		case "write":
			if got, _ := os.ReadFile(filepath.Join(f.Project, tr.want)); string(got) != "written" {
				t.Errorf("%s: %s holds %q", name, tr.want, got)
			}
		}
		return
	}
	var re *sandbox.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, sandbox.ErrRefused) {
		t.Errorf("%s: err = %v, want a refusal by rule %s", name, err, tr.rule)
		return
	}
	msg := err.Error()
	if re.Rule != tr.rule || !strings.HasPrefix(msg, "refused: ") || !strings.HasSuffix(msg, "(rule: "+tr.rule+")") ||
		strings.ContainsAny(msg, "\n\x00") || len(msg) > 400 {
		t.Errorf("%s: %q; want one line naming rule %s", name, msg, tr.rule)
	}
	// The refusal was recorded, with the rule.
	recs := f.Recorder.Records()
	last := recs[len(recs)-1]
	if last.Result != audit.ResultRefused || !strings.Contains(last.Detail, "rule "+tr.rule) {
		t.Errorf("%s: last audit record %+v", name, last)
	}
}

// checkOutsideUntouched: nothing outside the roots changed.
func checkOutsideUntouched(t *testing.T, f *sandbox.Fixture) {
	t.Helper()
	var names []string
	filepath.WalkDir(f.Outside, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(f.Outside, p)
		names = append(names, rel)
		return nil
	})
	if strings.Join(names, " ") != ". dir secret" {
		t.Errorf("outside now holds %v", names)
	}
	if b, _ := os.ReadFile(filepath.Join(f.Outside, "secret")); string(b) != "OUTSIDE" {
		t.Errorf("outside/secret now holds %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(f.RO, "doc.txt")); string(b) != "doc" {
		t.Errorf("ro/doc.txt now holds %q", b)
	}
}

func TestRefusalMessage(t *testing.T) {
	f := sandbox.NewFixture(t)
	_, err := f.Sandbox.ReadFile(context.Background(), "../x")
	want := "refused: ../x escapes the project root " + f.Project + " (rule: outside-root)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant   %s", err, want)
	}
	_, err = f.Sandbox.ReadFile(context.Background(), "../a b\x01")
	want = `refused: "../a b\x01" escapes the project root ` + f.Project + " (rule: outside-root)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant   %s", err, want)
	}
}

func TestNewRefusesBadRoots(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		root string
		opts sandbox.Options
	}{
		{"/", sandbox.Options{}},
		{"/proc", sandbox.Options{}},
		{dir, sandbox.Options{Allow: []string{"/dev"}}},
		{dir, sandbox.Options{ReadOnly: []string{"/sys/kernel"}}},
		{filepath.Join(dir, "missing"), sandbox.Options{}},
		{dir, sandbox.Options{Allow: []string{filepath.Join(dir, "missing")}}},
	} {
		if s, err := sandbox.New(c.root, c.opts); err == nil {
			s.Close(context.Background())
			t.Errorf("New(%s, %+v) accepted", c.root, c.opts)
		}
	}
}

func TestClosed(t *testing.T) {
	f := sandbox.NewFixture(t)
	ctx := context.Background()
	if err := f.Sandbox.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.Sandbox.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := f.Sandbox.ReadFile(ctx, "file.txt"); !errors.Is(err, sandbox.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
}
