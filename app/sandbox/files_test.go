package sandbox_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// failingReader yields some bytes, then fails: a write that breaks midway.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = 'z'
	}
	r.n -= n
	return n, nil
}

// tempFiles lists the sandbox's temp files left in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".aiex-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteIsAtomic(t *testing.T) {
	f := sandbox.NewFixture(t)
	ctx := context.Background()
	s := f.Sandbox
	target := filepath.Join(f.Project, "sub/inner.txt")
	cases := []struct {
		name  string
		write func() error
		rule  string
	}{
		{"reader fails midway", func() error {
			return s.WriteFrom(ctx, "sub/inner.txt", &failingReader{n: 300}, 0o644)
		}, ""},
		{"stream over the size limit", func() error {
			return s.WriteFrom(ctx, "sub/inner.txt", &failingReader{n: sandbox.FixtureMax + 5}, 0o644)
		}, sandbox.RuleSizeLimit},
		{"data over the size limit", func() error {
			return s.WriteFile(ctx, "sub/inner.txt", make([]byte, sandbox.FixtureMax+1), 0o644)
		}, sandbox.RuleSizeLimit},
	}
	for _, c := range cases {
		err := c.write()
		var re *sandbox.RefusedError
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.rule != "" && (!errors.As(err, &re) || re.Rule != c.rule):
			t.Errorf("%s: %v, want rule %s", c.name, err, c.rule)
		case c.rule == "" && !strings.Contains(err.Error(), "disk on fire"):
			t.Errorf("%s: %v", c.name, err)
		}
		if b, _ := os.ReadFile(target); string(b) != "inner" {
			t.Errorf("%s: the file now holds %q", c.name, b)
		}
		if tmp := tempFiles(t, filepath.Dir(target)); len(tmp) > 0 {
			t.Errorf("%s: temp files left: %v", c.name, tmp)
		}
	}

	// A good write replaces the file whole and keeps its permissions.
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFrom(ctx, "sub/inner.txt", strings.NewReader("replaced"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(target)
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("mode after replace: %v, %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "replaced" {
		t.Fatalf("content %q", b)
	}
	// Writing to a directory is an error, not a refusal, and leaves nothing.
	err = s.WriteFile(ctx, "sub", []byte("x"), 0o644)
	if !errors.Is(err, unix.EISDIR) || errors.Is(err, sandbox.ErrRefused) {
		t.Fatalf("write to a directory: %v", err)
	}
	if tmp := tempFiles(t, f.Project); len(tmp) > 0 {
		t.Fatalf("temp files left: %v", tmp)
	}
}

func TestReadOps(t *testing.T) {
	f := sandbox.NewFixture(t)
	ctx := context.Background()
	s := f.Sandbox
	if _, err := s.ReadFile(ctx, "missing.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	file, err := s.Open(ctx, "link-in")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(file)
	file.Close()
	if string(b) != "inner" {
		t.Errorf("Open(link-in) read %q", b)
	}
	ents, err := s.ReadDir(ctx, "sub")
	if err != nil || len(ents) != 2 {
		t.Fatalf("ReadDir(sub) = %v, %v", ents, err)
	}
	if _, err := s.ReadDir(ctx, "link-outdir"); !errors.Is(err, sandbox.ErrRefused) {
		t.Errorf("ReadDir through a symlink out: %v", err)
	}
	fi, err := s.Stat(ctx, "link-in")
	if err != nil || fi.Size() != 5 || !fi.Mode().IsRegular() {
		t.Fatalf("Stat(link-in) = %v, %v", fi, err)
	}
	if fi, err := s.Lstat(ctx, "link-in"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat(link-in) = %v, %v; want the link itself", fi, err)
	}
	if fi, err := s.Lstat(ctx, "link-outdir"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat(link-outdir) = %v, %v; want the link itself, not refused", fi, err)
	}
	if _, err := s.Lstat(ctx, "link-outdir/x"); !errors.Is(err, sandbox.ErrRefused) {
		t.Errorf("Lstat through a symlink out: %v", err)
	}
	if fi, err := s.Lstat(ctx, "sub"); err != nil || !fi.IsDir() {
		t.Fatalf("Lstat(sub) = %v, %v", fi, err)
	}
	if _, err := s.Lstat(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lstat(missing) = %v; want fs.ErrNotExist", err)
	}
	if err := s.MkdirAll(ctx, "x/y", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.MkdirAll(ctx, "x/y", 0o755); err != nil {
		t.Fatalf("MkdirAll again: %v", err)
	}
	if err := s.MkdirAll(ctx, "file.txt/y", 0o755); !errors.Is(err, unix.ENOTDIR) {
		t.Fatalf("MkdirAll under a file: %v", err)
	}
	if err := s.Remove(ctx, "x/y"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.Project, "x/y")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("x/y still there: %v", err)
	}
}

// TestAllowlistedFile: a single file may be allowlisted, for reading
// (ReadOnly) or for reading and writing (Allow), and nothing beside it.
func TestAllowlistedFile(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	rw, ro, beside := filepath.Join(base, "rw.txt"), filepath.Join(base, "ro.txt"), filepath.Join(base, "beside.txt")
	for _, p := range []string{rw, ro, beside} {
		if err := os.WriteFile(p, []byte("v1"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project := filepath.Join(base, "project")
	if err := os.Mkdir(project, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := sandbox.New(project, sandbox.Options{Allow: []string{rw}, ReadOnly: []string{ro}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	for _, p := range []string{rw, ro} {
		if b, err := s.ReadFile(ctx, p); err != nil || string(b) != "v1" {
			t.Errorf("read %s: %q, %v", p, b, err)
		}
	}
	if err := s.WriteFile(ctx, rw, []byte("v2"), 0o644); err != nil {
		t.Errorf("write the allowlisted file: %v", err)
	}
	if b, _ := os.ReadFile(rw); string(b) != "v2" {
		t.Errorf("rw.txt holds %q", b)
	}
	var re *sandbox.RefusedError
	if err := s.WriteFile(ctx, ro, []byte("v2"), 0o644); !errors.As(err, &re) || re.Rule != sandbox.RuleReadOnly {
		t.Errorf("write the read-only file: %v", err)
	}
	for _, p := range []string{beside, rw + "/x", filepath.Join(rw, "..", "beside.txt")} {
		if _, err := s.ReadFile(ctx, p); !errors.Is(err, sandbox.ErrRefused) {
			t.Errorf("read %s: %v", p, err)
		}
	}
	if tmp := tempFiles(t, base); len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// TestSymlinkSwapRace swaps a directory and a symlink to the outside
// (atomically, with RENAME_EXCHANGE) while reads and writes go through
// that path: whichever way each lookup falls, none may reach outside.
func TestSymlinkSwapRace(t *testing.T) {
	for _, mode := range []string{"openat2", "walk"} {
		for _, target := range []string{"abs", "rel"} {
			t.Run(mode+"/"+target, func(t *testing.T) { raceSwap(t, mode == "walk", target == "rel") })
		}
	}
}

func raceSwap(t *testing.T, walk, rel bool) {
	f := sandbox.NewFixture(t)
	if walk {
		sandbox.ForceWalk(f.Sandbox)
	}
	ctx := context.Background()
	dir := filepath.Join(f.Project, "a")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("inside"), 0o644); err != nil {
		t.Fatal(err)
	}
	linkTarget := f.Outside
	if rel {
		linkTarget = "../outside"
	}
	if err := os.Symlink(linkTarget, filepath.Join(f.Project, "b")); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			if err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, filepath.Join(f.Project, "b"), unix.RENAME_EXCHANGE); err != nil {
				t.Error(err)
				return
			}
			swaps.Add(1)
		}
	})
	deadline := time.Now().Add(250 * time.Millisecond)
	var reads, inside, writes int
	for time.Now().Before(deadline) || swaps.Load() < 100 {
		reads++
		b, err := f.Sandbox.ReadFile(ctx, "a/secret")
		switch {
		case err == nil && string(b) == "inside":
			inside++
		case err == nil:
			t.Fatalf("read %q through a swapped symlink", b)
		case !errors.Is(err, sandbox.ErrRefused) && !errors.Is(err, fs.ErrNotExist):
			t.Fatalf("read: %v", err)
		}
		if err := f.Sandbox.WriteFile(ctx, "a/new", []byte("w"), 0o644); err == nil {
			writes++
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d swaps, %d reads (%d inside, the rest refused), %d writes inside", swaps.Load(), reads, inside, writes)
	checkOutsideUntouched(t, f)
	if inside == 0 {
		t.Errorf("no read got through while the directory was in place")
	}
}

// TestAuditedOperations runs operations against a real audit log over a
// store and checks the chain: one row per operation, the refusal with its
// rule, no file contents anywhere.
func TestAuditedOperations(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	log := audit.New(audit.Config{Store: st, Node: "n1"})
	dir := t.TempDir()
	s, err := sandbox.New(dir, sandbox.Options{Auditor: log, Actor: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "SECRET-CONTENT-42"
	if err := s.WriteFile(ctx, "a.txt", []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile(ctx, "a.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile(ctx, "../etc/passwd"); err == nil {
		t.Fatal("escape read")
	}
	// A refusal's record says in which project it was: the path as asked,
	// beneath the root.
	if err := s.WriteFile(ctx, ".git/config", nil, 0o644); err == nil {
		t.Fatal("write into .git")
	}
	if err := s.Close(ctx); err != nil { // flushes the log
		t.Fatal(err)
	}
	rows, err := log.List(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ op, result, path, detail string }{
		{"write", "ok", filepath.Join(s.Root(), "a.txt"), "17 bytes"},
		{"read", "ok", filepath.Join(s.Root(), "a.txt"), "17 bytes"},
		{"read", "refused", s.Root() + "/../etc/passwd", "rule outside-root: escapes the project root " + s.Root()},
		{"write", "refused", s.Root() + "/.git/config", "rule git-dir: is in a .git directory, which the assistant never writes"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for i, w := range want {
		r := rows[i]
		if r.Op != w.op || r.Result != w.result || r.Path != w.path || r.Detail != w.detail || r.Actor != "cli" || r.Node != "n1" {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
		if strings.Contains(r.Path+r.Detail, secret) {
			t.Errorf("row %d holds the file's content", i)
		}
	}
	if rep, err := log.Verify(ctx); err != nil || !rep.Intact || rep.Rows != 4 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// TestUnauditedFails: an operation the auditor cannot record fails.
func TestUnauditedFails(t *testing.T) {
	f := sandbox.NewFixture(t)
	f.Recorder.Err = errors.New("audit store gone")
	_, err := f.Sandbox.ReadFile(context.Background(), "file.txt")
	if err == nil || !strings.Contains(err.Error(), "was not audited") {
		t.Fatalf("read with a failing auditor: %v", err)
	}
	file, err := f.Sandbox.Open(context.Background(), "file.txt")
	if err == nil || file != nil {
		t.Fatalf("open with a failing auditor: %v, %v", file, err)
	}
}

// TestCheckWrite: the text-only check a proposal gets before it is
// applied refuses what every write to the path would be refused for, and
// records each refusal once, as a refused write (a pass records nothing:
// nothing was done).
func TestCheckWrite(t *testing.T) {
	f := sandbox.NewFixture(t)
	s := f.Sandbox
	for p, rule := range map[string]string{
		"file.txt":                         "",
		"new/dir/file.go":                  "",
		filepath.Join(f.Shared, "lib.txt"): "",
		".git/hooks/pre-commit":            sandbox.RuleGitDir,
		"sub/.GIT/config":                  sandbox.RuleGitDir,
		"../outside/secret":                sandbox.RuleOutsideRoot,
		filepath.Join(f.Outside, "secret"): sandbox.RuleOutsideRoot,
		filepath.Join(f.RO, "doc.txt"):     sandbox.RuleReadOnly,
		"/proc/self/environ":               sandbox.RuleProc,
	} {
		before := len(f.Recorder.Records())
		err := s.CheckWrite(p)
		var re *sandbox.RefusedError
		switch {
		case rule == "" && err != nil:
			t.Errorf("%s: %v", p, err)
		case rule != "" && (!errors.As(err, &re) || re.Rule != rule):
			t.Errorf("%s: %v; want rule %s", p, err, rule)
		}
		recs := f.Recorder.Records()[before:]
		if rule == "" {
			if len(recs) != 0 {
				t.Errorf("%s: allowed, yet recorded: %+v", p, recs)
			}
			continue
		}
		want := p
		if !filepath.IsAbs(p) {
			want = f.Project + "/" + p
		}
		if len(recs) != 1 || recs[0].Op != audit.OpWrite || recs[0].Result != audit.ResultRefused ||
			recs[0].Path != want || !strings.HasPrefix(recs[0].Detail, "rule "+rule+": ") {
			t.Errorf("%s: records %+v; want one refused write of %s, rule %s", p, recs, want, rule)
		}
	}
}
