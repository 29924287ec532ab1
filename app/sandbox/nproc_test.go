package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// The figures of the runaway spawner test: the limit it sets, the
// processes its stand-in for aiex keeps running outside the command (more
// than the limit: they must not count against it), and the processes the
// command tries to start.
const (
	spawnLimit   = 64
	spawnOutside = 100
	spawnTries   = 300
)

// nobody is the unprivileged uid and gid the spawner test runs as when
// the test runs as root: the kernel exempts root (its uid 0 outside every
// namespace) from RLIMIT_NPROC, so only an ordinary user shows the limit.
const nobody = 65534

// TestCommandProcessLimit: a confined command that starts processes
// without end is stopped at Options.MaxProcesses — fork fails in it, it
// ends — while aiex and the caller's other processes (more of them than
// the limit, as the same user) go on, and aiex can run the next command.
// A stand-in for aiex, this test binary as an ordinary user, does it all
// (runawaySpawner); a bounded spawner rather than a real fork bomb, so
// that the test is harmless where the limit is missing.
func TestCommandProcessLimit(t *testing.T) {
	exe := standIn(t)
	base := t.TempDir()
	for _, d := range []string{"project", "tmp"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A copy of the test binary: the go command builds it in a directory
	// only its owner may enter.
	self := filepath.Join(base, "sandbox.test")
	if err := copyExecutable(exe, self); err != nil {
		t.Fatal(err)
	}
	aiex := exec.Command(self)
	aiex.Env = append(os.Environ(), childEnv+"=spawner:"+base)
	if os.Geteuid() == 0 {
		for _, d := range []string{filepath.Dir(base), base} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []string{"project", "tmp"} {
			if err := os.Chown(filepath.Join(base, d), nobody, nobody); err != nil {
				t.Fatal(err)
			}
		}
		aiex.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	out, err := aiex.CombinedOutput()
	if err != nil {
		t.Fatalf("the stand-in for aiex: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// copyExecutable copies the program at from to a new file to, executable
// by all.
func copyExecutable(from, to string) error {
	r, err := os.Open(from)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return errors.Join(err, w.Close())
}

// runawaySpawner is the child job of TestCommandProcessLimit, run in base
// (with project/ and tmp/ in it): it keeps spawnOutside processes of its
// own running, then runs a confined command limited to spawnLimit
// processes that tries to start spawnTries, and checks that the command
// was stopped at the limit — not before it, as it would be if the
// processes outside counted — and that aiex goes on.
func runawaySpawner(base string) error {
	var outside []*exec.Cmd
	defer func() {
		for _, c := range outside {
			c.Process.Kill()
			c.Wait()
		}
	}()
	for range spawnOutside {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			return fmt.Errorf("a process outside the sandbox: %w", err)
		}
		outside = append(outside, c)
	}
	s, err := sandbox.New(filepath.Join(base, "project"), sandbox.Options{
		Mode: sandbox.ModeStrict, TempDir: filepath.Join(base, "tmp"), MaxProcesses: spawnLimit,
	})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	script := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do sleep 600 & i=$((i+1)); echo $i; done; echo all`, spawnTries)
	start := time.Now()
	out, err := s.Command(ctx, "sh", "-c", script).CombinedOutput()
	started := 0
	for _, l := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(l); err == nil {
			started = max(started, n)
		}
	}
	tail := string(out[max(0, len(out)-200):])
	switch {
	case strings.Contains(string(out), "all"):
		return fmt.Errorf("the confined command started all %d processes (limit %d): %v", spawnTries, spawnLimit, err)
	case err == nil || !strings.Contains(string(out), "Cannot fork"):
		return fmt.Errorf("the confined command was not stopped by a failed fork: %v: …%s", err, tail)
	case ctx.Err() != nil:
		return fmt.Errorf("the confined command ran until its timeout: …%s", tail)
	case started >= spawnLimit:
		return fmt.Errorf("the confined command started %d processes, limit %d", started, spawnLimit)
	case started < spawnLimit/2:
		// Its init's threads and the shell count; the caller's processes
		// outside must not.
		return fmt.Errorf("the confined command could start only %d processes of %d: processes outside count against it", started, spawnLimit)
	}
	fmt.Printf("the confined command started %d processes, then fork failed (%v, in %v)\n", started, err, time.Since(start).Round(time.Millisecond))

	// Aiex goes on: it runs the next command, and starts processes of
	// its own.
	if out, err := s.Command(ctx, "sh", "-c", "echo next").Output(); err != nil || string(out) != "next\n" {
		return fmt.Errorf("the command after the runaway one: %v: %q", err, out)
	}
	if err := exec.Command("true").Run(); err != nil {
		return fmt.Errorf("a process of aiex's after the runaway command: %w", err)
	}
	return nil
}

// TestKernelAtLeast: the release check that keeps the limit off kernels
// counting RLIMIT_NPROC across the whole machine.
func TestKernelAtLeast(t *testing.T) {
	for _, c := range []struct {
		release string
		want    bool
	}{
		{"6.18.44-fc-v669", true},
		{"5.14.0-427.el9.x86_64", true},
		{"5.15.0", true},
		{"5.13.19", false},
		{"4.19.0-26-amd64", false},
		{"", false},
		{"garbage", false},
	} {
		if got := sandbox.KernelAtLeast(c.release, 5, 14); got != c.want {
			t.Errorf("KernelAtLeast(%q, 5, 14) = %v, want %v", c.release, got, c.want)
		}
	}
}
