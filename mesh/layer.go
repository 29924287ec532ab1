package mesh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/rqlite/rqlite/v8/tcp"
)

// rqlite shares one listener between Raft and its cluster service by a
// header byte the dialer writes first (cluster.MuxRaftHeader = 1,
// cluster.MuxClusterHeader = 2). Its tcp.Dialer dials plain TCP; the types
// here do the same through a Transport:
//
//	ln, _ := tr.Listen()
//	mux, _ := mesh.NewMux(tr, ln, logger, cluster.MuxRaftHeader, cluster.MuxClusterHeader)
//	str := store.New(mux.Layer(cluster.MuxRaftHeader), cfg)
//	svc := cluster.New(mux.Listener(cluster.MuxClusterHeader), str, str, creds)
//	client := cluster.NewClient(mesh.NewDialer(tr, cluster.MuxClusterHeader), timeout)
//	...
//	str.Close(true); svc.Close(); mux.Close(); tr.Close()

// defaultDialTimeout applies when rqlite passes no timeout.
const defaultDialTimeout = 10 * time.Second

// Dialer dials peers through a Transport and writes a mux header byte
// first. It satisfies rqlite's cluster.Dialer, and with a listener makes a
// store.Layer (see Layer).
type Dialer struct {
	tr     Transport
	header byte
}

// NewDialer returns a Dialer for the service behind header.
func NewDialer(tr Transport, header byte) *Dialer { return &Dialer{tr: tr, header: header} }

// Dial connects to addr within timeout and writes the header byte.
// rqlite's dialers take no context; the timeout bounds it.
func (d *Dialer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return d.DialContext(context.Background(), addr, timeout)
}

// DialContext is Dial, also ended by ctx: a dial to a peer that vanished
// without a reset (a tailnet node gone offline) otherwise lasts its whole
// timeout, and its owner may be shutting down.
func (d *Dialer) DialContext(ctx context.Context, addr string, timeout time.Duration) (_ net.Conn, retErr error) {
	if timeout <= 0 {
		timeout = defaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := d.tr.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			c.Close()
		}
	}()
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	if _, err := c.Write([]byte{d.header}); err != nil {
		return nil, fmt.Errorf("mesh: dial %s: write mux header: %w", addr, err)
	}
	if err := c.SetWriteDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	return c, nil
}

// Layer is rqlite's store.Layer over a Transport: it accepts from one mux
// sub-listener and dials through the transport with that listener's header.
type Layer struct {
	net.Listener
	*Dialer
}

// NewLayer pairs a mux sub-listener with a dialer for the same header.
func NewLayer(ln net.Listener, d *Dialer) *Layer { return &Layer{Listener: ln, Dialer: d} }

// Mux runs rqlite's tcp.Mux on a mesh listener, and owns it: it registers
// every header before serving (tcp.Mux's map is not safe to change while it
// serves, and a duplicate header panics), logs through slog instead of
// stderr, and its Close does what tcp.Mux.Close does not: it closes the
// mesh listener and every connection the mux accepted, and waits for the
// mux's goroutines. A Mux cannot be reused; make a new one per start.
type Mux struct {
	tr   Transport
	mux  *tcp.Mux
	ln   *trackingListener
	subs map[byte]net.Listener
	done chan struct{} // closed when Serve has returned

	closeOnce sync.Once
}

// NewMux serves ln (from tr.Listen) with one sub-listener per header. The
// sub-listeners advertise tr.Addr(), which rqlite records as the node's Raft
// address.
func NewMux(tr Transport, ln net.Listener, logger *slog.Logger, headers ...byte) (*Mux, error) {
	adv, err := net.ResolveTCPAddr("tcp", tr.Addr())
	if err != nil {
		return nil, fmt.Errorf("mesh.NewMux: advertised address: %w", err)
	}
	tl := &trackingListener{Listener: ln, conns: make(map[*trackedConn]struct{})}
	mux, err := tcp.NewMux(tl, adv)
	if err != nil {
		return nil, fmt.Errorf("mesh.NewMux: %w", err)
	}
	logger = orDiscard(logger)
	mux.Logger = log.New(io.Discard, "", 0)
	if logger.Enabled(context.Background(), slog.LevelDebug) {
		mux.Logger = slog.NewLogLogger(logger.With("component", "mux").Handler(), slog.LevelDebug)
	}
	mux.Timeout = DefaultHandshakeTimeout // for the header byte; rqlite waits 30 s
	m := &Mux{tr: tr, mux: mux, ln: tl, subs: make(map[byte]net.Listener), done: make(chan struct{})}
	for _, h := range headers {
		if _, dup := m.subs[h]; dup {
			return nil, fmt.Errorf("mesh.NewMux: header %d given twice", h)
		}
		m.subs[h] = mux.Listen(h)
	}
	go func() {
		defer close(m.done)
		mux.Serve()
	}()
	return m, nil
}

// Listener returns the sub-listener for header, or nil if header was not
// registered. Its Close does nothing; close the Mux.
func (m *Mux) Listener(header byte) net.Listener { return m.subs[header] }

// Layer returns rqlite's store.Layer for header: its sub-listener and a
// dialer that writes header. It is nil if header was not registered.
func (m *Mux) Layer(header byte) *Layer {
	ln := m.subs[header]
	if ln == nil {
		return nil
	}
	return NewLayer(ln, NewDialer(m.tr, header))
}

// Close closes the mesh listener and every connection the mux accepted,
// makes the sub-listeners' Accept fail, and waits for the mux to stop.
// Close the services using the sub-listeners first. It is safe to call more
// than once.
func (m *Mux) Close() error {
	var err error
	m.closeOnce.Do(func() {
		if err = m.ln.Close(); errors.Is(err, net.ErrClosed) {
			err = nil
		}
		// tcp.Mux.Serve waits for connections still reading their header
		// (closing them ends that) or being handed to a sub-listener nobody
		// accepts from (draining ends that), then closes the sub-listeners.
		m.ln.closeAll()
		var drains sync.WaitGroup
		for _, sub := range m.subs {
			drains.Go(func() {
				for {
					c, err := sub.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			})
		}
		<-m.done
		drains.Wait()
	})
	if err != nil {
		return fmt.Errorf("mesh: close mux: %w", err)
	}
	return nil
}

// trackingListener remembers the connections it accepted until they close.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[tc] = struct{}{}
	return tc, nil
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = make(map[*trackedConn]struct{})
	l.mu.Unlock()
	for c := range conns {
		c.Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
