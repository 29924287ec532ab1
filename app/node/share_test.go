package node

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRateLimitSharedByNodesUsingTheProvider: a cloud provider's rate
// limit is shared among the live nodes that configure a provider of that
// name, not among every live node. Of three nodes, beta and gamma
// configure oai (4 requests a minute) and alpha does not: beta's share is
// 2, not 4/3 rounded down to 1, and each node's row says which cloud
// providers it configures.
func TestRateLimitSharedByNodesUsingTheProvider(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	cloud := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithModels(providertest.Model{Name: "m"}))
	oai := map[string]app.ProviderConfig{"oai": {Kind: "openai", BaseURL: cloud.URL(), APIKeyEnv: "K", RequestsPerMinute: 4}}
	env := map[string]string{"K": "sk-test"}
	a := startNode(t, "alpha", tcp[0], map[string]app.ProviderConfig{"local": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}}, nil)
	b := startNode(t, "beta", tcp[1], oai, env, a.Addr())
	c := startNode(t, "gamma", tcp[2], oai, env, a.Addr())
	waitFor(t, "beta to see alpha and gamma live, gamma with oai", func() bool {
		alive, _ := b.nodeAlive(a.App().Store.NodeID())
		galive, _ := b.nodeAlive(c.App().Store.NodeID())
		return alive && galive && b.usingProvider("oai") == 2
	})
	if got := b.usingProvider("local"); got != 1 {
		t.Errorf("nodes using local, as beta counts them: %d; want 1 (local servers are each machine's own)", got)
	}
	nodes, err := a.App().Store.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range nodes {
		want := []string{"oai"}
		if nd.ID == a.App().Store.NodeID() {
			want = nil
		}
		if !slices.Equal(nd.Providers, want) {
			t.Errorf("node %s's row names cloud providers %q; want %q", nd.Name, nd.Providers, want)
		}
	}

	// aiex providers on beta says the share.
	rep, err := b.App().ProviderReport(context.Background())
	if err != nil || len(rep) != 1 {
		t.Fatalf("providers on beta: %+v, %v", rep, err)
	}
	if got, want := rep[0].LimitsText(), "this node's share: 2 of 4 req/min (2 nodes use oai)"; rep[0].SharedBy != 2 || got != want {
		t.Errorf("beta's oai limits shown as %q (shared by %d); want %q", got, rep[0].SharedBy, want)
	}

	for i := range 2 {
		if text, _, err := askModel(t, b, "m", "hi"); err != nil || text != "ok" {
			t.Fatalf("ask %d on beta: %q, %v; want it within beta's share of 2 a minute", i+1, text, err)
		}
	}
	_, _, err = askModel(t, b, "m", "hi")
	if providers.KindOf(err) != providers.KindRateLimited {
		t.Fatalf("third ask on beta: %v; want beta's share (2 of 4 a minute) used up", err)
	}
}
