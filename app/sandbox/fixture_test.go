package sandbox

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
)

// Fixture is a project with every trick the sandbox must see through, an
// outside directory it must never reach, and two allowlisted ones.
//
//	project/file.txt            "inside"
//	project/sub/inner.txt       "inner"
//	project/.git/config, project/sub/.git/HEAD
//	project/link-in       -> sub/inner.txt             (relative, inside)
//	project/link-abs-in   -> PROJECT/file.txt          (absolute, inside)
//	project/link-shared   -> SHARED/lib.txt            (absolute, allowlisted)
//	project/link-git      -> .git
//	project/link-etc      -> /etc/passwd
//	project/link-out      -> ../outside/secret
//	project/link-outdir   -> OUTSIDE                   (absolute, a directory)
//	project/link-outdir-rel -> ../outside
//	project/chain1 -> chain2 -> sub/../link-out        (a chain that escapes)
//	project/link-proc     -> /proc/self/root
//	project/link-devnull  -> /dev/null
//	project/loop1 <-> loop2
//	project/fifo, project/sock, project/devnull (a device node, when the
//	test may make one), project/big.bin (over the 1 KiB limit)
//	outside/secret        "OUTSIDE", outside/dir/
//	shared/lib.txt        "shared"  (Allow)
//	ro/doc.txt            "doc"     (ReadOnly)
type Fixture struct {
	Project, Outside, Shared, RO string
	HasDevice                    bool // project/devnull exists
	Sandbox                      *Sandbox
	Recorder                     *Recorder
}

// FixtureMax is the fixture sandbox's MaxFileSize.
const FixtureMax = 1024

// NewFixture builds the tree and a sandbox over it, closed at the end of
// the test. The sandbox records into f.Recorder.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	base := t.TempDir()
	f := &Fixture{
		Project: filepath.Join(base, "project"), Outside: filepath.Join(base, "outside"),
		Shared: filepath.Join(base, "shared"), RO: filepath.Join(base, "ro"), Recorder: &Recorder{},
	}
	mkdir := func(p string) {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, data string) {
		mkdir(filepath.Dir(p))
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(f.Project, name)); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(f.Project, "file.txt"), "inside")
	write(filepath.Join(f.Project, "sub/inner.txt"), "inner")
	write(filepath.Join(f.Project, ".git/config"), "[core]\n")
	write(filepath.Join(f.Project, "sub/.git/HEAD"), "ref: refs/heads/main\n")
	write(filepath.Join(f.Project, "big.bin"), strings.Repeat("x", FixtureMax+1))
	write(filepath.Join(f.Outside, "secret"), "OUTSIDE")
	mkdir(filepath.Join(f.Outside, "dir"))
	write(filepath.Join(f.Shared, "lib.txt"), "shared")
	write(filepath.Join(f.RO, "doc.txt"), "doc")

	link("sub/inner.txt", "link-in")
	link(filepath.Join(f.Project, "file.txt"), "link-abs-in")
	link(filepath.Join(f.Shared, "lib.txt"), "link-shared")
	link(".git", "link-git")
	link("/etc/passwd", "link-etc")
	link("../outside/secret", "link-out")
	link(f.Outside, "link-outdir")
	link("../outside", "link-outdir-rel")
	link("chain2", "chain1")
	link("sub/../link-out", "chain2")
	link("/proc/self/root", "link-proc")
	link("/dev/null", "link-devnull")
	link("loop2", "loop1")
	link("loop1", "loop2")
	if err := unix.Mkfifo(filepath.Join(f.Project, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(f.Project, "sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	// A character device (like /dev/null) needs CAP_MKNOD; without it the
	// device rows of the tables are left out and the other special files
	// (FIFO, socket, /dev itself) stand for them.
	f.HasDevice = unix.Mknod(filepath.Join(f.Project, "devnull"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))) == nil

	s, err := New(f.Project, Options{
		Allow: []string{f.Shared}, ReadOnly: []string{f.RO}, MaxFileSize: FixtureMax,
		Auditor: f.Recorder, Actor: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	f.Sandbox = s
	return f
}

// Recorder is an Auditor that keeps what it is given.
type Recorder struct {
	mu   sync.Mutex
	recs []audit.Record
	Err  error // returned by Record when set
}

// Record keeps r.
func (r *Recorder) Record(_ context.Context, rec audit.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	r.recs = append(r.recs, rec)
	return nil
}

// Records returns what was recorded so far.
func (r *Recorder) Records() []audit.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Record(nil), r.recs...)
}

// ForceWalk makes s resolve every path with the component walk, as on a
// kernel without openat2.
func ForceWalk(s *Sandbox) { s.noOpenat2.Store(true) }

// SetLandlockABI replaces the kernel's Landlock probe.
func SetLandlockABI(s *Sandbox, fn func() (int, error)) { s.landlockABI = fn }

// FDPath is where the kernel says fd leads: the object actually opened.
func FDPath(t testing.TB, fd uintptr) string {
	t.Helper()
	p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetSeccomp replaces the kernel's seccomp probe.
func SetSeccomp(s *Sandbox, fn func() error) { s.seccomp = fn }

// SetNamespaces replaces the probe of whether commands can run in
// namespaces of their own.
func SetNamespaces(s *Sandbox, fn func() error) { s.namespaces = fn }

// KernelAtLeast reports whether a kernel release is major.minor or later.
func KernelAtLeast(release string, major, minor int) bool {
	return kernelAtLeast(release, major, minor)
}
