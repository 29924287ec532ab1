package db

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockHeldByServer: a data dir held by a process that serves it (its
// socket answers) names that process as a node or a TUI — either may hold
// it, as may events tail — and says to stop it; one held by a one-shot
// command says to wait, though a socket a killed server left is there.
func TestLockHeldByServer(t *testing.T) {
	dir, err := os.MkdirTemp("", "aiexlk") // short: a socket's path is ~104 bytes at most
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	held, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.unlock()
	pid := fmt.Sprintf("PID %d", os.Getpid())
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), "wait for it") {
		t.Errorf("held by a command: %v; want the PID and to wait", err)
	}
	sock := filepath.Join(dir, "aiex.sock")
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "wait for it") {
		t.Errorf("held by a command, a killed server's socket left: %v; want to wait", err)
	}
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = lockDir(dir)
	if err == nil || !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), "node, TUI or events tail") || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("held by a serving process: %v; want it named a node, TUI or events tail, with the PID, and to stop it", err)
	}
}

// TestLockWaitedFor: a node starting while a command holds its data dir
// waits for the command to finish; one held by a process that serves it
// is not waited for.
func TestLockWaitedFor(t *testing.T) {
	dir, err := os.MkdirTemp("", "aiexlk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	held, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(300 * time.Millisecond); held.unlock() }()
	l, err := lockDirWaiting(context.Background(), dir, 5*time.Second)
	if err != nil {
		t.Fatalf("a command held the data dir for 300 ms: %v; want it waited for", err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "aiex.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	start := time.Now()
	if _, err := lockDirWaiting(context.Background(), dir, 5*time.Second); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("held by a serving process: %v after %s; want refused at once", err, time.Since(start))
	}
	l.unlock()
}
