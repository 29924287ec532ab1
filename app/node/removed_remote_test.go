package node

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRemovedNodeHostsNothing: once a node is removed from the cluster,
// the others stop sending it requests at their next refresh, though its
// last heartbeat is still fresh (they did for up to Stale: 6–8 s with the
// default heartbeat).
func TestRemovedNodeHostsNothing(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	fake := providertest.NewOllama(t, providertest.WithReply("from gpu"))
	a := startNode(t, "a", tcp[0], nil, nil)
	gpu := startNode(t, "gpu", tcp[1], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}, nil, a.Addr())
	l := startNode(t, "l", tcp[2], nil, nil, a.Addr())
	waitFor(t, "gpu's model on l", func() bool { return hasRemote(l, "gpu/ollama") })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := Connect(ctx, a.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Remove(ctx, "gpu"); err != nil {
		t.Fatal(err)
	}
	id := gpu.App().Store.NodeID()
	waitFor(t, "gpu out of l's configuration", func() bool {
		ids, err := l.App().Store.ConfiguredIDs()
		return err == nil && !ids[id]
	})
	if err := l.refreshRemote(ctx); err != nil {
		t.Fatal(err)
	}
	if hasRemote(l, "gpu/ollama") {
		t.Error("l still sends requests to gpu, removed from the cluster")
	}
}
