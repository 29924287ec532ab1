package mesh

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"tailscale.com/tsnet"
	"tailscale.com/wgengine/netstack"
)

// Working around a shutdown deadlock in tsnet (tailscale.com v1.102.5):
// tsnet.Server.Close stops the goroutine that drains netstack's outbound
// packet queue (512 slots) and then aborts every TCP endpoint, each of which
// queues a RST, TIME_WAIT ones included. With more than ~512 endpoints the
// queue fills and Close blocks forever. Measured here: a node that dialed
// and closed 400 connections closes; one that did 700 hangs.
//
// So: TIME_WAIT in the node's netstack is shortened from gVisor's 60 s to
// netstackTimeWait; the transport counts connections closed recently and
// Close waits (at most netstackTimeWait) until few enough can be in
// TIME_WAIT; and as a last resort Close gives up on tsnet after
// serverCloseTimeout rather than hang the process's shutdown.
//
// serverCloseTimeout also bounds a slow Close that would end by itself:
// tsnet gives its log upload and its local API up to 5 s each to finish,
// and with the network gone the upload takes all of it. A node's shutdown
// aims at ~3 s in all; tsnet holds nothing that must be saved at Close
// (its state is written when it changes), so past the bound it is left to
// finish in the background while the process exits.
const (
	netstackTimeWait   = 5 * time.Second
	safeTimeWait       = 256 // endpoints that may be in TIME_WAIT at Close
	serverCloseTimeout = 3 * time.Second
)

// shortenTimeWait sets the node's TCP TIME_WAIT to netstackTimeWait.
// TIME_WAIT guards a new connection against stray segments of an old one
// with the same ports; inside WireGuard, with random ports and sequence
// numbers, a few seconds is plenty.
func shortenTimeWait(srv *tsnet.Server) error {
	v, _ := srv.Sys().Netstack.GetOK()
	ns, ok := v.(*netstack.Impl)
	if !ok || ns == nil {
		return errors.New("tsnet has no netstack")
	}
	opt := tcpip.TCPTimeWaitTimeoutOption(netstackTimeWait)
	if err := ns.SetTransportProtocolOption(tcp.ProtocolNumber, &opt); err != nil {
		return fmt.Errorf("set TIME_WAIT: %s", err)
	}
	return nil
}

// closedConns remembers when this node's tailnet connections closed, for
// as long as they may sit in TIME_WAIT.
type closedConns struct {
	mu    sync.Mutex
	times []time.Time // oldest first, none older than netstackTimeWait
}

func (cc *closedConns) note(now time.Time) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.trim(now)
	cc.times = append(cc.times, now)
}

func (cc *closedConns) trim(now time.Time) {
	i := 0
	for i < len(cc.times) && now.Sub(cc.times[i]) >= netstackTimeWait {
		i++
	}
	cc.times = append(cc.times[:0], cc.times[i:]...)
}

// safeAfter is how long to wait until at most safeTimeWait of the
// connections closed so far can still be in TIME_WAIT.
func (cc *closedConns) safeAfter(now time.Time) time.Duration {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.trim(now)
	if n := len(cc.times); n > safeTimeWait {
		return cc.times[n-safeTimeWait-1].Add(netstackTimeWait).Sub(now)
	}
	return 0
}

// trackedTailnetConn notes its close in closedConns.
type trackedTailnetConn struct {
	net.Conn
	cc   *closedConns
	once sync.Once
}

func (c *trackedTailnetConn) Close() error {
	c.once.Do(func() { c.cc.note(time.Now()) })
	return c.Conn.Close()
}

// trackedTailnetListener tracks the connections it accepts.
type trackedTailnetListener struct {
	net.Listener
	cc *closedConns
}

func (l *trackedTailnetListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackedTailnetConn{Conn: c, cc: l.cc}, nil
}

// closeServer closes srv, giving up after serverCloseTimeout (the goroutine
// closing it is then left behind, stuck in tsnet).
func closeServer(srv *tsnet.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	t := time.NewTimer(serverCloseTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("tsnet did not stop within %v (netstack shutdown deadlock?); abandoning it", serverCloseTimeout)
	}
}
