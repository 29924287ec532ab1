// Package meshtest runs mesh nodes inside one test process: an offline
// tailnet (Tailscale's test control server, DERP relay and STUN server on
// loopback) with tsnet nodes, and plain-TCP clusters on 127.0.0.1.
// Everything it starts stops in t.Cleanup.
package meshtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"tailscale.com/ipn/store/mem"
	"tailscale.com/net/netns"
	"tailscale.com/tailcfg"
	"tailscale.com/tstest/integration"
	"tailscale.com/tstest/integration/testcontrol"
	"tailscale.com/types/logger"
)

// Options shape an offline tailnet.
type Options struct {
	// SameUser puts every node under one user; otherwise each node gets a
	// user of its own ("user-N@fake-control.example.net").
	SameUser bool
	// Tags are the tags nodes may claim (TailnetConfig.Tags); control grants
	// them at registration.
	Tags []string
}

// Tailnet is an offline tailnet: control, DERP and STUN on loopback.
type Tailnet struct {
	// Control is the test control server, for changing nodes (tags, caps).
	Control *testcontrol.Server
	// URL is the control server's URL.
	URL string
}

// NewTailnet starts an offline tailnet. It turns off tsnet's use of
// network namespaces (SO_MARK) for the test, as Tailscale's own tests do, so
// tests using it must not run in parallel with tests that need them.
func NewTailnet(t testing.TB, opts Options) *Tailnet {
	t.Helper()
	netns.SetEnabled(false)
	t.Cleanup(func() { netns.SetEnabled(true) })
	derpMap := integration.RunDERPAndSTUN(t, logger.Discard, "127.0.0.1")
	c := &testcontrol.Server{
		DERPMap:          derpMap,
		DNSConfig:        &tailcfg.DNSConfig{Proxied: true},
		MagicDNSDomain:   "mesh.test.ts.net",
		AllNodesSameUser: opts.SameUser,
		Logf:             logger.Discard,
	}
	if len(opts.Tags) > 0 {
		c.TagOwners = make(map[string][]string)
		for _, tag := range opts.Tags {
			c.TagOwners[tag] = nil
		}
	}
	c.HTTPTestServer = httptest.NewUnstartedServer(c)
	c.HTTPTestServer.Start()
	t.Cleanup(c.HTTPTestServer.Close)
	return &Tailnet{Control: c, URL: c.HTTPTestServer.URL}
}

// Node starts a tsnet node on the tailnet and closes it in t.Cleanup.
// ControlURL, Store (memory), Ephemeral, Dir (under t.TempDir) and Logger
// (t.Logf at Info) are filled in unless cfg sets them.
func (n *Tailnet) Node(t testing.TB, cfg mesh.TailnetConfig) *mesh.Tailnet {
	t.Helper()
	cfg.ControlURL = n.URL
	if cfg.Store == nil {
		cfg.Store = new(mem.Store)
		cfg.Ephemeral = true
	}
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), cfg.Hostname)
	}
	if cfg.Logger == nil {
		cfg.Logger = Logger(t, slog.LevelInfo)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := mesh.NewTailnet(ctx, cfg)
	if err != nil {
		t.Fatalf("meshtest: start node %q: %v", cfg.Hostname, err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// TCP starts n plain-TCP transports on 127.0.0.1 sharing one new key, named
// node0…node{n-1}, closed in t.Cleanup. mod, if not nil, adjusts each
// config first.
func TCP(t testing.TB, n int, mod func(i int, cfg *mesh.TCPConfig)) []*mesh.TCP {
	t.Helper()
	key, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	trs := make([]*mesh.TCP, n)
	for i := range trs {
		cfg := mesh.TCPConfig{
			ListenAddr: "127.0.0.1:0",
			Node:       fmt.Sprintf("node%d", i),
			Key:        key,
			Logger:     Logger(t, slog.LevelInfo),
		}
		if mod != nil {
			mod(i, &cfg)
		}
		tr, err := mesh.NewTCP(cfg)
		if err != nil {
			t.Fatalf("meshtest: %v", err)
		}
		t.Cleanup(func() { tr.Close() })
		trs[i] = tr
	}
	return trs
}

// Logger returns a logger writing to t.Logf at level and above. It goes
// quiet once the test's cleanups have run, so a straggling goroutine cannot
// make the test panic by logging after it ended.
func Logger(t testing.TB, level slog.Level) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	t    testing.TB
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Logf("%s", p)
	}
	return len(p), nil
}
