package mesh

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// TCPConfig configures a plain-TCP transport. Key is required.
type TCPConfig struct {
	// ListenAddr is the TCP address to listen on; empty means ":7420"
	// (DefaultPort on every interface).
	ListenAddr string
	// AdvertiseAddr is the HOST:PORT other nodes dial to reach this one: an
	// IP, or a DNS name every node resolves (stable across restarts, unlike
	// a pod's IP). Empty means the bound listen address, which must then
	// name one interface (not 0.0.0.0 or ::). It goes into this node's
	// certificate.
	AdvertiseAddr string
	// Node is this node's name (1–63 letters, digits, '-', '_', '.'), shown
	// to peers as Peer.Node.
	Node string
	// Key is the cluster key; every node of the cluster holds the same one.
	Key Key
	// Tags are tags ("tag:name") this node declares in its certificate for
	// peers' policies. Any key holder may declare any tag: on plain TCP the
	// key is the trust boundary and tags only guard against mistakes.
	Tags []string
	// Policy decides which peers are accepted and dialed. Plain-TCP peers
	// have no user login, so only AllowTags applies; zero allows every key
	// holder.
	Policy Policy
	// HandshakeTimeout bounds each TLS handshake; 0 means 10 s.
	HandshakeTimeout time.Duration
	// OnRefused, if set, is called (possibly concurrently) for every
	// connection the listener refuses, with why. It must not block long.
	OnRefused func(remoteAddr string, reason error)
	// Logger receives refusals and errors; nil discards them.
	Logger *slog.Logger
}

// TCP is the plain-TCP transport: mutual TLS 1.3 with certificates from the
// cluster key. See the package doc and DESIGN.md.
type TCP struct {
	raw     net.Listener
	addr    string
	is      *issuer
	server  *tls.Config
	client  *tls.Config
	policy  Policy
	timeout time.Duration
	refused func(string, error)
	logger  *slog.Logger

	mu        sync.Mutex
	listening *authListener
	peers     map[string]*peerEntry // by remote address of live connections
	closed    bool

	closeOnce sync.Once
	closeErr  error
}

type peerEntry struct {
	peer Peer
	n    int // live connections at that address
}

// NewTCP binds the listen address and prepares this node's certificate.
// Connections wait in the kernel's backlog until Listen.
func NewTCP(cfg TCPConfig) (*TCP, error) {
	if cfg.Key.IsZero() {
		return nil, errors.New("mesh.NewTCP: no cluster key")
	}
	if !ValidName(cfg.Node) {
		return nil, fmt.Errorf("mesh.NewTCP: bad node name %q: want 1-63 letters, digits, '-', '_' or '.'", cfg.Node)
	}
	if err := validateTags(cfg.Tags); err != nil {
		return nil, fmt.Errorf("mesh.NewTCP: %w", err)
	}
	if err := validateTags(cfg.Policy.AllowTags); err != nil {
		return nil, fmt.Errorf("mesh.NewTCP: policy: %w", err)
	}
	if len(cfg.Policy.AllowUsers) > 0 {
		return nil, errors.New("mesh.NewTCP: policy: plain-TCP peers have no user login, so AllowUsers cannot match; use AllowTags")
	}
	ca, err := deriveCA(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("mesh.NewTCP: %w", err)
	}
	listenAddr := cfg.ListenAddr
	if listenAddr == "" {
		listenAddr = ":" + strconv.Itoa(DefaultPort)
	}
	// Check what can be checked before binding a port.
	if cfg.AdvertiseAddr != "" {
		if err := checkAdvertise(cfg.AdvertiseAddr); err != nil {
			return nil, fmt.Errorf("mesh.NewTCP: %w", err)
		}
	}
	raw, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return nil, fmt.Errorf("mesh.NewTCP: %w", err)
	}
	addr := cfg.AdvertiseAddr
	if addr == "" {
		addr = raw.Addr().String()
		if err := checkAdvertise(addr); err != nil {
			raw.Close()
			return nil, fmt.Errorf("mesh.NewTCP: listening on %s: %w; set AdvertiseAddr to the IP:port peers should dial", addr, err)
		}
	}
	t := &TCP{
		raw:     raw,
		addr:    addr,
		policy:  cfg.Policy,
		timeout: cfg.HandshakeTimeout,
		refused: cfg.OnRefused,
		logger:  orDiscard(cfg.Logger),
		peers:   make(map[string]*peerEntry),
	}
	if t.timeout <= 0 {
		t.timeout = DefaultHandshakeTimeout
	}
	t.is = &issuer{ca: ca, self: Peer{Node: cfg.Node, Tags: cfg.Tags, Addr: addr}, now: time.Now}
	if _, err := t.is.get(); err != nil { // fail now, not at the first handshake
		raw.Close()
		return nil, fmt.Errorf("mesh.NewTCP: %w", err)
	}
	t.server, t.client = t.is.serverConfig(), t.is.clientConfig()
	t.logger.Info("mesh: tcp transport ready", "listen", raw.Addr().String(), "advertise", addr,
		"node", cfg.Node, "key", cfg.Key, "policy", cfg.Policy.String())
	return t, nil
}

// checkAdvertise accepts HOST:PORT with a port, where HOST is a specific IP
// or a DNS name (a Kubernetes StatefulSet's stable pod name, say), not an
// unspecified address.
func checkAdvertise(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("advertise address %q is not HOST:PORT", addr)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		return fmt.Errorf("advertise address %s has no port", addr)
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return fmt.Errorf("advertise address %s is unspecified (all interfaces); peers cannot dial it", addr)
	}
	return nil
}

// Listen returns the mutual-TLS listener. It may be called once.
func (t *TCP) Listen() (net.Listener, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return nil, fmt.Errorf("mesh: listen: %w", net.ErrClosed)
	case t.listening != nil:
		return nil, errors.New("mesh: Listen called twice")
	}
	t.listening = newAuthListener(t.raw, t.accept, t.timeout, t.refused, t.logger)
	return t.listening, nil
}

// accept runs the server side of the handshake for the listener.
func (t *TCP) accept(ctx context.Context, raw net.Conn) (net.Conn, error) {
	tc := tls.Server(raw, t.server)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, describeTLSError(err)
	}
	return t.authorise(tc)
}

// Dial connects to addr and runs the client side of the handshake; the
// handshake is bounded by ctx or, without a deadline, HandshakeTimeout.
func (t *TCP) Dial(ctx context.Context, addr string) (net.Conn, error) {
	if t.isClosed() {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, net.ErrClosed)
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	tc := tls.Client(raw, t.client)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("mesh: dial %s: handshake: %w", addr, describeTLSError(err))
	}
	c, err := t.authorise(tc)
	if err != nil {
		tc.Close()
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	return c, nil
}

// authorise checks the verified peer of a completed handshake against the
// policy and records it for WhoIs until the connection closes.
func (t *TCP) authorise(tc *tls.Conn) (net.Conn, error) {
	peer, err := peerFromState(tc.ConnectionState())
	if err != nil {
		return nil, err
	}
	if !t.policy.IsZero() {
		if err := t.policy.check(peer); err != nil {
			return nil, err
		}
	}
	key := tc.RemoteAddr().String()
	t.mu.Lock()
	e := t.peers[key]
	if e == nil {
		e = &peerEntry{}
		t.peers[key] = e
	}
	e.peer = peer
	e.n++
	t.mu.Unlock()
	return &peerConn{Conn: tc, forget: func() { t.forget(key) }}, nil
}

func (t *TCP) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.peers[key]; e != nil {
		if e.n--; e.n <= 0 {
			delete(t.peers, key)
		}
	}
}

// WhoIs returns the verified identity behind a live connection's remote
// address (from Accept or Dial).
func (t *TCP) WhoIs(_ context.Context, remoteAddr string) (Peer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.peers[remoteAddr]; e != nil {
		p := e.peer
		p.Tags = append([]string(nil), p.Tags...)
		return p, nil
	}
	return Peer{}, fmt.Errorf("%w (%s)", ErrUnknownPeer, remoteAddr)
}

// Addr is the advertised address.
func (t *TCP) Addr() string { return t.addr }

// Fingerprint is the cluster key's fingerprint.
func (t *TCP) Fingerprint() string { return t.is.ca.fingerprint }

func (t *TCP) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// Close stops the listener (or releases the port if Listen was never
// called). Connections already handed out stay open: they belong to their
// callers. It is safe to call more than once.
func (t *TCP) Close() error {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		ln := t.listening
		t.mu.Unlock()
		var err error
		if ln != nil {
			err = ln.Close()
		} else if err = t.raw.Close(); errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if err != nil {
			t.closeErr = fmt.Errorf("mesh: close: %w", err)
		}
	})
	return t.closeErr
}

// peerConn is a connection whose peer is recorded for WhoIs; Close forgets
// it.
type peerConn struct {
	net.Conn
	once   sync.Once
	forget func()
}

func (c *peerConn) Close() error {
	c.once.Do(c.forget)
	return c.Conn.Close()
}

// CloseWrite half-closes a TLS connection (sends close_notify).
func (c *peerConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
