package db

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockHeldByServer: a data dir held by a process that serves it (its
// socket is there) names that process as a node or a TUI — either may
// hold it, as may events tail — and says to stop it; one held by a one-shot command says to
// wait.
func TestLockHeldByServer(t *testing.T) {
	dir := t.TempDir()
	held, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.unlock()
	pid := fmt.Sprintf("PID %d", os.Getpid())
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), "wait for it") {
		t.Errorf("held by a command: %v; want the PID and to wait", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "aiex.sock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = lockDir(dir)
	if err == nil || !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), "node, TUI or events tail") || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("held by a serving process: %v; want it named a node, TUI or events tail, with the PID, and to stop it", err)
	}
}
