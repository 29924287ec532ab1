package mesh_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/rqlite/rqlite/v8/cluster"
	"github.com/rqlite/rqlite/v8/store"
)

// The adapters fit rqlite's interfaces.
var (
	_ store.Layer    = (*mesh.Layer)(nil)
	_ cluster.Dialer = (*mesh.Dialer)(nil)
)

func TestMuxTCP(t *testing.T) {
	trs := meshtest.TCP(t, 2, nil)
	testMux(t, trs[0], trs[1], "node1||")
}

// testMux runs rqlite's mux on server's mesh listener and checks that
// connections from client land on the sub-listener their header names.
// whoPrefix is "node|login|" as the server sees the client.
func testMux(t *testing.T, server, client mesh.Transport, whoPrefix string) {
	ln := listen(t, server)
	mux, err := mesh.NewMux(server, ln, meshtest.Logger(t, slog.LevelDebug), cluster.MuxRaftHeader, cluster.MuxClusterHeader)
	if err != nil {
		t.Fatal(err)
	}
	startEcho(t, "raft", server, mux.Listener(cluster.MuxRaftHeader))
	startEcho(t, "cluster", server, mux.Listener(cluster.MuxClusterHeader))
	t.Cleanup(func() { mux.Close() }) // runs before the echo cleanups

	layer := mux.Layer(cluster.MuxRaftHeader)
	if got := layer.Addr().String(); got != server.Addr() {
		t.Errorf("layer advertises %s, want %s", got, server.Addr())
	}
	if mux.Layer(99) != nil || mux.Listener(99) != nil {
		t.Error("unregistered header has a listener")
	}

	for _, tc := range []struct {
		header byte
		label  string
	}{
		{cluster.MuxRaftHeader, "raft"},
		{cluster.MuxClusterHeader, "cluster"},
		{cluster.MuxRaftHeader, "raft"},
	} {
		c, err := mesh.NewDialer(client, tc.header).Dial(server.Addr(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		want := tc.label + "|" + whoPrefix + "hi"
		if got := roundTrip(t, c, "hi"); got != want {
			t.Errorf("header %d: got %q, want %q", tc.header, got, want)
		}
	}

	// A header nobody listens for: the mux hangs up.
	c, err := mesh.NewDialer(client, 42).Dial(server.Addr(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hi\n"))
	expectClosed(t, c)

	// Close returns promptly with sessions open and a client that never
	// sent its header, and ends those sessions.
	open, err := mesh.NewDialer(client, cluster.MuxRaftHeader).Dial(server.Addr(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	roundTrip(t, open, "still here")
	mute := dial(t, client, server.Addr())
	start := time.Now()
	if err := mux.Close(); err != nil {
		t.Fatal(err)
	}
	if err := mux.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Mux.Close took %v", d)
	}
	expectClosed(t, open)
	expectClosed(t, mute)
	if _, err := mux.Listener(cluster.MuxRaftHeader).Accept(); err == nil {
		t.Error("sub-listener still accepts after Close")
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("mesh listener still accepts after Close")
	}
}

// TestDialerContext: a dial to a peer that never answers (its handshake
// hangs, as a vanished tailnet peer's SYN does) ends when its ctx does, not
// at its timeout, so that a store shutting down need not wait for it.
func TestDialerContext(t *testing.T) {
	silent := meshtest.SilentHost(t)
	d := mesh.NewDialer(meshtest.TCP(t, 1, nil)[0], cluster.MuxRaftHeader)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if c, err := d.DialContext(ctx, silent, 10*time.Second); err == nil {
		c.Close()
		t.Fatal("dial to a silent peer succeeded")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancelled dial returned after %v; want soon after its ctx ended (100 ms)", took)
	}
	start = time.Now()
	if c, err := d.Dial(silent, 300*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("dial to a silent peer succeeded")
	}
	if took := time.Since(start); took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("dial with a 300 ms timeout returned after %v", took)
	}
}
