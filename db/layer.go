package db

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// soloLayer is the network layer of a single-voter node that talks to no
// one: Accept blocks until Close, Dial always fails. A lone voter elects
// itself and commits without sending a packet, so the embedded store needs no
// port (no bind cost, no conflicts, nothing exposed). The cluster uses a real
// layer over the mesh instead.
type soloLayer struct {
	addr   soloAddr
	once   sync.Once
	closed chan struct{}
}

func newSoloLayer(name string) *soloLayer {
	return &soloLayer{addr: soloAddr(name), closed: make(chan struct{})}
}

// errSolo is returned by Dial: a solo node has no peers to reach.
var errSolo = errors.New("db: single-node store has no network")

func (l *soloLayer) Accept() (net.Conn, error) {
	<-l.closed
	return nil, net.ErrClosed
}

func (l *soloLayer) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *soloLayer) Addr() net.Addr { return l.addr }

func (l *soloLayer) Dial(string, time.Duration) (net.Conn, error) { return nil, errSolo }

// soloAddr names a solo node's address.
type soloAddr string

func (a soloAddr) Network() string { return "solo" }
func (a soloAddr) String() string  { return string(a) }

// Layer is one of a cluster node's two network channels to its peers: a
// listener for their connections and a dialer to them. The caller builds
// both (mesh: TCP with mutual TLS, or tsnet), already split by a header byte
// so that one address serves the two; Raft traffic uses one, the cluster
// service (joins, forwarded writes, node meta) the other. Close must make a
// blocked Accept return, or Raft's accept loop outlives the store. A Layer
// that also has DialContext(ctx, addr, timeout) (mesh's does) gets dials
// that the store can cancel: when it closes, and when the leader a
// forwarded write was dialing is gone.
type Layer interface {
	net.Listener
	Dial(addr string, timeout time.Duration) (net.Conn, error)
}

// contextDialer is a Layer whose dials can be cancelled (mesh's can). A dial
// to a peer that vanished (no reset on a tailnet) otherwise lasts its whole
// timeout: 10 s for Raft's, which Raft's shutdown waits for.
type contextDialer interface {
	DialContext(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error)
}

// trackedLayer wraps a caller's Layer. It reports the advertised address
// (Raft puts its transport's address into every RPC, and followers learn the
// leader's address from it), and it remembers every connection dialed or
// accepted through it: neither Raft's connection pool nor rqlite's cluster
// client and service close their connections when they stop, so shutdown
// ends them here, and cancels the dials in progress. Each connection
// carries a tag, so that one forwarding client's connections can be dropped
// together (see fwdClient).
type trackedLayer struct {
	Layer
	addr net.Addr
	// guard, if set, wraps each accepted connection (see raftGuard); set
	// before the layer is used.
	guard func(net.Conn) net.Conn

	ctx    context.Context // cancelled by shutdown: ends the dials in progress
	cancel context.CancelFunc

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool // set by shutdown: no connection is made or accepted after it

	closeOnce sync.Once
	closeErr  error
}

// newTrackedLayer wraps ly; ctx (not cancelled before shutdown) bounds its
// dials.
func newTrackedLayer(ctx context.Context, ly Layer, advertise string) *trackedLayer {
	ctx, cancel := context.WithCancel(ctx)
	return &trackedLayer{Layer: ly, addr: advAddr(advertise), ctx: ctx, cancel: cancel, conns: map[*trackedConn]struct{}{}}
}

// dialError marks a failure to connect: nothing was sent, so the request it
// was for can be retried elsewhere.
type dialError struct {
	addr string
	err  error
}

func (e *dialError) Error() string { return "dial " + e.addr + ": " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func (l *trackedLayer) Addr() net.Addr { return l.addr }

func (l *trackedLayer) Accept() (net.Conn, error) {
	c, err := l.Layer.Accept()
	if err != nil {
		return nil, err
	}
	if l.guard != nil {
		c = l.guard(c)
	}
	return l.track(c, inboundTag, "")
}

// inboundTag marks the connections peers opened to this node.
const inboundTag = ^uint64(0)

func (l *trackedLayer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return l.dialTagged(l.ctx, addr, timeout, 0)
}

// dialTagged dials addr within timeout, until ctx ends or the layer shuts
// down, and tags the connection.
func (l *trackedLayer) dialTagged(ctx context.Context, addr string, timeout time.Duration, tag uint64) (net.Conn, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, &dialError{addr, net.ErrClosed}
	}
	var c net.Conn
	var err error
	if cd, ok := l.Layer.(contextDialer); ok {
		ctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(l.ctx, cancel)
		c, err = cd.DialContext(ctx, addr, timeout)
		stop()
		cancel()
	} else {
		c, err = l.Layer.Dial(addr, timeout)
	}
	if err != nil {
		return nil, &dialError{addr, err}
	}
	tc, err := l.track(c, tag, addr)
	if err != nil {
		return nil, &dialError{addr, err}
	}
	return tc, nil
}

func (l *trackedLayer) track(c net.Conn, tag uint64, addr string) (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l, tag: tag, addr: addr}
	l.conns[tc] = struct{}{}
	return tc, nil
}

// Close closes the caller's listener, once. Raft's transport and the cluster
// service call it when they stop.
func (l *trackedLayer) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Layer.Close() })
	return l.closeErr
}

// closeTagged closes the connections with tag (dialed with it, or accepted:
// inboundTag) except those dialed to keep.
func (l *trackedLayer) closeTagged(tag uint64, keep string) {
	l.mu.Lock()
	var cs []*trackedConn
	for c := range l.conns {
		if c.tag == tag && (keep == "" || c.addr != keep) {
			cs = append(cs, c)
		}
	}
	l.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}

// shutdown closes the listener and every connection, cancels the dials in
// progress, and refuses new ones.
func (l *trackedLayer) shutdown() {
	l.Close()
	l.cancel()
	l.mu.Lock()
	l.closed = true
	cs := make([]*trackedConn, 0, len(l.conns))
	for c := range l.conns {
		cs = append(cs, c)
	}
	l.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}

// trackedConn is a connection that leaves its layer's set when closed.
// Once closed, setting its deadlines does nothing (rather than fail): the
// read or write that follows fails instead, and rqlite's client names which
// it was ("write length: …", "read protobuf length: …"), which tells a
// request that never left from one whose outcome is unknown (classify).
type trackedConn struct {
	net.Conn
	l      *trackedLayer
	tag    uint64
	addr   string // the address dialed; "" if accepted
	once   sync.Once
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	c.closed.Store(true)
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

func (c *trackedConn) SetDeadline(t time.Time) error {
	if c.closed.Load() {
		return nil
	}
	return c.Conn.SetDeadline(t)
}

func (c *trackedConn) SetReadDeadline(t time.Time) error {
	if c.closed.Load() {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *trackedConn) SetWriteDeadline(t time.Time) error {
	if c.closed.Load() {
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// advAddr is an advertised host:port.
type advAddr string

func (a advAddr) Network() string { return "tcp" }
func (a advAddr) String() string  { return string(a) }
