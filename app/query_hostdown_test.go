package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// nodeProvider is a provider another node hosts, as app/node's is: it
// lists the models the node published, whether the node is up or not.
type nodeProvider struct {
	*providertest.Scripted
	down bool
}

func (p *nodeProvider) HostDown() (string, bool) {
	return "node n1 (127.0.0.1:7421) is not reachable", p.down
}

func (p *nodeProvider) Models(context.Context) ([]providers.Model, error) {
	return []providers.Model{{Name: "slow", Local: true, Loaded: true}}, nil
}

// memberProvider is one whose hosting node is known by its ID only: the
// cluster's probe of its members says whether it answers.
type memberProvider struct{ *nodeProvider }

func (memberProvider) HostNode() (id, name string) { return "n1-id", "n1" }

// TestModelsOfDownNode: aiex models does not list the models of a node
// known down as loaded, as it listed them: the provider is said
// unavailable, with what to do — when a request found the node out of
// reach, and when the cluster's probe of its members finds it so (a
// node not a member of this store's cluster answers no probe).
func TestModelsOfDownNode(t *testing.T) {
	for _, tt := range []struct {
		name     string
		provider providers.Provider
		want     string // "": listed
	}{
		{"up", &nodeProvider{Scripted: providertest.NewScripted("n1/slow", "ollama")}, ""},
		{"found down", &nodeProvider{Scripted: providertest.NewScripted("n1/slow", "ollama"), down: true},
			"n1/slow: unavailable: node n1 (127.0.0.1:7421) is not reachable: start aiex node run there, or see aiex cluster status"},
		{"not reached by the cluster", memberProvider{&nodeProvider{Scripted: providertest.NewScripted("n1/slow", "ollama")}},
			"n1/slow: unavailable: node n1 (n1-id) is not reachable (aiex cluster status shows it so): start aiex node run there"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
				Remote: func() []coord.Target { return []coord.Target{{Provider: tt.provider, Local: true, Node: "n1"}} }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(context.Background()) })
			models, errs, err := a.Models(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			rep, err := a.ProviderReport(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, ps := range rep {
				if ps.Name == "n1/slow" && (ps.Reachable != (tt.want == "") || !strings.HasPrefix(ps.Error, tt.want)) {
					t.Errorf("aiex providers: n1/slow reachable %v, error %q; want %q", ps.Reachable, ps.Error, tt.want)
				}
			}
			listed := slices.ContainsFunc(models, func(m app.ModelInfo) bool { return m.Provider == "n1/slow" })
			if tt.want == "" {
				if !listed || errs["n1/slow"] != "" {
					t.Fatalf("models %+v, errors %v; want n1/slow's model listed", models, errs)
				}
				return
			}
			if listed || !strings.HasPrefix(errs["n1/slow"], tt.want) {
				t.Fatalf("models %+v, errors %v; want n1/slow not listed, said %q", models, errs, tt.want)
			}
		})
	}
}
