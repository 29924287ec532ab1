package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestCommandWaitsForAStartingNode: a node holds the data dir (its store
// open) a moment before it serves its socket. A command in that moment
// waits for the socket and goes through it, instead of saying the data dir
// is in use; a data dir held by a process that serves no socket at all
// says so within a few seconds.
func TestCommandWaitsForAStartingNode(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("through", " the node"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir := t.TempDir()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	served := make(chan *node.Node, 1)
	go func() {
		time.Sleep(500 * time.Millisecond)
		srv, err := node.ServeSocket(a, nil)
		if err != nil {
			t.Error(err)
		}
		served <- srv
	}()
	r := runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "list")
	srv := <-served
	if srv != nil {
		defer srv.Close(ctx)
	}
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("session list while the node starts: exit %d, %q %q; want it answered through the node", r.code, r.stdout, r.stderr)
	}
	// ask connects by itself (not through viaNode): it waits too.
	srv.Close(ctx)
	go func() {
		time.Sleep(500 * time.Millisecond)
		srv, err := node.ServeSocket(a, nil)
		if err != nil {
			t.Error(err)
		}
		served <- srv
	}()
	r = runCLI(t, false, nil, "--data-dir", dir, "ask", "-m", "tiny", "--no-code", "hi")
	if srv = <-served; srv != nil {
		defer srv.Close(ctx)
	}
	if r.code != 0 || r.stdout != "through the node\n" {
		t.Fatalf("ask while the node starts: exit %d, %q %q; want it answered through the node", r.code, r.stdout, r.stderr)
	}
	srv.Close(ctx)
	if who, busy := app.DataDirBusy(dir); !busy || !strings.HasPrefix(who, "PID ") {
		t.Fatalf("DataDirBusy with the store open: %q, %v", who, busy)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "cluster", "status")
	if r.code != 1 || !strings.Contains(r.stderr, "no node serves "+dir+" yet: PID ") {
		t.Fatalf("cluster status on a data dir held without a socket: exit %d, %q", r.code, r.stderr)
	}
	if _, busy := app.DataDirBusy(t.TempDir()); busy {
		t.Fatal("a data dir nobody holds is busy")
	}
}

// TestClusterJoinOnALentDataDir: a data dir a TUI (or events tail) serves
// holds a store of its own, not a node's: cluster join says to quit that
// process, not that a node runs there as a member of its cluster.
func TestClusterJoinOnALentDataDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.New(ctx, app.Config{DataDir: dir, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	srv, err := node.ServeSocket(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(ctx)
	r := runCLI(t, false, nil, "--data-dir", dir, "cluster", "join", "127.0.0.1:1")
	if r.code == 0 || !strings.Contains(r.stderr, "TUI or events tail") || strings.Contains(r.stderr, "member of its cluster") {
		t.Errorf("cluster join on a lent data dir: exit %d, %q; want told to quit the TUI or events tail", r.code, r.stderr)
	}
}
