package db

import (
	"errors"
	"net"
	"sync"
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
