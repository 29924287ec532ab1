package db_test

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// vanishNet makes test nodes vanish from the network the way a tailnet
// peer does when its machine dies or goes offline: no reset, no FIN. After
// cut(addr) the node at addr sends and receives nothing: its connections
// stay open but silent (writes vanish, reads wait for their deadline), and
// dials to it or from it hang until their timeout or context ends. A
// dbtest.Host closed instead would refuse and reset at once, which is what
// a killed process on plain TCP looks like.
type vanishNet struct {
	mu   sync.Mutex
	gone map[string]bool
}

func newVanishNet() *vanishNet { return &vanishNet{gone: map[string]bool{}} }

func (vn *vanishNet) cut(addr string) {
	vn.mu.Lock()
	defer vn.mu.Unlock()
	vn.gone[addr] = true
}

func (vn *vanishNet) isGone(addrs ...string) bool {
	vn.mu.Lock()
	defer vn.mu.Unlock()
	for _, a := range addrs {
		if vn.gone[a] {
			return true
		}
	}
	return false
}

// wrap is a node tweak: both of the node's layers go through vn.
func (vn *vanishNet) wrap(cc *db.ClusterConfig) {
	cc.Raft = &vanishLayer{Layer: cc.Raft, vn: vn, self: cc.Advertise}
	cc.Service = &vanishLayer{Layer: cc.Service, vn: vn, self: cc.Advertise}
}

type vanishLayer struct {
	db.Layer
	vn   *vanishNet
	self string
}

func (l *vanishLayer) Accept() (net.Conn, error) {
	c, err := l.Layer.Accept()
	if err != nil {
		return nil, err
	}
	return &vanishConn{Conn: c, vn: l.vn, ends: []string{l.self}}, nil
}

func (l *vanishLayer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return l.DialContext(context.Background(), addr, timeout)
}

// DialContext makes the db package's cancellable dials go through here.
func (l *vanishLayer) DialContext(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	if l.vn.isGone(l.self, addr) {
		// No answer to the SYN: the dial lasts until it is given up.
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case <-t.C:
			return nil, os.ErrDeadlineExceeded
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c, err := l.Layer.Dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	return &vanishConn{Conn: c, vn: l.vn, ends: []string{l.self, addr}}, nil
}

// vanishConn is silent once a node at one of its ends is gone.
type vanishConn struct {
	net.Conn
	vn     *vanishNet
	ends   []string // the node addresses at its ends that are known here
	closed atomic.Bool
}

func (c *vanishConn) silent() bool { return c.vn.isGone(c.ends...) }

func (c *vanishConn) Read(b []byte) (int, error) {
	for {
		if c.closed.Load() {
			return 0, net.ErrClosed
		}
		n, err := c.Conn.Read(b)
		switch {
		case c.closed.Load():
			return 0, net.ErrClosed
		case !c.silent():
			return n, err
		case err != nil:
			return 0, err // its deadline passed in silence
		}
		// Whatever arrived was never sent, as far as this end knows.
	}
}

// SetDeadline and SetReadDeadline leave a closed connection's past read
// deadline alone.
func (c *vanishConn) SetDeadline(t time.Time) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	return c.Conn.SetDeadline(t)
}

func (c *vanishConn) SetReadDeadline(t time.Time) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *vanishConn) Write(b []byte) (int, error) {
	if c.closed.Load() {
		return 0, net.ErrClosed
	}
	if c.silent() {
		return len(b), nil // into the void
	}
	return c.Conn.Write(b)
}

// Close of a silent connection sends nothing: the socket stays open (its
// host closes it when the test ends), and a read waiting on it returns.
func (c *vanishConn) Close() error {
	if c.closed.Swap(true) {
		return net.ErrClosed
	}
	if c.silent() {
		return c.Conn.SetReadDeadline(time.Unix(1, 0))
	}
	return c.Conn.Close()
}

// TestClusterLeaderVanishes: the leader vanishes without a reset while a
// follower's forwarded writes wait for its answer. Both end as soon as the
// follower sees the leader go, not when forwardTimeout (8 s) runs out: the
// idempotent one is retried on the new leader and succeeds, the other
// cannot know whether it was applied and says so (ErrOutcomeUnknown).
func TestClusterLeaderVanishes(t *testing.T) {
	ctx := context.Background()
	vn := newVanishNet()
	nodes := newCluster(t, 3, vn.wrap)
	l := leader(t, nodes)
	f := followers(nodes, l)[0]
	// A forwarded write first: f's forwarding client keeps a connection
	// to the leader, which the writes below find in its pool.
	if err := putNode(ctx, f.s, "before"); err != nil {
		t.Fatal(err)
	}

	vn.cut(l.addr)
	cut := time.Now()
	var wg sync.WaitGroup
	var idemErr, plainErr error
	var idemTook, plainTook time.Duration
	wg.Go(func() {
		_, idemErr = f.s.ExecuteIdempotent(ctx, db.UpsertNodeStmt(&db.Node{ID: "idempotent", Name: "i", LastSeen: time.Now()}))
		idemTook = time.Since(cut)
	})
	wg.Go(func() {
		_, plainErr = f.s.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: "plain", Name: "p", LastSeen: time.Now()}))
		plainTook = time.Since(cut)
	})
	wg.Wait()
	t.Logf("leader vanished: idempotent write accepted after %v (%v); plain write ended after %v: %v",
		idemTook.Round(time.Millisecond), idemErr, plainTook.Round(time.Millisecond), plainErr)
	const bound = 3 * time.Second
	if idemErr != nil || idemTook > bound {
		t.Errorf("idempotent write after the leader vanished: %v after %v; want success within %v", idemErr, idemTook, bound)
	}
	if plainTook > bound {
		t.Errorf("plain write forwarded to the vanished leader ended after %v; want within %v", plainTook, bound)
	}
	if plainErr != nil && !errors.Is(plainErr, db.ErrOutcomeUnknown) {
		t.Errorf("plain write forwarded to the vanished leader: %v; want success or ErrOutcomeUnknown", plainErr)
	}
	if err := f.s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(t, f.s, "nodes"); got < 2 {
		t.Errorf("%d nodes rows on the follower after the idempotent write; want it and the one before", got)
	}
}

// TestClusterCloseVanishedPeers: a node whose peers all vanished without
// a reset closes promptly, whether it led when they went or followed.
// Raft's shutdown waits for its RPCs in flight, whose connections and dials
// to vanished peers would each last rqlite's 10 s connection timeout.
func TestClusterCloseVanishedPeers(t *testing.T) {
	for _, lead := range []bool{true, false} {
		name := map[bool]string{true: "leader", false: "follower"}[lead]
		t.Run(name, func(t *testing.T) {
			vn := newVanishNet()
			nodes := newCluster(t, 3, vn.wrap)
			l := leader(t, nodes)
			// A write, so that Raft has its connections to every peer.
			if err := putNode(context.Background(), l.s, "x"); err != nil {
				t.Fatal(err)
			}
			survivor := l
			if !lead {
				survivor = followers(nodes, l)[0]
			}
			for _, n := range nodes {
				if n != survivor {
					vn.cut(n.addr)
				}
			}
			if !lead {
				// The survivor has noticed: it looks for a leader among the
				// vanished, its requests for votes in flight.
				poll(t, 10*time.Second, "the survivor to lose its leader", func() bool { return survivor.s.Status().Leader == "" })
			}
			start := time.Now()
			if err := survivor.s.Close(context.Background()); err != nil {
				t.Errorf("close: %v", err)
			}
			took := time.Since(start)
			survivor.host.Close()
			survivor.s = nil
			t.Logf("%s closed in %v with both peers vanished", name, took.Round(time.Millisecond))
			if took > 3*time.Second {
				t.Errorf("closing a %s whose peers vanished took %v; want ≤ 3 s", name, took.Round(time.Millisecond))
			}
		})
	}
}
