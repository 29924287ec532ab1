package dbtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Header bytes that split a Host's connections, as rqlite's own mux does.
const (
	raftHeader    byte = 1
	serviceHeader byte = 2
)

// Host is one test node's network: a loopback TCP listener whose
// connections are split by a one-byte header between a Raft layer and a
// cluster-service layer, like rqlite's tcp.Mux. Unlike that mux, closing a
// layer stops its Accept, and Close ends every connection the host accepted
// or dialed, the way a process exit would: that is how a test crashes a
// node, and why nothing is left running after a test.
type Host struct {
	ln   net.Listener
	addr string

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup

	raft, service *hostLayer
}

// Listen starts a host on addr ("127.0.0.1:0" for any free port; a stopped
// host's address to restart a node where it was), closed when the test
// ends.
func Listen(t testing.TB, addr string) *Host {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("dbtest.Listen %s: %v", addr, err)
	}
	h := &Host{ln: ln, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
	h.raft = h.newLayer(raftHeader)
	h.service = h.newLayer(serviceHeader)
	h.wg.Add(1)
	go h.serve()
	t.Cleanup(h.Close)
	return h
}

// Addr is the host's address, to advertise and to join.
func (h *Host) Addr() string { return h.addr }

// Raft is the layer for Raft traffic.
func (h *Host) Raft() db.Layer { return h.raft }

// Service is the layer for rqlite's cluster service.
func (h *Host) Service() db.Layer { return h.service }

// Close stops the listener and ends every connection, and waits for the
// host's goroutines. It is safe to call more than once.
func (h *Host) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.done)
	conns := make([]net.Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.ln.Close()
	for _, c := range conns {
		c.Close()
	}
	h.wg.Wait()
}

func (h *Host) serve() {
	defer h.wg.Done()
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		tc, ok := h.track(c)
		if !ok {
			continue
		}
		h.wg.Add(1)
		go h.route(tc)
	}
}

// route reads a connection's header byte and hands it to its layer.
func (h *Host) route(c net.Conn) {
	defer h.wg.Done()
	var b [1]byte
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, b[:]); err != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Time{})
	l := h.raft
	switch b[0] {
	case raftHeader:
	case serviceHeader:
		l = h.service
	default:
		c.Close()
		return
	}
	select {
	case l.ch <- c:
	case <-l.done:
		c.Close()
	case <-h.done:
		c.Close()
	}
}

// track records c so that Close can end it; it refuses c once closed.
func (h *Host) track(c net.Conn) (net.Conn, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.Close()
		return nil, false
	}
	tc := &hostConn{Conn: c, h: h}
	h.conns[tc] = struct{}{}
	return tc, true
}

type hostConn struct {
	net.Conn
	h    *Host
	once sync.Once
}

func (c *hostConn) Close() error {
	c.once.Do(func() {
		c.h.mu.Lock()
		delete(c.h.conns, c)
		c.h.mu.Unlock()
	})
	return c.Conn.Close()
}

// hostLayer is one header's share of a Host.
type hostLayer struct {
	h      *Host
	header byte
	ch     chan net.Conn
	done   chan struct{}
	once   sync.Once
}

func (h *Host) newLayer(header byte) *hostLayer {
	return &hostLayer{h: h, header: header, ch: make(chan net.Conn), done: make(chan struct{})}
}

var errHostClosed = errors.New("dbtest: host closed")

func (l *hostLayer) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-l.h.done:
		return nil, net.ErrClosed
	}
}

func (l *hostLayer) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *hostLayer) Addr() net.Addr { return l.h.ln.Addr() }

// Dial connects to the host at addr and writes this layer's header.
func (l *hostLayer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	l.h.mu.Lock()
	closed := l.h.closed
	l.h.mu.Unlock()
	if closed {
		return nil, errHostClosed
	}
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	tc, ok := l.h.track(c)
	if !ok {
		return nil, errHostClosed
	}
	tc.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := tc.Write([]byte{l.header}); err != nil {
		tc.Close()
		return nil, fmt.Errorf("dbtest: write header: %w", err)
	}
	tc.SetWriteDeadline(time.Time{})
	return tc, nil
}
