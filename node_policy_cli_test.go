package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// lockedBuffer is a process's stderr, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runNode starts `aiex --data-dir dir node run ARGS` in s until the test
// ends; exited is closed when it exits, and stderr is what it printed.
func runNode(t *testing.T, s *sandbox, dir string, args ...string) (stderr *lockedBuffer, exited <-chan struct{}, cmd *exec.Cmd) {
	t.Helper()
	cmd = s.command(context.Background(), "", append([]string{"--data-dir", dir, "node", "run"}, args...)...)
	stderr = &lockedBuffer{}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return stderr, done, cmd
}

// waitSocket waits (a minute at most) for the node on dir to open its
// socket, failing the test if it exits first.
func waitSocket(t *testing.T, dir string, stderr *lockedBuffer, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(dir, "aiex.sock")); err == nil {
			return
		}
		select {
		case <-exited:
			t.Fatalf("the node on %s exited:\n%s", dir, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node on %s did not start:\n%s", dir, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNodeRunPlainTCPWithClusterTable: the README's config, whose
// [cluster] table names tailnet users and tags, does not stop a plain-TCP
// node. allow_users, which no plain-TCP peer can match (they have no
// login), is ignored with one warning naming the file; allow_tags still
// decides: nodes declaring the tag (--tag) join, and a node that declares
// none is warned that its peers will refuse it. --allow-user given with
// --listen is a usage mistake naming the flag.
func TestNodeRunPlainTCPWithClusterTable(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	cfg := s.writeConfig("[cluster]\nallow_users = [\"alice@example.com\"]\nallow_tags = [\"tag:aiex\"]\n")
	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)

	// --allow-user on the command line: the user asked for what cannot be.
	dir0 := filepath.Join(t.TempDir(), "d0")
	r := s.run("", "--data-dir", dir0, "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--allow-user", "bob@example.com")
	if r.code != 2 {
		t.Errorf("--allow-user with --listen: exit %d, want 2: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "--allow-user applies to tailnet nodes (--tsnet) only", "--allow-tag")
	if _, err := os.Stat(dir0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--allow-user with --listen made the data dir: %v", err)
	}

	warnUsers := "aiex: warning: [cluster] allow_users in " + cfg + " applies to tailnet nodes (--tsnet) only; plain-TCP peers are admitted by the cluster key and allow_tags\n"
	base := shortDataDir(t)
	first := freeLoopback(t)
	n1 := filepath.Join(base, "n1")
	err1, exit1, _ := runNode(t, s, n1, "--listen", first, "--cluster-key", key, "--name", "n1", "--tag", "tag:aiex")
	waitSocket(t, n1, err1, exit1)
	if got := err1.String(); !strings.HasPrefix(got, warnUsers) || strings.Count(got, "warning") != 1 {
		t.Errorf("first node's stderr %q: want one warning, %q", got, warnUsers)
	}

	// A node tagged as allow_tags says joins through it.
	n2 := filepath.Join(base, "n2")
	err2, exit2, _ := runNode(t, s, n2, "--listen", freeLoopback(t), "--cluster-key", key, "--name", "n2", "--tag", "tag:aiex", "--join", first)
	waitSocket(t, n2, err2, exit2)
	st := s.mustRun("--data-dir", n2, "cluster", "status")
	if !strings.Contains(st.stdout, "n1") || !strings.Contains(st.stdout, "n2") {
		t.Errorf("cluster status on the second node:\n%s", st.stdout)
	}

	// One that declares no tag of the list is told, before it is refused.
	n3 := filepath.Join(base, "n3")
	r = s.run("", "--data-dir", n3, "node", "run", "--listen", freeLoopback(t), "--cluster-key", key, "--name", "n3", "--join", first)
	warnTags := "aiex: warning: [cluster] allow_tags in " + cfg + " admits only plain-TCP peers that declare tag:aiex (--tag), and this node declares none of them: nodes with the same list will refuse it; add --tag tag:aiex\n"
	if r.code != 1 || !strings.Contains(r.stderr, warnTags) || !strings.Contains(r.stderr, "no peer admitted this node") {
		t.Errorf("an untagged node: exit %d, stderr %q; want exit 1 after the warning %q", r.code, r.stderr, warnTags)
	}
}
