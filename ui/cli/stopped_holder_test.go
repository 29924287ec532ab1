package cli_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/ui/cli"
)

// tailEnv makes the test binary, run again as a child, run aiex events
// tail on the data dir it names (TestTailingProcess).
const tailEnv = "AIEX_TEST_TAIL_DATA_DIR"

// TestTailingProcess is not a test: it is the child process of
// TestCommandsBehindAStoppedHolder, which runs aiex events tail — a
// command that holds the data dir and serves its socket, as the TUI
// does — until it is killed.
func TestTailingProcess(t *testing.T) {
	dir := os.Getenv(tailEnv)
	if dir == "" {
		t.Skip("the child process of TestCommandsBehindAStoppedHolder")
	}
	cli.Run(context.Background(), []string{"--data-dir", dir, "events", "tail"}, cli.Env{
		Stdout: os.Stdout, Stderr: os.Stderr, Getenv: func(string) string { return "" },
		Build: cli.BuildInfo{Version: "test", Commit: "abc"},
	})
}

// TestCommandsBehindAStoppedHolder: the process holding the data dir is
// stopped (Ctrl+Z; SIGSTOP here), and the kernel still accepts
// connections on its socket. The commands that go through it fail within
// a few seconds with one line naming it and saying it is stopped, exit 1,
// instead of hanging.
func TestCommandsBehindAStoppedHolder(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs Linux's /proc to tell a stopped process")
	}
	dir := shortDir(t)
	pid := startTailer(t, dir)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !stopped(pid); {
		if time.Now().After(deadline) {
			t.Fatal("the child was never stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}

	for _, args := range [][]string{
		{"history"},         // viaNodeRead
		{"session", "list"}, // viaNode
		{"ask", "-m", "tiny", "--no-code", "hello"}, // connects by itself
	} {
		done := make(chan run, 1)
		start := time.Now()
		go func() { done <- runCLI(t, false, nil, append([]string{"--data-dir", dir}, args...)...) }()
		var r run
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s behind a stopped holder: still waiting after 20 s", args)
		}
		took := time.Since(start)
		want := fmt.Sprintf("(PID %d) holding data dir %s does not answer: it is stopped (Ctrl+Z); bring it back with fg in its shell", pid, dir)
		if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%s behind a stopped holder: exit %d, stderr %q; want 1 and one line saying %q", args, r.code, r.stderr, want)
		}
		if took > 5*time.Second {
			t.Errorf("%s: failed after %v; want within ~2 s", args, took)
		}
	}
}

// stopped reports whether the process is stopped, as Linux's
// /proc/PID/stat says.
func stopped(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'T'
}

// startTailer starts a child process running aiex events tail on dir
// (TestTailingProcess), which serves its socket, and waits until it
// answers; the child is killed when the test ends.
func startTailer(t *testing.T, dir string) int {
	t.Helper()
	pid := startChild(t, "TestTailingProcess", tailEnv+"="+dir, "events", "tail")
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		cl, err := node.Connect(ctx, dir)
		if err == nil {
			_, err = cl.Status(ctx)
		}
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child never served its socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return pid
}

// startChild runs the test binary again as a child running test only
// (one that acts as an aiex process when env is set), its command line
// ending in args as that process's would (what the commands' messages
// name it by), and kills it when the test ends. It returns its PID.
func startChild(t *testing.T, test, env string, args ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^" + test + "$", "-test.count=1", "--"}, args...)...)
	cmd.Env = append(os.Environ(), env)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return pid
}
