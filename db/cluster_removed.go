package db

import (
	"fmt"
	"slices"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/store"
)

// removedWhileDown is the error of a restarting member that could not
// catch up because its cluster no longer counts it, or nil if nothing says
// so. A node removed while it was down hears from the leader once more
// when it restarts: hashicorp/raft makes a last attempt to replicate to a
// removed server, so this node learns of a leader, then hears nothing
// more, and its catching up times out. That last attempt may have brought
// the configuration without this node, or not: then the leader says so
// when probed (notMemberMarker). Either tells this case from a slow
// catch-up, which is worth a second start where this one is not.
func (s *Store) removedWhileDown() error {
	nodes, err := s.str.Nodes()
	if err != nil || len(nodes) == 0 {
		return nil
	}
	listed := slices.ContainsFunc(nodes, func(n *store.Server) bool { return n.ID == s.id })
	probes := s.probePeers()
	if p, ok := droppedBy(probes); ok {
		return s.droppedError(p)
	}
	i := slices.IndexFunc(probes, func(p peerProbe) bool { return p.without || !listed && p.leads })
	switch {
	case i >= 0:
		p := probes[i]
		return &usererr.Error{Err: ErrRemoved, Msg: fmt.Sprintf(
			"%s at %s leads the cluster without this node, so this node (%s) was removed or the cluster was recovered without it: start it on a new data dir with aiex node run --data-dir NEW --join %s",
			p.id, p.addr, s.id, p.addr)}
	case !listed:
		// No peer answered the probe: the configuration this node
		// received is all it knows.
		return &usererr.Error{Err: ErrRemoved, Msg: fmt.Sprintf(
			"this node (%s) was removed from the cluster while it was down (the cluster's configuration no longer lists it): start it on a new data dir with aiex node run --data-dir NEW --join %s",
			s.id, nodes[0].Addr)}
	}
	return nil
}
