package sandbox

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fuzzSeeds are paths worth starting from: the traversal table's tricks
// and their neighbours. {P}, {O}, {S} stand for the fixture's project,
// outside and shared directories.
var fuzzSeeds = []string{
	"file.txt", "sub/inner.txt", ".", "..", "../outside/secret", "a/../../x", "sub/../../outside/secret",
	"{P}/file.txt", "{P}/../outside/secret", "{O}/secret", "{S}/lib.txt", "{S}/../outside/secret",
	"link-in", "link-abs-in", "link-shared", "link-git/config", "link-etc", "link-out", "link-outdir/secret",
	"link-outdir-rel/secret", "link-outdir/../project/file.txt", "chain1", "chain2", "link-proc/etc/passwd",
	"link-devnull", "loop1", "/proc/self/root/etc/passwd", "/proc/self/cwd/file.txt", "/proc/self/fd/0",
	"/dev/null", "/dev/stdin", "fifo", "sock", "devnull", "big.bin", "/etc/passwd", "//etc//passwd",
	"sub/./../link-in", "sub/.git/HEAD", "file.txt/", "file.txt/..", "link-in/..", "link-outdir/..",
	"link-outdir-rel/../project/file.txt", "\x00", "sub\x00/inner.txt", "", "/", "~/.ssh/id_rsa",
	"%2e%2e/outside/secret", "..\\outside\\secret", "sub/../../../../../../etc/passwd",
}

// FuzzResolve: whatever path the sandbox accepts, what it actually opens
// (read, stat) or would write into (the directory and name a write
// resolves to) lies beneath the project or an allowlisted root, and a
// file opened for reading is a regular file. Checked on the kernel's own
// account of each descriptor (/proc/self/fd), with openat2 and with the
// walk.
func FuzzResolve(f *testing.F) {
	fx := NewFixture(f)
	roots := []string{fx.Project, fx.Shared, fx.RO}
	opts := Options{Allow: []string{fx.Shared}, ReadOnly: []string{fx.RO}, MaxFileSize: FixtureMax}
	var sbs []*Sandbox
	for _, walk := range []bool{false, true} {
		s, err := New(fx.Project, opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { s.Close(context.Background()) })
		if walk {
			ForceWalk(s)
		}
		sbs = append(sbs, s)
	}
	for _, p := range fuzzSeeds {
		f.Add(p)
	}
	expand := strings.NewReplacer("{P}", fx.Project, "{O}", fx.Outside, "{S}", fx.Shared)
	under := func(t *testing.T, what, p string) {
		t.Helper()
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		for _, r := range roots {
			if p == r || strings.HasPrefix(p, r+"/") {
				return
			}
		}
		t.Fatalf("%s escaped the sandbox: %s", what, p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		p = expand.Replace(p)
		ctx := context.Background()
		for _, s := range sbs {
			if file, err := s.Open(ctx, p); err == nil {
				under(t, "read of "+p, FDPath(t, file.Fd()))
				var st unix.Stat_t
				if err := unix.Fstat(int(file.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
					t.Fatalf("read of %q opened mode %o (%v)", p, st.Mode, err)
				}
				file.Close()
			}
			r, rel, err := s.locate("write", p)
			if err != nil {
				continue
			}
			if fd, err := s.openBeneath("stat", p, r, rel, unix.O_PATH); err == nil {
				under(t, "stat of "+p, FDPath(t, uintptr(fd)))
				unix.Close(fd)
			}
			if w, err := s.walk("write", p, r, rel, true); err == nil {
				dir := FDPath(t, uintptr(w.dir))
				under(t, "write to "+p, filepath.Join(dir, w.name))
				if got := filepath.Join(dir, w.name); got != w.canon {
					t.Errorf("write to %q: walk says %s, the kernel says %s", p, w.canon, got)
				}
				w.close()
			}
		}
	})
}
