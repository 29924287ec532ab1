package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/ui/cli"
)

// TestStreamSaysHolderStopped: aiex events tail going through the process
// that serves the data dir keeps waiting when that process is stopped
// (Ctrl+Z; SIGSTOP here) — it is not bounded — and says once on stderr
// why it waits.
func TestStreamSaysHolderStopped(t *testing.T) {
	if !canTellStopped() {
		t.Skip("needs Linux's /proc to tell a stopped process")
	}
	dir := shortDir(t)
	pid := startTailer(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr cli.LockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"--data-dir", dir, "events", "tail"}, cli.Env{
			Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }, Build: cli.BuildInfo{Version: "test"}})
	}()
	time.Sleep(500 * time.Millisecond) // the tail under way
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)
	want := fmt.Sprintf("aiex: aiex events tail (PID %d) serving data dir %s is stopped (Ctrl+Z): this waits until it is brought back (fg in its shell, or kill -CONT %d)\n", pid, dir, pid)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("stderr %q; want %q", stderr.String(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGCONT)
	cancel()
	<-done
	if got := stderr.String(); got != want {
		t.Errorf("stderr %q; want only %q", got, want)
	}
}

// canTellStopped reports whether this system's /proc tells a process's
// state.
func canTellStopped() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}
