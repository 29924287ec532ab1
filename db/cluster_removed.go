package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/store"
)

// rejoinTimeout bounds the rejoin of a node removed while it was down:
// its join requests, then its catching up with the leader.
const rejoinTimeout = 30 * time.Second

// errRejoined is removedWhileDown's word that this node had been removed
// while down and was admitted again through its Join peers, and has caught
// up: its open goes on.
var errRejoined = errors.New("rejoined its cluster")

// removedWhileDown is the error of a restarting member that could not
// catch up because its cluster no longer counts it, or nil if nothing says
// so, or errRejoined if it was given Join peers and they admitted it
// again. A node
// removed while it was down hears from the leader once more when it
// restarts: hashicorp/raft makes a last attempt to replicate to a removed
// server, so this node learns of a leader, then hears nothing more, and
// its catching up times out. That last attempt may have brought the
// configuration without this node, or not: then the leader says so when
// probed (notMemberMarker). Either tells this case from a slow catch-up,
// which is worth a second start where this one is not.
//
// A removed node's log is a prefix of its cluster's (it received nothing
// after its removal), so it rejoins as a node that left does: through its
// Join peers. A node a recovery dropped is told so instead (and the
// cluster refuses its join).
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
	var how, peer string
	switch {
	case i >= 0:
		p := probes[i]
		how, peer = fmt.Sprintf("%s at %s leads the cluster without this node, so this node (%s) was removed while it was down", p.id, p.addr, s.id), p.addr
	case !listed:
		// No peer answered the probe: the configuration this node
		// received is all it knows.
		how, peer = fmt.Sprintf("this node (%s) was removed from the cluster while it was down (the cluster's configuration no longer lists it)", s.id), nodes[0].Addr
	default:
		return nil
	}
	if len(s.c.cfg.Join) == 0 {
		return &usererr.Error{Err: ErrRemoved, Msg: fmt.Sprintf(
			"%s: to rejoin, start it again with aiex node run --join %s (or on a new data dir)", how, peer)}
	}
	err = s.rejoin()
	if err == nil {
		return errRejoined
	}
	if errors.Is(err, ErrDropped) {
		return err
	}
	return &usererr.Error{Err: errors.Join(ErrRemoved, err), Msg: fmt.Sprintf(
		"%s, and rejoining through %s failed (%s): start it again once a member answers there, or on a new data dir with aiex node run --data-dir NEW --join %s",
		how, strings.Join(s.c.cfg.Join, ", "), rejoinFailure(err), s.c.cfg.Join[0])}
}

// rejoin asks the Join peers to admit this node again, and catches up with
// the leader.
func (s *Store) rejoin() error {
	ctx, cancel := context.WithTimeout(context.Background(), rejoinTimeout)
	defer cancel()
	s.logger.Info("this node was removed from its cluster while it was down: rejoining", "node", s.id, "peers", s.c.cfg.Join)
	if err := s.join(ctx); err != nil {
		return err
	}
	if err := s.Sync(ctx); err != nil {
		return err
	}
	if s.removed() {
		return errors.New("the cluster's configuration still does not list this node")
	}
	return nil
}

// rejoinFailure says in a few words why a rejoin failed.
func rejoinFailure(err error) string {
	var je *JoinError
	if errors.As(err, &je) {
		return strings.Join(je.Peers, "; ")
	}
	return peerFailure(err)
}
