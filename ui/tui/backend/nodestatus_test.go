package backend

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestNodeStatusNamesThePlannedModel: a TUI going through laptop's node,
// which has no model of its own, names the model a question would go to:
// gpu's, hosted by gpu.
func TestNodeStatusNamesThePlannedModel(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "alpha:latest"}))
	laptop := startNode(t, "laptop", tcp[1], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}})
	startNode(t, "gpu", tcp[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}, laptop.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := node.Connect(ctx, laptop.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	// laptop routes to gpu once it has seen gpu's models: the status
	// names gpu's model from then on, without waiting for the plan kept
	// to age.
	b := Node(cl, t.TempDir())
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := b.Status(ctx)
		if err != nil || st.Mode != "node" || !st.Healthy() {
			t.Fatalf("status %+v, %v", st, err)
		}
		if st.Provider == "gpu/ollama" && st.Model == "alpha:latest" && st.ModelNode == "gpu" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status names %q/%q on %q; want gpu/ollama/alpha:latest on gpu", st.Provider, st.Model, st.ModelNode)
		}
	}
}

// TestStatusCountsMembersDown: the members that did not answer the node's
// probe are counted down; non-voters are no members.
func TestStatusCountsMembersDown(t *testing.T) {
	cs := &node.ClusterStatus{Self: "n3", Store: db.Status{Leader: "n1"}, Members: []db.Member{
		{ID: "n1", Voter: true, Leader: true, Reachable: true},
		{ID: "n2", Voter: true},
		{ID: "n3", Voter: true, Self: true, Reachable: true},
		{ID: "r1"},
	}}
	if st := status(cs); st.Members != 3 || st.Down != 1 || !st.Healthy() {
		t.Errorf("status %+v; want 3 members, 1 down, a leader", st)
	}
}
