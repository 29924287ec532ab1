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
//
// The same answer says whether this data dir's node ID (a data dir, or its
// node-id file, copied from another node) is a running member's at another
// address: admitted, this node would take that member's place in the
// cluster. The leader refuses such a join too (db's cluster_ids.go); asked
// here first, the error can name the member. A member that its peer cannot
// reach at its address may have moved: that join goes on, and the leader
// decides.

// joinNameTimeout bounds the check at each peer: a peer that does not
// answer in time leaves the question to the join itself.
const joinNameTimeout = 5 * time.Second

// checkJoinName refuses, with a one-line error, a join under the name or
// the node ID of a running member of the cluster that peers lead. It asks
// the peers in turn, and the first that answers decides; when none does,
// the join itself reports why.
func (n *Node) checkJoinName(ctx context.Context, name string, peers []string) error {
	id := db.RecordedNodeID(n.cfg.App.DataDir)
	for _, peer := range peers {
		cs, err := n.peerStatus(ctx, peer)
		if err != nil {
			n.logger.Debug("name check before joining", "peer", peer, "err", err)
			continue
		}
		if m, ok := runningMemberWithID(cs, id, n.cfg.Transport.Addr()); ok {
			who := m.ID
			if nd, ok := nodeWithID(cs, m.ID); ok && nd.Name != "" {
				who = fmt.Sprintf("%s (%s)", nd.Name, m.ID)
			}
			je := &JoinError{Peers: []string{fmt.Sprintf("%s: refused: its member %s at %s has this node's ID", peer, who, m.Addr)}}
			return &usererr.Error{Err: je, Msg: fmt.Sprintf(
				"cannot join the cluster: its member %s is running at %s with this data dir's node ID (was its data dir, or its node-id file, copied here?); start this node on a new data dir, or stop that node first (or remove it: aiex cluster remove %s)",
				who, m.Addr, m.ID)}
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

// runningMemberWithID finds, in a peer's status, the member with node ID
// id at an address other than addr (this node's), if the peer reaches it
// or is it.
func runningMemberWithID(cs *ClusterStatus, id, addr string) (db.Member, bool) {
	if id == "" {
		return db.Member{}, false
	}
	for _, m := range cs.Members {
		if m.ID == id && m.Addr != addr && (m.Reachable || m.Self) {
			return m, true
		}
	}
	return db.Member{}, false
}

// nodeWithID returns the nodes row of id in a peer's status.
func nodeWithID(cs *ClusterStatus, id string) (db.Node, bool) {
	for _, nd := range cs.Nodes {
		if nd.ID == id {
			return nd, true
		}
	}
	return db.Node{}, false
}

// NameShared returns a running member of the cluster other than this node
// that has this node's name (case aside): one that joined under the name
// while this node was down, which a down member does not hold. Both are
// then named by their IDs (nodeLabels); the node says so at its start, so
// that one can be renamed or removed.
func (n *Node) NameShared(ctx context.Context) (db.Node, bool) {
	cs, err := n.Status(ctx)
	if err != nil {
		return db.Node{}, false
	}
	return otherNamed(cs, n.self.Name)
}

// otherNamed finds, in a status, a member other than the status's own
// node called name (case aside) that the node reaches.
func otherNamed(cs *ClusterStatus, name string) (db.Node, bool) {
	reachable := map[string]bool{}
	for _, m := range cs.Members {
		reachable[m.ID] = m.Reachable && !m.Self
	}
	for _, nd := range cs.Nodes {
		if nd.ID != cs.Self && name != "" && strings.EqualFold(nd.Name, name) && reachable[nd.ID] {
			return nd, true
		}
	}
	return db.Node{}, false
}
