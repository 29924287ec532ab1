//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// unreadPipe is a pipe whose reader stays open and never reads: a write
// to it blocks once it holds size bytes, as aiex … | sleep 60 does.
func unreadPipe(t *testing.T, size int) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, size); err != nil {
		t.Fatal(err)
	}
	return r, w
}

// startBlocked starts aiex with stdout on an unread pipe and returns once
// one of its threads is blocked writing to the pipe.
func startBlocked(t *testing.T, s *sandbox, stdin string, args ...string) (*exec.Cmd, *watch) {
	t.Helper()
	_, w := unreadPipe(t, 4096)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := s.command(ctx, stdin, args...)
	errw := newWatch("\n")
	cmd.Stdout, cmd.Stderr = w, errw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(30 * time.Second); !blockedOnPipe(cmd.Process.Pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("aiex %v never blocked writing to stdout; stderr %q", args, errw.String())
		}
	}
	return cmd, errw
}

// blockedOnPipe reports whether a thread of process pid waits in the
// kernel for room in a pipe (its wait channel is pipe_write, or
// anon_pipe_write in newer kernels).
func blockedOnPipe(pid int) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
	for _, f := range tasks {
		if b, err := os.ReadFile(f); err == nil && strings.HasSuffix(string(b), "pipe_write") {
			return true
		}
	}
	return false
}

// waitExit waits up to limit for cmd to end and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration, errw *watch) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running %v after SIGTERM with stdout blocked; stderr %q", limit, errw.String())
		return 0
	}
}

// TestSignalEndsBlockedAsk: SIGTERM ends an ask whose stdout nobody
// reads within seconds, with the signal's exit code, and the request is
// recorded as cancelled.
func TestSignalEndsBlockedAsk(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	piece := strings.Repeat("x", 1023) + "\n"
	reply := make([]string, 64) // 64 KiB before the pause: more than the pipe holds
	for i := range reply {
		reply[i] = piece
	}
	fake := providertest.NewOllama(t, providertest.WithReply(reply...), providertest.WithPause(len(reply), release))
	s := newSandbox(t, fake.URL())
	cmd, errw := startBlocked(t, s, "", "ask", "-m", "tiny", "--no-code", "hello")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 8*time.Second, errw); code != 128+int(syscall.SIGTERM) {
		t.Fatalf("exit %d after SIGTERM; want 143; stderr %q", code, errw.String())
	}
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "cancelled" {
		t.Fatalf("history %+v; want the request recorded as cancelled", rows)
	}
}

// TestSignalEndsBlockedTail: the same for events tail, which otherwise
// ends on a signal as tailing does.
func TestSignalEndsBlockedTail(t *testing.T) {
	// An answer that makes the log (its turn.completed event) longer than
	// the pipe holds.
	fake := providertest.NewOllama(t, providertest.WithReply(strings.Repeat("y", 8000)))
	s := newSandbox(t, fake.URL())
	s.mustRun("ask", "-m", "tiny", "--no-code", "hello")
	cmd, errw := startBlocked(t, s, "", "events", "tail", "--since", "0")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 8*time.Second, errw); code != 128+int(syscall.SIGTERM) {
		t.Fatalf("exit %d after SIGTERM; want 143; stderr %q", code, errw.String())
	}
	// The data dir is free and intact.
	s.mustRun("history")
}
