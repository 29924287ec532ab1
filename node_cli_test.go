package main

// Tests of aiex node run and the commands that go through a running node,
// as users run them: one node on plain TCP with a cluster key.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestNodeRunCommand(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("through", " the node"))
	s := newSandbox(t, fake.URL())
	key := filepath.Join(s.home, "cluster.key")

	// A cluster key: written once, never overwritten.
	r := s.mustRun("cluster", "init", "--out", key)
	if !strings.Contains(r.stdout, "fingerprint") {
		t.Errorf("cluster init: %q", r.stdout)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if r := s.run("", "cluster", "init", "--out", key); r.code == 0 {
		t.Error("cluster init overwrote a key")
	}

	// No transport, no key, a reserved flag: usage errors.
	for _, args := range [][]string{
		{"node", "run"},
		{"node", "run", "--listen", "127.0.0.1:0"},
		{"node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--web", ":8080"},
		{"node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--join", "gpu-box"},
		{"node", "run", "--listen", "0.0.0.0:0", "--cluster-key", key},
		{"node", "run", "--listen", ":0", "--cluster-key", key},
	} {
		if r := s.run("", args...); r.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	// Without a node, cluster commands say how to start one.
	r = s.run("", "cluster", "status")
	if r.code != 1 {
		t.Errorf("cluster status without a node: exit %d", r.code)
	}
	oneLine(t, r.stderr, "no node is running", "aiex node run")

	// Start the node.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := s.command(ctx, "", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	sock := s.waitNode(func() string { return stderr.String() })

	// Status through the socket.
	var st struct {
		Self    string `json:"self"`
		Members []struct {
			ID     string `json:"id"`
			Leader bool   `json:"leader"`
		} `json:"members"`
		Models []struct {
			Provider, Model string
		} `json:"models"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := json.Unmarshal([]byte(s.mustRun("cluster", "status", "--json").stdout), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Models) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(st.Members) != 1 || !st.Members[0].Leader || len(st.Models) != 1 || st.Models[0].Model != "tiny:latest" {
		t.Fatalf("status %+v", st)
	}
	if out := s.mustRun("cluster", "status").stdout; !strings.Contains(out, "leader") || !strings.Contains(out, "ollama/tiny:latest") {
		t.Errorf("status table:\n%s", out)
	}

	// ask goes through the node; commands that need the store say why not.
	if out := s.mustRun("ask", "-m", "tiny", "--no-code", "hello").stdout; out != "through the node\n" {
		t.Errorf("ask through the node: %q", out)
	}
	// Reports go through the node too; a command that needs the store
	// itself says why it cannot have it.
	if rows := s.history(); len(rows) != 1 || rows[0].Response != "through the node" {
		t.Errorf("history through the node: %+v", rows)
	}
	if r := s.run("", "--json", "status"); r.code != 0 || !strings.Contains(r.stdout, `"state": "leader"`) {
		t.Errorf("status through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.run("", "--json", "usage"); r.code != 0 || !strings.Contains(r.stdout, `"model": "tiny:latest"`) {
		t.Errorf("usage through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	// Keys too: stored by the node, the secret never printed.
	if r := s.run("sk-node-secret-123\n", "keys", "set", "openai"); r.code != 0 || strings.Contains(r.stdout+r.stderr, "sk-node-secret-123") {
		t.Fatalf("keys set through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.run("", "--json", "keys", "list"); r.code != 0 || !strings.Contains(r.stdout, `"provider": "openai"`) || strings.Contains(r.stdout, "sk-node") {
		t.Fatalf("keys list through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.run("", "keys", "rm", "openai"); r.code != 0 {
		t.Fatalf("keys rm through the node: exit %d: %s", r.code, r.stderr)
	}

	// events tail through the node shows the request's event.
	tctx, tcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer tcancel()
	tail := s.command(tctx, "", "events", "tail", "--stream", "llm")
	out, _ := tail.StdoutPipe()
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := out.Read(buf)
	if line := string(buf[:n]); !strings.Contains(line, "llm.interaction.finished") {
		t.Errorf("events tail: %q", line)
	}
	tail.Process.Signal(syscall.SIGINT)
	tail.Wait()

	// Session commands go through the node too: the ask above started a
	// session that the node's store holds.
	list := decode[[]session.Info](t, s.run("", "--json", "session", "list"))
	if len(list) != 1 || list[0].Turns != 1 || list[0].Title != "hello" {
		t.Fatalf("session list through the node: %+v", list)
	}
	if r := s.run("", "--json", "ask", "-m", "tiny", "--no-code", "--session", "last", "again"); !strings.Contains(r.stdout, `"turn": 2`) {
		t.Fatalf("ask --session last through the node: %s %s", r.stdout, r.stderr)
	}
	if d := decode[session.Document](t, s.run("", "--json", "session", "show", list[0].ID)); len(d.Turns) != 2 || d.Turns[1].Answer != "through the node" {
		t.Fatalf("session show through the node: %+v", d)
	}
	if r := s.run("", "session", "show", "ffffffff"); r.code != 1 || !strings.Contains(r.stderr, list[0].ID) {
		t.Fatalf("unknown session through the node: exit %d: %s", r.code, r.stderr)
	}
	if r := s.run("", "events", "replay"); r.code != 0 || !strings.Contains(r.stdout, "replayed 5 events into 1 stream") {
		t.Fatalf("replay through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}

	// A running node's data dir cannot join another cluster; the advice is
	// a new data dir, not to stop it first (which CheckJoin then refuses).
	if r := s.run("", "cluster", "join", "127.0.0.1:1"); r.code != 1 {
		t.Errorf("cluster join on a running node's dir: exit %d", r.code)
	} else {
		oneLine(t, r.stderr, "a node is running on", "cannot join another", "new data dir")
	}

	// So do audit and checkpoint.
	if r := s.run("", "audit", "--verify"); r.code != 0 || !strings.Contains(r.stdout, "audit chain intact") {
		t.Fatalf("audit --verify through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.run("", "--json", "checkpoint", "list"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("checkpoint list through the node: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}

	// And the code commands, on a project of their own.
	proj := project(t)
	writeFiles(t, proj, map[string]string{"go.mod": calcGoMod, "calc.go": calcGo})
	if r := s.in(proj, "", "--json", "index"); r.code != 0 || !strings.Contains(r.stdout, `"chunks": 3`) {
		t.Fatalf("index through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.in(proj, "", "search", "Max"); r.code != 0 || !strings.Contains(r.stdout, "calc.Max") {
		t.Fatalf("search through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.in(proj, "", "context", "calc.Max", "-m", "tiny", "--prompt"); r.code != 0 || !strings.Contains(r.stdout, "func Max(a, b int) int") {
		t.Fatalf("context --prompt through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := s.run("", "providers"); r.code != 0 || !strings.Contains(r.stdout, "reachable") {
		t.Fatalf("providers through the node: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}

	// SIGTERM: an ordered shutdown, exit 0, the socket gone.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("node exit: %v; stderr:\n%s", err, stderr.String())
		}
		exited <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("node did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "aiex node stopped") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(sock); err == nil {
		t.Error("socket left behind")
	}
	// The single-node cluster opens alone again, with the request recorded.
	if rows := s.history(); len(rows) != 2 || rows[1].Prompt != "hello" || rows[0].Response != "through the node" {
		t.Errorf("history after the node stopped: %+v", rows)
	}

	// It is a cluster of its own: it cannot join another one, and both
	// ways of asking say so at once.
	for _, args := range [][]string{
		{"cluster", "join", "127.0.0.1:1"},
		{"node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--join", "127.0.0.1:1"},
	} {
		r := s.run("", args...)
		oneLine(t, r.stderr, "is a cluster of its own", "new data dir")
		if r.code != 1 {
			t.Errorf("%v on a cluster of its own: exit %d", args, r.code)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dataDir(), "join")); err == nil {
		t.Error("cluster join recorded peers for a cluster of its own")
	}
}

func TestClusterJoinRecordsPeers(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	if r := s.run("", "cluster", "join", "not-an-address"); r.code != 2 {
		t.Errorf("bad peer: exit %d", r.code)
	}
	r := s.mustRun("cluster", "join", "10.0.0.5:7420", "10.0.0.6:7420")
	if !strings.Contains(r.stdout, "will join through 10.0.0.5:7420, 10.0.0.6:7420") {
		t.Errorf("stdout %q", r.stdout)
	}
	b, err := os.ReadFile(filepath.Join(s.dataDir(), "join"))
	if err != nil || string(b) != "10.0.0.5:7420\n10.0.0.6:7420\n" {
		t.Errorf("join file %q, %v", b, err)
	}
}

// waitNode waits (a minute at most) for the node of the sandbox's data
// dir to open its socket, and returns the socket's path; what it has
// printed goes with a failure.
func (s *sandbox) waitNode(printed func() string) string {
	s.t.Helper()
	sock := filepath.Join(s.dataDir(), "aiex.sock")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the node did not start:\n%s", printed())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startNode runs `aiex node run` on the sandbox's data dir (a single-node
// cluster on loopback) until the test ends, and waits for its socket.
func (s *sandbox) startNode() {
	s.t.Helper()
	key := filepath.Join(s.home, "cluster.key")
	if _, err := os.Stat(key); err != nil {
		s.mustRun("cluster", "init", "--out", key)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := s.command(ctx, "", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		cancel()
	})
	s.waitNode(func() string { return stderr.String() })
}

// TestNodeRunBusyListen: a --listen address another program holds is one
// line naming it, and the new data dir the run would have used is not left
// behind.
func TestNodeRunBusyListen(t *testing.T) {
	s := newSandbox(t, "http://127.0.0.1:1")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key := filepath.Join(t.TempDir(), "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	dir := filepath.Join(t.TempDir(), "new")
	r := s.run("", "--data-dir", dir, "node", "run", "--listen", l.Addr().String(), "--cluster-key", key)
	if r.code != 1 {
		t.Fatalf("node run on a busy address: exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, l.Addr().String(), "in use", "choose another --listen")
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the new data dir was left behind: %v", err)
	}
}
