package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// childEnv, when set, makes the test binary act as a sandboxed child
// instead of running tests: "write:PATH" writes PATH, "read:PATH" reads it;
// the socket jobs are in seccomp_test.go. It exits 0 on success, 3 with
// the error on stderr otherwise.
const childEnv = "SANDBOX_TEST_CHILD"

func TestMain(m *testing.M) {
	if job := os.Getenv(childEnv); job != "" {
		os.Exit(child(job))
	}
	os.Exit(m.Run())
}

func child(job string) int {
	op, path, _ := strings.Cut(job, ":")
	var err error
	switch op {
	case "write":
		err = os.WriteFile(path, []byte("from the child"), 0o644)
	case "read":
		_, err = os.ReadFile(path)
	case "writetmp": // a file in $TMPDIR
		err = os.WriteFile(filepath.Join(os.Getenv("TMPDIR"), path), []byte("from the child"), 0o644)
	case "dialunix", "dgrampair", "socketpair", "socketwide", "socketx32", "iouring":
		err = socketJob(op, path)
	case "dialtcp", "loopback": // network jobs, in namespace_test.go
		err = netJob(op, path)
	case "confinedsleep": // in namespace_test.go
		err = confinedSleep(path)
	case "spawner": // in nproc_test.go
		err = runawaySpawner(path)
	default:
		err = fmt.Errorf("unknown job %q", job)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// commandFixture is a sandbox whose temp dir is private, so that "outside"
// (another temp dir) is not writable through it.
func commandFixture(t *testing.T, mode sandbox.Mode) (s *sandbox.Sandbox, project, outside, tmp string, rec *sandbox.Recorder) {
	t.Helper()
	base := t.TempDir()
	project, outside, tmp = filepath.Join(base, "project"), filepath.Join(base, "outside"), filepath.Join(base, "tmp")
	for _, d := range []string{project, outside, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("OUTSIDE"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec = &sandbox.Recorder{}
	s, err := sandbox.New(project, sandbox.Options{Mode: mode, TempDir: tmp, Auditor: rec, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, project, outside, tmp, rec
}

// runChild runs this test binary as a sandboxed child doing job.
func runChild(t *testing.T, s *sandbox.Sandbox, job string) (*sandbox.Cmd, string, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := s.Command(context.Background(), exe)
	cmd.Env = append(os.Environ(), childEnv+"="+job)
	out, err := cmd.CombinedOutput()
	return cmd, string(out), err
}

// TestCommandConfined: on a kernel with Landlock, a child may write the
// project and the temp dir and nothing else, and aiex itself stays free;
// on a kernel without it, the sandbox says so (strict mode refuses).
func TestCommandConfined(t *testing.T) {
	s, project, outside, tmp, rec := commandFixture(t, sandbox.ModeAuto)
	ll := s.Landlock()
	t.Logf("this kernel: %s", ll)
	if !ll.Landlock {
		// No Landlock here: the report must say so, and strict mode must
		// refuse to run anything.
		if !strings.Contains(ll.Reason, "kernel lacks Landlock") {
			t.Fatalf("reason %q does not say the kernel lacks Landlock", ll.Reason)
		}
		strict, _, _, _, _ := commandFixture(t, sandbox.ModeStrict)
		if _, _, err := runChild(t, strict, "write:"+filepath.Join(project, "x")); !errors.Is(err, sandbox.ErrRefused) {
			t.Fatalf("strict mode without Landlock ran the command: %v", err)
		}
		return
	}
	cases := []struct {
		job string
		ok  bool
	}{
		{"write:" + filepath.Join(project, "made.txt"), true},
		{"write:" + filepath.Join(tmp, "made.txt"), true},
		{"read:/etc/passwd", true},
		{"write:" + filepath.Join(outside, "made.txt"), false},
		{"write:" + filepath.Join(outside, "secret"), false},
		{"read:" + filepath.Join(outside, "secret"), false},
		{"write:/etc/aiex-sandbox-test", false},
		{"write:" + filepath.Join(filepath.Dir(project), "made.txt"), false},
	}
	for _, c := range cases {
		cmd, out, err := runChild(t, s, c.job)
		if !cmd.Confinement().Landlock {
			t.Fatalf("%s: not confined: %s", c.job, cmd.Confinement())
		}
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v: %s", c.job, err, out)
		case !c.ok && err == nil:
			t.Errorf("%s: the confined child did it", c.job)
		case !c.ok && !strings.Contains(out, "permission denied"):
			t.Errorf("%s: failed, but not for Landlock: %v: %s", c.job, err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "made.txt")); err == nil {
		t.Fatal("a file appeared outside")
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "OUTSIDE" {
		t.Fatalf("outside/secret now holds %q", b)
	}
	// This process is not confined: it still writes where the child may
	// not, from the thread it is on and from fresh ones (each goroutine
	// locks a thread of its own: a restricted thread left in the pool
	// would turn up among them).
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if err := os.WriteFile(filepath.Join(outside, fmt.Sprint("parent", i)), []byte("free"), 0o644); err != nil {
				t.Errorf("the test process itself got confined: %v", err)
			}
		})
	}
	wg.Wait()
	// Each run was recorded: exec (confined) then exit.
	recs := rec.Records()
	if len(recs) != 2*len(cases) || recs[0].Op != audit.OpExec || recs[1].Op != audit.OpExit ||
		!strings.Contains(recs[0].Detail, "confined with Landlock") {
		t.Fatalf("records: %+v", recs[:min(2, len(recs))])
	}
}

// TestCommandCannotReadParent: a confined child cannot read the
// environment (where API keys are often passed) or the memory of the
// process that started it, which the scrubbed environment it gets would
// otherwise not protect: /proc is readable to it.
func TestCommandCannotReadParent(t *testing.T) {
	s, _, _, _, _ := commandFixture(t, sandbox.ModeAuto)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	for _, f := range []string{"environ", "mem", "auxv"} {
		job := fmt.Sprintf("read:/proc/%d/%s", os.Getpid(), f)
		cmd, out, err := runChild(t, s, job)
		if !cmd.Confinement().Landlock {
			t.Fatalf("%s: not confined: %s", job, cmd.Confinement())
		}
		if err == nil || !strings.Contains(out, "permission denied") {
			t.Errorf("%s: the confined child read its parent's /proc/PID/%s (%v: %s)", job, f, err, out)
		}
	}
	// For a child of an ordinary user (these tests may run as root, whose
	// child is kept out by having no capabilities) what keeps it out is
	// that this process is not dumpable.
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Errorf("after a confined command this process is dumpable (%d, %v): a child of the same user reads its /proc/PID/environ", d, err)
	}
	// The child's own /proc entries stay readable (toolchains read them).
	if _, out, err := runChild(t, s, "read:/proc/self/environ"); err != nil {
		t.Errorf("read:/proc/self/environ: %v: %s", err, out)
	}
}

// TestCommandCodeCachesReadOnly: a confined child may write the Go build
// cache but not the caches of code the user later runs unconfined: a
// dependency's source in the Go module cache, Mix's archives.
func TestCommandCodeCachesReadOnly(t *testing.T) {
	home, modcache, gocache := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GOMODCACHE", modcache)
	t.Setenv("GOCACHE", gocache)
	dep := filepath.Join(modcache, "example.com", "dep@v1.0.0", "dep.go")
	archive := filepath.Join(home, ".mix", "archives", "tool.ez")
	for _, f := range []string{dep, archive} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("package dep\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, _, _, _, _ := commandFixture(t, sandbox.ModeAuto)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	for _, c := range []struct {
		job string
		ok  bool
	}{
		{"write:" + filepath.Join(gocache, "ab", "entry"), true},
		{"read:" + dep, true},
		{"write:" + dep, false},
		{"write:" + filepath.Join(filepath.Dir(dep), "new.go"), false},
		{"write:" + archive, false},
	} {
		if path, ok := strings.CutPrefix(c.job, "write:"); ok && c.ok {
			os.MkdirAll(filepath.Dir(path), 0o755)
		}
		_, out, err := runChild(t, s, c.job)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v: %s", c.job, err, out)
		case !c.ok && (err == nil || !strings.Contains(out, "permission denied")):
			t.Errorf("%s: the confined child did it (%v: %s)", c.job, err, out)
		}
	}
	if b, _ := os.ReadFile(dep); string(b) != "package dep\n" {
		t.Fatalf("dep.go now holds %q", b)
	}
}

// TestCommandTempDirIsItsOwn: without a TempDir option, commands get a
// temp dir of the sandbox's own, not the system's: a project kept in the
// system's temp dir stays read-only to them, and other programs' files
// there are out of reach. Close removes it.
func TestCommandTempDirIsItsOwn(t *testing.T) {
	scratch, readOnly := t.TempDir(), t.TempDir() // both in the system's temp dir
	s, err := sandbox.New(scratch, sandbox.Options{ReadOnly: []string{readOnly}, Mode: sandbox.ModeAuto})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(job string) (string, error) {
		cmd := s.Command(context.Background(), exe)
		cmd.ExtraEnv = []string{childEnv + "=" + job}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	other := filepath.Join(os.TempDir(), fmt.Sprintf("aiex-test-other-%d", os.Getpid()))
	defer os.Remove(other)
	for _, job := range []string{"write:" + filepath.Join(readOnly, "planted.go"), "write:" + other} {
		if out, err := run(job); err == nil || !strings.Contains(out, "permission denied") {
			t.Errorf("%s: the confined child did it (%v: %s)", job, err, out)
		}
	}
	if out, err := run("writetmp:x"); err != nil {
		t.Fatalf("writing its own TMPDIR: %v: %s", err, out)
	}
	tmps, _ := filepath.Glob(filepath.Join(os.TempDir(), "aiex-cmd-*", "x"))
	var mine string
	for _, f := range tmps {
		if b, err := os.ReadFile(f); err == nil && string(b) == "from the child" {
			mine = filepath.Dir(f)
		}
	}
	if mine == "" {
		t.Fatal("the child's temp file is not in an aiex-cmd-* dir of the system's temp dir")
	}
	s.Close(context.Background())
	if _, err := os.Stat(mine); !os.IsNotExist(err) {
		t.Errorf("after Close the commands' temp dir %s is still there (%v)", mine, err)
	}
}

// TestCommandWithoutLandlock: a kernel that lacks Landlock, as the sandbox
// sees it, is reported; strict mode refuses and auto mode runs unconfined.
func TestCommandWithoutLandlock(t *testing.T) {
	lacks := func() (int, error) {
		return 0, errors.New("landlock_create_ruleset: not implemented: the kernel was built without Landlock")
	}
	s, project, _, _, rec := commandFixture(t, sandbox.ModeStrict)
	sandbox.SetLandlockABI(s, lacks)
	ll := s.Landlock()
	if ll.Landlock || !strings.Contains(ll.String(), "unconfined: the kernel lacks Landlock (landlock_create_ruleset") {
		t.Fatalf("report %q", ll)
	}
	_, _, err := runChild(t, s, "write:"+filepath.Join(project, "x"))
	var re *sandbox.RefusedError
	if !errors.As(err, &re) || re.Rule != sandbox.RuleStrict || !strings.Contains(err.Error(), "cannot be confined: kernel lacks Landlock") {
		t.Fatalf("strict without Landlock: %v", err)
	}
	if _, err := os.Stat(filepath.Join(project, "x")); err == nil {
		t.Fatal("strict mode ran the command anyway")
	}
	if recs := rec.Records(); len(recs) != 1 || recs[0].Result != audit.ResultRefused || !strings.Contains(recs[0].Detail, "rule strict") {
		t.Fatalf("records %+v", recs)
	}

	auto, project, _, _, rec := commandFixture(t, sandbox.ModeAuto)
	sandbox.SetLandlockABI(auto, lacks)
	cmd, out, err := runChild(t, auto, "write:"+filepath.Join(project, "x"))
	if err != nil {
		t.Fatalf("auto without Landlock: %v: %s", err, out)
	}
	if c := cmd.Confinement(); c.Landlock || !strings.Contains(c.Reason, "kernel lacks Landlock") {
		t.Fatalf("confinement %q", c)
	}
	if recs := rec.Records(); len(recs) != 2 || !strings.Contains(recs[0].Detail, "unconfined: the kernel lacks Landlock") {
		t.Fatalf("records %+v", recs)
	}
}

func TestCommandPaths(t *testing.T) {
	s, _, outside, _, _ := commandFixture(t, sandbox.ModeOff)
	ctx := context.Background()
	if err := s.Command(ctx, "../x").Run(); !errors.Is(err, sandbox.ErrRefused) {
		t.Errorf("program outside the project: %v", err)
	}
	cmd := s.Command(ctx, "true")
	cmd.Dir = outside
	if err := cmd.Run(); !errors.Is(err, sandbox.ErrRefused) {
		t.Errorf("working dir outside the project: %v", err)
	}
	cmd = s.Command(ctx, "no-such-program-aiex")
	if err := cmd.Run(); err == nil {
		t.Error("a missing program ran")
	}
	cmd = s.Command(ctx, "true")
	if err := cmd.Run(); err != nil || cmd.Confinement().String() != "unconfined: the sandbox mode is off" {
		t.Errorf("mode off: %v, %s", err, cmd.Confinement())
	}
}

// TestCommandGroupKilled: when the context ends, the child's whole
// process group goes, grandchildren holding its output included, and Wait
// returns promptly; the exit is recorded.
func TestCommandGroupKilled(t *testing.T) {
	s, _, _, _, rec := commandFixture(t, sandbox.ModeAuto)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	cmd := s.Command(ctx, "sh", "-c", "sleep 30 & sleep 30")
	cmd.ExtraEnv = []string{"A=1"}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("cancelled command: %v after %v (%s)", err, time.Since(start), out)
	}
	if st := cmd.ProcessState(); st == nil || st.ExitCode() != -1 {
		t.Fatalf("process state %v", st)
	}
	recs := rec.Records()
	if len(recs) != 2 || recs[1].Op != audit.OpExit || recs[1].Result != audit.ResultError || !strings.Contains(recs[1].Detail, "killed") {
		t.Fatalf("records %+v", recs)
	}
}

func TestParseMode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want sandbox.Mode
		err  bool
	}{{"", sandbox.ModeAuto, false}, {"auto", sandbox.ModeAuto, false}, {"strict", sandbox.ModeStrict, false},
		{"off", sandbox.ModeOff, false}, {"Strict", 0, true}, {"on", 0, true}} {
		got, err := sandbox.ParseMode(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseMode(%q) = %v, %v", c.in, got, err)
		}
		if err == nil && c.in != "" && got.String() != c.in {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}
