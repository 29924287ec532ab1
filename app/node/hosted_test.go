package node

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestProvidersOfAStoppedNodeAreUnreachable: once a node stops, aiex
// providers (and status) on another node call its providers unreachable
// as soon as aiex cluster status calls the node so, not only once its
// heartbeat is stale and its targets go.
func TestProvidersOfAStoppedNodeAreUnreachable(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	local := providertest.NewOllama(t, providertest.WithReply("hi"))
	gpu := startSpec(t, nodeSpec{name: "gpu", tr: tcp[0], providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: local.URL()}}})
	// A slow heartbeat: the gpu's targets stay 10 s after it stops.
	laptop := startSpec(t, nodeSpec{name: "laptop", tr: tcp[1], join: []string{gpu.Addr()}, heartbeat: 2 * time.Second})
	startSpec(t, nodeSpec{name: "third", tr: tcp[2], join: []string{gpu.Addr()}})
	within(t, 15*time.Second, "laptop to route to gpu/ollama", func() bool { return hasRemoteTarget(laptop, "gpu/ollama") })
	ctx := context.Background()
	state := func() (app.ProviderStatus, bool) {
		t.Helper()
		rep, err := laptop.App().ProviderReport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ps := range rep {
			if ps.Name == "gpu/ollama" {
				return ps, true
			}
		}
		return app.ProviderStatus{}, false
	}
	if ps, ok := state(); !ok || !ps.Reachable {
		t.Fatalf("gpu/ollama on laptop while gpu runs: %+v; want reachable", ps)
	}

	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := gpu.Close(cctx); err != nil {
		t.Fatal(err)
	}
	within(t, 10*time.Second, "cluster status on laptop to call gpu unreachable", func() bool {
		ms, err := laptop.App().Store.Members(ctx)
		if err != nil {
			return false
		}
		for _, m := range ms {
			if m.ID == gpu.App().Store.NodeID() {
				return !m.Reachable
			}
		}
		return false
	})
	ps, ok := state()
	if !ok {
		// Already dropped from laptop's targets: not shown reachable
		// either, which is what the test is about.
		return
	}
	if ps.Reachable || ps.Error == "" {
		t.Errorf("gpu/ollama on laptop after gpu stopped: reachable %v, error %q; want unreachable, as cluster status says", ps.Reachable, ps.Error)
	}
}

// TestConfiguredWindowIsPublished: a provider's configured
// context_window is the window its node shows (aiex models) and
// publishes, so that the other nodes fit their prompts to what the model
// runs with, not to the server's own figure.
func TestConfiguredWindowIsPublished(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	local := providertest.NewOllama(t, providertest.WithReply("hi")) // its model: 2,048 tokens
	gpu := startSpec(t, nodeSpec{name: "gpu", tr: tcp[0], providers: map[string]app.ProviderConfig{
		"local": {Kind: "ollama", BaseURL: local.URL(), ContextWindow: 3000}}})
	laptop := startSpec(t, nodeSpec{name: "laptop", tr: tcp[1], join: []string{gpu.Addr()}})
	within(t, 15*time.Second, "laptop to route to gpu/local", func() bool { return hasRemoteTarget(laptop, "gpu/local") })
	ctx := context.Background()
	for _, n := range []*Node{gpu, laptop} {
		ms, _, err := n.App().Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, m := range ms {
			if m.Provider == "local" || m.Provider == "gpu/local" {
				found = true
				if m.ContextWindow != 3000 {
					t.Errorf("%s on %s: window %d; want the configured 3000", m.Provider, n.self.Name, m.ContextWindow)
				}
			}
		}
		if !found {
			t.Errorf("no model of gpu's local provider listed on %s: %+v", n.self.Name, ms)
		}
	}
	for _, tg := range laptop.remoteTargets() {
		if w, err := tg.Provider.(*remoteProvider).PromptWindow(ctx, providertest.DefaultModel+":latest"); err != nil || w != 3000 {
			t.Errorf("the window laptop fits prompts for %s to: %d, %v; want 3000", tg.Provider.Name(), w, err)
		}
	}
}
