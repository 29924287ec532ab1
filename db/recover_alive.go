package db

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/cluster"
)

// Dialer dials a peer's cluster service (rqlite's cluster.Dialer): a
// Layer's Dial, or a mesh dialer with the cluster service's header. A
// dialer without the cluster's credentials may return an error wrapping
// ErrListening when something takes the connection at a peer's address:
// Recover counts that peer as running, its data unknown.
type Dialer interface {
	Dial(addr string, timeout time.Duration) (net.Conn, error)
}

// ErrListening is the error of a Dialer that reached a peer's address but
// cannot speak to it (it lacks the cluster's credentials).
var ErrListening = errors.New("something listens there")

// ErrHasQuorum is matched (errors.Is) by Recover's refusal of a cluster
// whose running peers, with the stopped node or without it, are a quorum:
// starting the node is the way back, and a recovery would split it.
var ErrHasQuorum = errors.New("the cluster has a quorum")

// ErrNewerPeer is matched by Recover's refusal when a peer that answers
// has committed more than the stopped node holds.
var ErrNewerPeer = errors.New("a peer has newer data")

// aliveTimeout bounds Recover's probe of the peers it would drop: each
// dial and answer, and the probe as a whole (they run in parallel).
const aliveTimeout = time.Second

// checkAlive asks each peer rec would drop for its node meta through dial,
// in parallel, marks those that answer (and their commit index) in
// rec.Dropped, and refuses a recovery that would drop a live quorum, or a
// peer that has newer data than this node (lastIndex, the last entry of
// its log). selfVoter says whether this node counts toward the quorum.
func checkAlive(ctx context.Context, dial Dialer, rec *Recovery, selfVoter bool) error {
	td := &trackingDialer{d: dial}
	defer td.closeAll()
	c := cluster.NewClient(td, aliveTimeout)
	type answer struct {
		i  int
		ci uint64
	}
	answers := make(chan answer, len(rec.Dropped))
	for i, p := range rec.Dropped {
		go func() {
			if meta, err := c.GetNodeMeta(p.Addr, 0, aliveTimeout); err == nil {
				answers <- answer{i, meta.CommitIndex}
				return
			}
			if td.reached(p.Addr) {
				// It took the connection, and the request failed (or
				// the dialer cannot speak to it): count it as running,
				// its data unknown.
				answers <- answer{i, 0}
				return
			}
			answers <- answer{-1, 0}
		}()
	}
	timeout := time.NewTimer(2 * aliveTimeout)
	defer timeout.Stop()
wait:
	for range rec.Dropped {
		select {
		case a := <-answers:
			if a.i >= 0 {
				rec.Dropped[a.i].Answered, rec.Dropped[a.i].CommitIndex = true, a.ci
			}
		case <-timeout.C:
			break wait
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	voters, up := 0, 0
	if selfVoter {
		voters = 1
	}
	var names []string
	for _, p := range rec.Dropped {
		if p.Voter {
			voters++
		}
		if p.Answered {
			names = append(names, p.ID+" at "+p.Addr)
			if p.Voter {
				up++
			}
		}
	}
	quorum := voters/2 + 1
	switch {
	case up >= quorum:
		return &usererr.Error{Err: ErrHasQuorum, Msg: fmt.Sprintf(
			"the cluster has a quorum (%s: %d of %d voters answer): start this node with aiex node run and it rejoins; aiex cluster recover is only for a cluster that lost its quorum for good",
			nodeList(names), up, voters)}
	case selfVoter && up+1 >= quorum:
		return &usererr.Error{Err: ErrHasQuorum, Msg: fmt.Sprintf(
			"the cluster has a quorum with this node (%s answer%s: with it, %d of %d voters): start this node with aiex node run and the cluster writes again; aiex cluster recover is only for a cluster that lost its quorum for good",
			nodeList(names), plural(len(names)), up+1, voters)}
	}
	i := -1
	for j, p := range rec.Dropped {
		if p.Answered && p.CommitIndex > rec.LastIndex && (i < 0 || p.CommitIndex > rec.Dropped[i].CommitIndex) {
			i = j
		}
	}
	if i >= 0 {
		p := rec.Dropped[i]
		return &usererr.Error{Err: ErrNewerPeer, Msg: fmt.Sprintf(
			"node %s at %s answers with newer data than this node (its commit index %d, this node's log ends at %d): recover on %s instead (stop it, then aiex cluster recover on its data dir), or add --force to recover here and lose what only it has",
			p.ID, p.Addr, p.CommitIndex, rec.LastIndex, p.ID)}
	}
	return nil
}

// nodeList joins node names for a sentence: "nodes a, b" or "node a".
func nodeList(names []string) string {
	if len(names) == 1 {
		return "node " + names[0]
	}
	return "nodes " + strings.Join(names, ", ")
}

func plural(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// trackingDialer remembers the connections it made, which rqlite's
// cluster.Client pools and never closes, so that closeAll can.
type trackingDialer struct {
	d     Dialer
	mu    sync.Mutex
	conns []net.Conn
	addrs []string // dialed with success
	done  bool
}

// reached says whether a dial to addr succeeded.
func (t *trackingDialer) reached(addr string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Contains(t.addrs, addr)
}

func (t *trackingDialer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := t.d.Dial(addr, timeout)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		// A peer that refused the handshake for another cluster key
		// runs too (the key given is wrong, or it is another cluster's).
		if errors.Is(err, ErrListening) || keyMismatch(err) {
			t.addrs = append(t.addrs, addr)
		}
		return nil, err
	}
	if t.done {
		c.Close()
		return nil, net.ErrClosed
	}
	t.conns = append(t.conns, c)
	t.addrs = append(t.addrs, addr)
	return c, nil
}

func (t *trackingDialer) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	for _, c := range t.conns {
		c.Close()
	}
	t.conns = slices.Delete(t.conns, 0, len(t.conns))
}
