package node_test

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
)

// TestServeSocket: a core opened without the mesh serves the socket
// routes; relaying is refused in a line; Close removes the socket and
// leaves the core open.
func TestServeSocket(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "data")
	a, err := app.New(ctx, app.Config{DataDir: dir})
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
	st, err := cl.Status(ctx)
	if err != nil || st.Self != a.Store.NodeID() || st.Store.State != "leader" {
		t.Fatalf("status through the socket: %+v, %v", st, err)
	}
	if _, err := cl.Attach(ctx, "gpu"); err == nil || !strings.Contains(err.Error(), "without the mesh") {
		t.Fatalf("attach: %v", err)
	}
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, node.SocketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after Close: %v", err)
	}
	if _, err := node.Connect(ctx, dir); !errors.Is(err, node.ErrNoNode) {
		t.Errorf("connect after Close: %v", err)
	}
	// The core is the caller's: still open.
	if _, err := a.Store.Nodes(ctx); err != nil {
		t.Fatalf("the core after Close: %v", err)
	}
}
