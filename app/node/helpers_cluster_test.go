package node

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// Helpers for the tailnet tests and the benchmarks. They take testing.TB
// (node_test.go's take *testing.T) so that benchmarks can use them too.

// shortTempDir makes a temp dir with a short path: the node's unix socket
// lives in its data dir, and socket paths are limited to ~104 bytes.
func shortTempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "aiexn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// nodeSpec is one node of a test cluster.
type nodeSpec struct {
	name      string
	tr        mesh.Transport
	aud       *Auditor // nil: none
	providers map[string]app.ProviderConfig
	env       map[string]string
	join      []string
	heartbeat time.Duration // 0: 100 ms
	cluster   app.ClusterFileConfig
}

// startSpec starts a node and closes it in t.Cleanup.
func startSpec(t testing.TB, s nodeSpec) *Node {
	t.Helper()
	dir := filepath.Join(shortTempDir(t), s.name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hb := s.heartbeat
	if hb == 0 {
		hb = 100 * time.Millisecond
	}
	n, err := Start(ctx, Config{
		App: app.Config{DataDir: dir, File: app.File{Providers: s.providers, Cluster: s.cluster}, Version: "test",
			Getenv: func(k string) string { return s.env[k] }},
		Transport: s.tr, Join: s.join, Name: s.name, Heartbeat: hb,
		Logger: meshtest.Logger(t, slog.LevelWarn), Auditor: s.aud,
	})
	if err != nil {
		t.Fatalf("start %s: %v", s.name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		start := time.Now()
		if err := n.Close(ctx); err != nil {
			t.Logf("close %s: %v", s.name, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Logf("closing %s took %v", s.name, d.Round(time.Millisecond))
		}
	})
	return n
}

// within polls cond every 20 ms until it holds, failing the test after d.
func within(t testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// hasRemoteTarget reports whether n routes to a provider called name on
// another node.
func hasRemoteTarget(n *Node, name string) bool {
	return slices.ContainsFunc(n.remoteTargets(), func(t coord.Target) bool { return t.Provider.Name() == name })
}

// askModel asks n's core a question for model and returns the streamed
// text, under a 30 s deadline.
func askModel(t testing.TB, n *Node, model, prompt string) (string, *db.Interaction, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return askCtx(ctx, n, model, prompt)
}

// askCtx asks n's core a question for model under ctx.
func askCtx(ctx context.Context, n *Node, model, prompt string) (string, *db.Interaction, error) {
	var b strings.Builder
	in, err := n.App().Ask(ctx, ask.Request{Prompt: prompt, Model: model}, func(s string) error {
		b.WriteString(s)
		return nil
	})
	return b.String(), in, err
}

// leaderOf returns the index of the node among ns that leads, or -1.
func leaderOf(ns []*Node) int {
	for i, n := range ns {
		if n.App().Store.Status().State == "leader" {
			return i
		}
	}
	return -1
}
