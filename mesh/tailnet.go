package mesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"tailscale.com/client/local"
	"tailscale.com/client/tailscale/apitype"
	"tailscale.com/ipn"
	"tailscale.com/tsnet"
)

// TailnetConfig configures a tailnet transport. Dir is required.
//
// Tailscale's client uploads its logs to Tailscale unless the environment
// has TS_NO_LOGS_NO_SUPPORT=true; this package leaves that choice to the
// user (it is read by tsnet, process-wide).
type TailnetConfig struct {
	// Hostname is the node's name on the tailnet; empty means the machine's
	// host name.
	Hostname string
	// Dir is the tsnet state dir (node key, logs); pass one under the data
	// dir. Created if missing.
	Dir string
	// Store holds the node's state; nil means a file in Dir. Tests pass
	// new(mem.Store) with Ephemeral.
	Store ipn.StateStore
	// AuthKey registers the node on first start (later starts reuse the
	// state in Dir). Empty means the TS_AUTHKEY (or TS_AUTH_KEY) environment
	// variable, as tsnet reads it; with neither, NewTailnet logs a login URL
	// at Info level and waits (bounded by its ctx) for someone to visit it.
	// Auth keys never reach the logger.
	AuthKey string
	// ControlURL is the coordination server; empty means TS_CONTROL_URL or
	// Tailscale's. Set it for a self-hosted control server (headscale).
	ControlURL string
	// Port is the mesh port on the tailnet; 0 means DefaultPort. Every node
	// of a cluster should use the same port (Peer.Addr assumes it).
	Port uint16
	// Tags are tags to request for this node (control decides).
	Tags []string
	// Ephemeral registers a node that control forgets soon after it goes
	// offline.
	Ephemeral bool
	// Policy decides which tailnet peers are accepted and dialed; zero means
	// this node's own user (or tags, if it is tagged). See Policy.
	Policy Policy
	// HandshakeTimeout bounds the identity lookup of each accepted
	// connection; 0 means 10 s.
	HandshakeTimeout time.Duration
	// DERPTimeout bounds the wait for the home DERP relay after Up; past it
	// NewTailnet logs a warning and carries on (direct paths may still work).
	// 0 means 15 s.
	DERPTimeout time.Duration
	// OnRefused, if set, is called (possibly concurrently) for every
	// connection the listener refuses, with why. It must not block long.
	OnRefused func(remoteAddr string, reason error)
	// Logger receives this transport's logs, tsnet's user-facing messages at
	// Info and tsnet's verbose backend logs at Debug; nil discards them.
	Logger *slog.Logger
}

// Tailnet is the tsnet transport: this process is a node of a tailnet, and
// peers are identified and authorised by what the tailnet says about them.
type Tailnet struct {
	srv     *tsnet.Server
	lc      *local.Client
	port    uint16
	addr    string
	self    Peer
	policy  Policy // resolved: never zero
	timeout time.Duration
	refused func(string, error)
	logger  *slog.Logger

	recent closedConns // for the TIME_WAIT workaround in netstack.go

	mu        sync.Mutex
	listening *authListener
	closed    bool
	closeOnce sync.Once
	closeErr  error
}

// NewTailnet starts a tsnet node, waits until it is running on the tailnet
// and connected to its home DERP relay (before that, a peer's first packets
// to it can be dropped and the first dial races), and learns its own
// identity. ctx bounds all of it, including an interactive login.
func NewTailnet(ctx context.Context, cfg TailnetConfig) (_ *Tailnet, retErr error) {
	if cfg.Dir == "" {
		return nil, errors.New("mesh.NewTailnet: no state dir")
	}
	if err := validateTags(cfg.Tags); err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: %w", err)
	}
	if err := validateTags(cfg.Policy.AllowTags); err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: policy: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: %w", err)
	}
	logger := orDiscard(cfg.Logger)
	host := cfg.Hostname
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("mesh.NewTailnet: no Hostname and %w", err)
		}
		host, _, _ = strings.Cut(h, ".")
	}
	port := cfg.Port
	if port == 0 {
		port = DefaultPort
	}
	red := newRedactor(cfg.AuthKey)
	srv := &tsnet.Server{
		Dir:           cfg.Dir,
		Store:         cfg.Store,
		Hostname:      host,
		AuthKey:       cfg.AuthKey,
		ControlURL:    cfg.ControlURL,
		Ephemeral:     cfg.Ephemeral,
		AdvertiseTags: cfg.Tags,
		UserLogf:      red.logf(logger, slog.LevelInfo, "tsnet"),
	}
	if logger.Enabled(ctx, slog.LevelDebug) {
		srv.Logf = red.logf(logger, slog.LevelDebug, "tsnet-backend")
	}
	defer func() {
		if retErr != nil {
			closeServer(srv)
		}
	}()

	// Join the tailnet.
	start := time.Now()
	st, err := srv.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: %w", err)
	}
	lc, err := srv.LocalClient()
	if err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: %w", err)
	}
	var ip netip.Addr
	for _, a := range st.TailscaleIPs {
		if !ip.IsValid() || (a.Is4() && !ip.Is4()) {
			ip = a
		}
	}

	if err := shortenTimeWait(srv); err != nil {
		logger.Warn("mesh: cannot shorten TIME_WAIT; Close may hang after many connections", "err", err)
	}

	// Wait for the home DERP relay, then learn who we are.
	derpTimeout := cfg.DERPTimeout
	if derpTimeout <= 0 {
		derpTimeout = 15 * time.Second
	}
	if err := waitHomeDERP(ctx, srv, derpTimeout); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("mesh.NewTailnet: %w", err)
		}
		logger.Warn("mesh: no home DERP relay yet; peers behind NAT may not reach this node", "err", err)
	}
	who, err := lc.WhoIs(ctx, ip.String())
	if err != nil {
		return nil, fmt.Errorf("mesh.NewTailnet: whois self: %w", err)
	}
	t := &Tailnet{
		srv:     srv,
		lc:      lc,
		port:    port,
		addr:    net.JoinHostPort(ip.String(), strconv.Itoa(int(port))),
		policy:  cfg.Policy,
		timeout: cfg.HandshakeTimeout,
		refused: cfg.OnRefused,
		logger:  logger,
	}
	t.self = t.peerOf(who)
	if t.timeout <= 0 {
		t.timeout = DefaultHandshakeTimeout
	}
	if t.policy.IsZero() {
		// Default: my own kind. A tagged node is its tags, an untagged one its
		// user's; see Policy.
		if len(t.self.Tags) > 0 {
			t.policy.AllowTags = t.self.Tags
		} else if t.self.Login != "" {
			t.policy.AllowUsers = []string{t.self.Login}
		} else {
			return nil, errors.New("mesh.NewTailnet: this node has neither a user nor tags, so the default policy would allow no one; set Policy")
		}
	}
	logger.Info("mesh: tailnet transport ready", "node", t.self.Node, "addr", t.addr,
		"login", t.self.Login, "tags", t.self.Tags, "policy", t.policy.String(), "took", time.Since(start).Round(time.Millisecond))
	return t, nil
}

// waitHomeDERP polls until the node has picked a home DERP region and
// received a frame from it, or timeout passes. tsnet offers no event for it.
func waitHomeDERP(ctx context.Context, srv *tsnet.Server, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	health := srv.Sys().HealthTracker.Get()
	ms := srv.Sys().MagicSock.Get()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if r := ms.GetLastNetcheckReport(ctx); r != nil && r.PreferredDERP != 0 &&
			!health.GetDERPRegionReceivedTime(r.PreferredDERP).IsZero() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for home DERP: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// peerOf converts a WhoIs answer. Tagged nodes have no user login, as in
// Tailscale's model (control reports them as owned by "tagged-devices").
func (t *Tailnet) peerOf(w *apitype.WhoIsResponse) Peer {
	var p Peer
	if n := w.Node; n != nil {
		p.Node = n.ComputedName
		if p.Node == "" {
			p.Node, _, _ = strings.Cut(n.Name, ".")
		}
		p.StableID = string(n.StableID)
		p.Tags = append([]string(nil), n.Tags...)
		for _, pfx := range n.Addresses {
			if a := pfx.Addr(); a.Is4() || p.Addr == "" {
				p.Addr = net.JoinHostPort(a.String(), strconv.Itoa(int(t.port)))
			}
		}
	}
	if w.UserProfile != nil && len(p.Tags) == 0 {
		p.Login = w.UserProfile.LoginName
	}
	return p
}

// Listen listens on the mesh port of this node's tailnet addresses. It may
// be called once.
func (t *Tailnet) Listen() (net.Listener, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return nil, fmt.Errorf("mesh: listen: %w", net.ErrClosed)
	case t.listening != nil:
		return nil, errors.New("mesh: Listen called twice")
	}
	raw, err := t.srv.Listen("tcp", ":"+strconv.Itoa(int(t.port)))
	if err != nil {
		return nil, fmt.Errorf("mesh: listen: %w", err)
	}
	raw = &trackedTailnetListener{Listener: raw, cc: &t.recent}
	t.listening = newAuthListener(raw, t.accept, t.timeout, t.refused, t.logger)
	return t.listening, nil
}

// accept looks up an accepted connection's peer and applies the policy.
func (t *Tailnet) accept(ctx context.Context, c net.Conn) (net.Conn, error) {
	if _, err := t.authorise(ctx, c.RemoteAddr().String()); err != nil {
		return nil, err
	}
	return c, nil
}

func (t *Tailnet) authorise(ctx context.Context, remote string) (Peer, error) {
	p, err := t.WhoIs(ctx, remote)
	if err != nil {
		return Peer{}, err
	}
	return p, t.policy.check(p)
}

// Dial connects through the tailnet and refuses a peer the policy does not
// allow (before sending it a byte).
func (t *Tailnet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, net.ErrClosed)
	}
	c, err := t.srv.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	tc := &trackedTailnetConn{Conn: c, cc: &t.recent}
	if _, err := t.authorise(ctx, c.RemoteAddr().String()); err != nil {
		tc.Close()
		return nil, fmt.Errorf("mesh: dial %s: %w", addr, err)
	}
	return tc, nil
}

// WhoIs asks the tailnet who holds remoteAddr (an IP or IP:port).
func (t *Tailnet) WhoIs(ctx context.Context, remoteAddr string) (Peer, error) {
	w, err := t.lc.WhoIs(ctx, remoteAddr)
	if errors.Is(err, local.ErrPeerNotFound) {
		return Peer{}, fmt.Errorf("%w (%s)", ErrUnknownPeer, remoteAddr)
	}
	if err != nil {
		return Peer{}, fmt.Errorf("mesh: whois %s: %w", remoteAddr, err)
	}
	return t.peerOf(w), nil
}

// Addr is this node's tailnet IP (IPv4 when it has one) and mesh port.
func (t *Tailnet) Addr() string { return t.addr }

// Self is this node's own identity on the tailnet, as of start.
func (t *Tailnet) Self() Peer { return t.self }

// Server is the underlying tsnet server, for the node API's HTTP client and
// for tests. Do not close it; close the Tailnet.
func (t *Tailnet) Server() *tsnet.Server { return t.srv }

// Close stops the listener, then the tsnet node. It is safe to call more
// than once.
func (t *Tailnet) Close() error {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		ln := t.listening
		t.mu.Unlock()
		// The listener first, so its goroutines stop asking the node about
		// peers while it shuts down.
		var errs []error
		if ln != nil {
			errs = append(errs, ln.Close())
		}
		// Let connections leave TIME_WAIT first if too many could be in it;
		// see netstack.go.
		if d := t.recent.safeAfter(time.Now()); d > 0 {
			t.logger.Info("mesh: waiting for closed connections to leave TIME_WAIT before stopping tsnet", "wait", d.Round(time.Millisecond))
			timer := time.NewTimer(d)
			<-timer.C
		}
		errs = append(errs, closeServer(t.srv))
		if err := errors.Join(errs...); err != nil {
			t.closeErr = fmt.Errorf("mesh: close: %w", err)
		}
	})
	return t.closeErr
}

// redactor keeps auth keys out of logs, whatever tsnet prints.
type redactor struct{ key string }

var authKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`tskey-[A-Za-z0-9_-]+`) })

func newRedactor(key string) redactor { return redactor{key: key} }

func (r redactor) redact(s string) string {
	if r.key != "" {
		s = strings.ReplaceAll(s, r.key, "[auth key]")
	}
	return authKeyRE().ReplaceAllString(s, "tskey-[redacted]")
}

// logf adapts logger to tsnet's printf-style logger at level.
func (r redactor) logf(logger *slog.Logger, level slog.Level, component string) func(string, ...any) {
	return func(format string, args ...any) {
		if !logger.Enabled(context.Background(), level) {
			return
		}
		msg := r.redact(strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
		logger.Log(context.Background(), level, msg, "component", component)
	}
}
