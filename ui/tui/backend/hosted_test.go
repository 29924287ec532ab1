package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// lendingCore is what another TUI does with the data dir: its core, and
// the node API's socket served for it (no mesh address). stop ends both.
func lendingCore(t *testing.T, cfg app.Config) (stop func()) {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := node.ServeSocket(a, nil)
	if err != nil {
		a.Close(ctx)
		t.Fatal(err)
	}
	done := false
	stop = func() {
		if !done {
			done = true
			srv.Close(ctx)
			a.Close(ctx)
		}
	}
	t.Cleanup(stop)
	return stop
}

// hostedOpen opens the core on cfg and lends it in turn, as the TUI's
// servedCore does, counting the openings.
func hostedOpen(t *testing.T, cfg app.Config, opened *int) func() (*app.App, error) {
	return func() (*app.App, error) {
		a, err := app.New(context.Background(), cfg)
		if err != nil {
			return nil, err
		}
		*opened++
		srv, err := node.ServeSocket(a, nil)
		if err != nil {
			t.Error(err)
		}
		t.Cleanup(func() {
			if srv != nil {
				srv.Close(context.Background())
			}
			a.Close(context.Background())
		})
		return a, nil
	}
}

// TestHostedTakesOverFromALender: two TUIs go through a third's core
// (its socket, no mesh address). When it ends, the first to probe runs
// the core itself and serves it; the other goes through that one; the
// session asked into before goes on.
func TestHostedTakesOverFromALender(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir, err := os.MkdirTemp("", "aiexh") // short: the socket's path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := app.Config{DataDir: dir, File: app.File{Model: "tiny"}}
	stop := lendingCore(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	project := t.TempDir()
	var bs []tui.Backend
	opened := make([]int, 2)
	for i := range 2 {
		cl, err := node.Connect(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, Hosted(cl, dir, hostedOpen(t, cfg, &opened[i]), project))
		if st, err := bs[i].Status(ctx); err != nil || st.Mode != "node" {
			t.Fatalf("status through the lender: %+v, %v", st, err)
		}
	}
	res, err := bs[0].Ask(ctx, tui.AskRequest{Prompt: "first", Session: "new"}, func(string) {})
	if err != nil || res.Turn != 1 {
		t.Fatalf("ask through the lender: %+v, %v", res, err)
	}

	stop()
	if _, err := bs[0].Ask(ctx, tui.AskRequest{Prompt: "lost", Session: res.Session}, func(string) {}); !errors.Is(err, tui.ErrUnreachable) {
		t.Fatalf("ask with the lender gone: %v; want unreachable", err)
	}
	st, err := bs[0].Status(ctx)
	if err != nil || st.Mode != "embedded" || opened[0] != 1 {
		t.Fatalf("status once the lender is gone: %+v, %v (opened %d); want the core run here", st, err, opened[0])
	}
	st, err = bs[1].Status(ctx)
	if err != nil || st.Mode != "node" || opened[1] != 0 {
		t.Fatalf("the other TUI: %+v, %v (opened %d); want it through the first", st, err, opened[1])
	}
	for i, b := range bs {
		res2, err := b.Ask(ctx, tui.AskRequest{Prompt: "again", Session: res.Session}, func(string) {})
		if err != nil || res2.Session != res.Session || res2.Turn != int64(2+i) {
			t.Fatalf("backend %d after the takeover: %+v, %v", i, res2, err)
		}
	}
}

// TestHostedWaitsForANode: a node (it has a mesh address) that stops is
// restarting: the backend reports it unreachable and never takes its data
// dir.
func TestHostedWaitsForANode(t *testing.T) {
	tcp := meshtest.TCP(t, 1, nil)
	n := startNode(t, "solo", tcp[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}})
	dir := n.App().Store.Dir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	b := Hosted(cl, dir, func() (*app.App, error) { opened++; return nil, errors.New("opened") }, t.TempDir())
	if st, err := b.Status(ctx); err != nil || st.Mode != "node" {
		t.Fatalf("status: %+v, %v", st, err)
	}
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.Status(ctx); !errors.Is(err, tui.ErrUnreachable) || strings.Contains(err.Error(), "opened") {
			t.Fatalf("status with the node stopped: %v; want unreachable", err)
		}
	}
	if opened != 0 {
		t.Errorf("the data dir of a node was taken %d times", opened)
	}
	if _, err := os.Stat(filepath.Join(dir, node.SocketName)); err == nil {
		t.Error("the node's socket is still there")
	}
}

// TestHostedWaitsForTheLock: a lender that stopped serving but still
// holds the data dir (it closes its socket first) is waited for, not
// reported as a data dir in use.
func TestHostedWaitsForTheLock(t *testing.T) {
	dir, err := os.MkdirTemp("", "aiexh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := app.Config{DataDir: dir}
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	srv, err := node.ServeSocket(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	b := Hosted(cl, dir, hostedOpen(t, cfg, &opened), t.TempDir())
	if _, err := b.Status(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close(ctx) // the core is still open: the lock is held
	if _, err := b.Status(ctx); !errors.Is(err, tui.ErrUnreachable) || opened != 0 {
		t.Fatalf("status while the lender closes: %v (opened %d); want unreachable", err, opened)
	}
	a.Close(ctx)
	if st, err := b.Status(ctx); err != nil || st.Mode != "embedded" || opened != 1 {
		t.Fatalf("status once it closed: %+v, %v", st, err)
	}
}
