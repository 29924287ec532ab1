package search

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// advertiseFixture is cut down from rqlite v8.43.4: (*Config).Validate
// sets and checks the addresses a node advertises, in 40 lines; short
// chunks say "address" or "node" in their names; one comment says
// "decide", and no chunk holds every word of the question.
var advertiseFixture = map[string]string{
	"cmd/rqlited/flags.go": listFixture["cmd/rqlited/flags.go"],
	"tcp/network.go":       listFixture["tcp/network.go"],
	"cmd/rqlite/main.go": `package main

// address6 reports whether addr is an IPv6 address.
func address6(addr string) bool { return strings.Count(addr, ":") > 1 }

// Nodes is the nodes of a cluster.
type Nodes []*Node
`,
	"cluster/bootstrap.go": `package cluster

// AddressProvider is the interface types must implement to provide
// addresses to a Bootstrapper.
type AddressProvider interface {
	Lookup() ([]string, error)
}

// Bootstrapper performs a bootstrap of this node.
type Bootstrapper struct {
	provider AddressProvider
}
`,
	"http/nodes.go": `package http

// HasAddr returns whether any node in the Nodes slice has the given
// address.
func (n Nodes) HasAddr(addr string) bool {
	for _, node := range n {
		if node.Addr == addr {
			return true
		}
	}
	return false
}
`,
	"store/store.go": `package store

// IsLeader is used to decide on leadership.
func (s *Store) IsLeader() bool { return s.raft.State() == raft.Leader }
`,
}

// TestSearchRelaxedCoverage: when no chunk holds every word of a
// question, a chunk holding more of them, and the rarer ones, comes
// before most short ones saying one common word in their name. bm25 ranked
// rqlite's (*Config).Validate, which says node, address and advertised,
// below tcp.Address, main.address6, http.Nodes, not in the first 40.
func TestSearchRelaxedCoverage(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, advertiseFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how does the node decide which address to advertise", 10)
	if err != nil {
		t.Fatal(err)
	}
	// http.Nodes.HasAddr says node and address in 12 lines.
	if got := names(res.Hits); !slices.Contains(got[:min(3, len(got))], "main.(*Config).Validate") {
		t.Errorf("hits %q; want main.(*Config).Validate in the first 3", places(res.Hits))
	}
}
