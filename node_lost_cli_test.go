package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestNodeStopsWhenDataDirDeleted: a node whose data dir is deleted under
// it stops within seconds, exit 1, saying what happened, rather than
// running on deleted files while other processes make a new store there.
func TestNodeStopsWhenDataDirDeleted(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-exited })
	s.waitNode(func() string { return stderr.String() })
	if err := os.RemoveAll(s.dataDir()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("the node still runs 15 s after its data dir was deleted:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), "was deleted or replaced while this process had it open") {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}

// TestTUIStopsWhenDataDirDeleted: a TUI running the core itself whose data
// dir is deleted under it ends, exit 1, with the one line that says so,
// rather than answering into a store that no longer exists.
func TestTUIStopsWhenDataDirDeleted(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	s := newSandbox(t, fake.URL())
	tm := newTmux(t, s, t.TempDir())
	tm.session("tui", "tui")
	tm.until("tui", 10*time.Second, `enter send`)
	tm.run("send-keys", "-t", "e2e:tui", "a question", "Enter")
	tm.until("tui", 20*time.Second, `1 turn`)
	if err := os.RemoveAll(s.dataDir()); err != nil {
		t.Fatal(err)
	}
	scr := tm.until("tui", 20*time.Second, `EXIT=1`)
	if line := strings.ReplaceAll(scr, "\n", ""); !strings.Contains(line, "was deleted or replaced while this process had it open") {
		t.Fatalf("screen:\n%s", scr)
	}
}
