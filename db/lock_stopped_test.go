package db

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockHolderEnv makes the test binary, run again as a child, hold the
// data dir it names (TestLockHolderProcess).
const lockHolderEnv = "AIEX_TEST_LOCK_DIR"

// TestLockHolderProcess is not a test: it is the child process of
// TestLockHeldByStoppedProcess, a one-shot command holding a data dir.
func TestLockHolderProcess(t *testing.T) {
	dir := os.Getenv(lockHolderEnv)
	if dir == "" {
		t.Skip("the child process of TestLockHeldByStoppedProcess")
	}
	if _, err := lockDir(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dir+"/held", nil, 0o600)
	select {}
}

// TestLockHeldByStoppedProcess: a command stopped with Ctrl+Z (SIGSTOP
// here) while it holds the data dir would be waited for forever: the
// next one says it is stopped and how to bring it back, not "wait for it
// to finish".
func TestLockHeldByStoppedProcess(t *testing.T) {
	if ProcessState(os.Getpid()) == 0 {
		t.Skip("needs Linux's /proc to tell a stopped process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, err := os.Stat(dir + "/held"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never held the data dir")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "wait for it to finish") {
		t.Fatalf("held by a running command: %v; want to wait for it", err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ProcessState(pid) != 'T'; {
		if time.Now().After(deadline) {
			t.Fatal("the child was never stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := fmt.Sprintf("data dir %s is in use by PID %d, which is stopped (Ctrl+Z); bring it back with fg in its shell (or kill -CONT %d), or end it", dir, pid, pid)
	if _, err := lockDir(dir); err == nil || err.Error() != want {
		t.Errorf("held by a stopped command: %v; want %q", err, want)
	}
}
