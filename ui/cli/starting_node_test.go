package cli_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
)

// startingEnv makes the test binary, run again as a child, act as an
// aiex node that is slow to start on the data dir it names
// (TestSlowStartingNodeProcess).
const startingEnv = "AIEX_TEST_STARTING_DATA_DIR"

// TestSlowStartingNodeProcess is not a test: it is the child process of
// TestCommandWaitsForASlowStartingNode. Its command line ends in "node
// run", as a node's does; it holds the data dir for 5 s (a node joining
// its cluster and catching up with the leader) before it serves its
// socket, then serves it until it is killed.
func TestSlowStartingNodeProcess(t *testing.T) {
	dir := os.Getenv(startingEnv)
	if dir == "" {
		t.Skip("the child process of TestCommandWaitsForASlowStartingNode")
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(startingEnv+"_EXIT") != "" {
		time.Sleep(2 * time.Second) // starting, then failing (a join refused)
		a.Close(ctx)
		os.Exit(1)
	}
	time.Sleep(5 * time.Second) // starting
	if _, err := node.ServeSocket(a, nil); err != nil {
		t.Fatal(err)
	}
	select {}
}

// startSlowNode runs the child and waits until it holds dir.
func startSlowNode(t *testing.T, dir string) int {
	t.Helper()
	pid := startChild(t, "TestSlowStartingNodeProcess", startingEnv+"="+dir, "node", "run")
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, busy := app.DataDirBusy(dir); busy {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never held the data dir")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCommandWaitsForASlowStartingNode: a node may hold its data dir for
// many seconds before it serves it (joining, catching up with the
// leader). A command run then waits for it, saying so, and goes through
// it, instead of failing after 3 s with "data dir in use ... wait for it
// to finish" (a node never finishes); a starting node that is stopped
// (Ctrl+Z) is named at once.
func TestCommandWaitsForASlowStartingNode(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("needs Linux's /proc to tell a node from another holder")
	}
	t.Run("waits", func(t *testing.T) {
		dir := shortDir(t)
		pid := startSlowNode(t, dir)
		r := runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "list")
		want := fmt.Sprintf("aiex: waiting for the aiex node (PID %d) to finish starting on %s\n", pid, dir)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" || r.stderr != want {
			t.Errorf("session list while a node starts: exit %d, stdout %q, stderr %q; want 0, [] and %q", r.code, r.stdout, r.stderr, want)
		}
	})
	t.Run("exits", func(t *testing.T) {
		dir := shortDir(t)
		t.Setenv(startingEnv+"_EXIT", "1")
		pid := startSlowNode(t, dir)
		r := runCLI(t, false, nil, "--data-dir", dir, "session", "list")
		want := fmt.Sprintf("aiex: the aiex node (PID %d) on data dir %s exited before it finished starting; see its output, and start it again\n", pid, dir)
		if r.code != 1 || !strings.HasSuffix(r.stderr, want) {
			t.Errorf("session list while a node starts and fails: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		dir := shortDir(t)
		pid := startSlowNode(t, dir)
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); !stopped(pid); {
			if time.Now().After(deadline) {
				t.Fatal("the child was never stopped")
			}
			time.Sleep(10 * time.Millisecond)
		}
		start := time.Now()
		r := runCLI(t, false, nil, "--data-dir", dir, "session", "list")
		want := fmt.Sprintf("aiex: the aiex node (PID %d) starting on data dir %s is stopped (Ctrl+Z); bring it back with fg in its shell, or kill -CONT %d\n", pid, dir, pid)
		if r.code != 1 || r.stderr != want {
			t.Errorf("session list behind a stopped starting node: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("failed after %v; want at once", took)
		}
	})
}

// shortDir is a temporary data dir with a path short enough for its
// socket.
func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "aiexs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
