package db

import "fmt"

// ConfiguredIDs returns the IDs of the nodes in this node's copy of the
// Raft configuration, voters and non-voters, without asking any of them
// (Members probes each); nil for a store that is no cluster. A node
// removed from the cluster leaves the configuration at once, while its
// row in nodes, and its heartbeat's age, stay: readers that must not
// treat it as a member any more check it here.
func (s *Store) ConfiguredIDs() (map[string]bool, error) {
	if s.c == nil {
		return nil, nil
	}
	nodes, err := s.str.Nodes()
	if err != nil {
		return nil, fmt.Errorf("db: cluster configuration: %w", err)
	}
	ids := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		ids[n.ID] = true
	}
	return ids, nil
}
