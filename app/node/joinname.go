package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// A node's name is how people and commands name it (aiex cluster remove
// NAME, aiex tui --node NAME, the NODE/PROVIDER targets), so a node joining
// under the name of a member that is running is refused before it joins:
// admitted, it would make that name ambiguous for both. The check asks a
// join peer for the cluster's status over the mesh (peers get status);
// a member that is down does not hold its name (the machine may come back
// on a new data dir), and nodes that were removed hold none.

// joinNameTimeout bounds the check at each peer: a peer that does not
// answer in time leaves the question to the join itself.
const joinNameTimeout = 5 * time.Second

// checkJoinName refuses, with a one-line error, a join under the name of
// a running member of the cluster that peers lead. It asks the peers in
// turn, and the first that answers decides; when none does, the join
// itself reports why.
func (n *Node) checkJoinName(ctx context.Context, name string, peers []string) error {
	for _, peer := range peers {
		cs, err := n.peerStatus(ctx, peer)
		if err != nil {
			n.logger.Debug("name check before joining", "peer", peer, "err", err)
			continue
		}
		if nd, ok := runningMemberNamed(cs, name); ok {
			je := &JoinError{Peers: []string{fmt.Sprintf("%s: refused: its member %s (%s, at %s) has that name", peer, nd.Name, nd.ID, nd.Addr)}}
			return &usererr.Error{Err: je, Msg: fmt.Sprintf(
				"cannot join the cluster: its member %s (%s, at %s) is running under the name %q; start this node with another name (aiex node run --name NAME)",
				nd.Name, nd.ID, nd.Addr, name)}
		}
		return nil
	}
	return nil
}

// peerStatus asks the node at peer for the cluster's status.
func (n *Node) peerStatus(ctx context.Context, peer string) (*ClusterStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, joinNameTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+peer+"/v1/status", nil)
	if err != nil {
		return nil, err
	}
	resp, err := n.rc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status: %s", resp.Status)
	}
	var cs ClusterStatus
	if err := json.NewDecoder(resp.Body).Decode(&cs); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return &cs, nil
}

// runningMemberNamed finds, in a peer's status, a member called name (case
// aside, as aiex cluster remove matches names) that the peer reaches.
func runningMemberNamed(cs *ClusterStatus, name string) (db.Node, bool) {
	reachable := map[string]bool{}
	for _, m := range cs.Members {
		reachable[m.ID] = m.Reachable || m.Self
	}
	for _, nd := range cs.Nodes {
		if strings.EqualFold(nd.Name, name) && reachable[nd.ID] {
			return nd, true
		}
	}
	return db.Node{}, false
}
