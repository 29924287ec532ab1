package mesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"
)

// Transport is how a node reaches its peers. [TCP] and [Tailnet] implement
// it; the rqlite adapters ([Mux], [Dialer]) and the node API take any.
type Transport interface {
	// Listen returns the node's one mesh listener. Its Accept returns only
	// connections from peers that authenticated and that the policy allows.
	// It may be called once; closing the listener or the transport stops it.
	Listen() (net.Listener, error)
	// Dial connects to a peer at addr, an address as another node's Addr
	// reported it, and fails if that peer is not authenticated or allowed.
	Dial(ctx context.Context, addr string) (net.Conn, error)
	// WhoIs returns the identity of the peer at remoteAddr, the RemoteAddr
	// of a live connection from Accept or Dial (or, on a tailnet, any
	// tailnet address).
	WhoIs(ctx context.Context, remoteAddr string) (Peer, error)
	// Addr is the address other nodes dial to reach this one, HOST:PORT.
	// rqlite records it as the Raft address and resolves it with the system
	// resolver, so it must be an IP or a name that resolver knows: a tailnet
	// gives its IP (MagicDNS names live inside tsnet only).
	Addr() string
	// Close stops the listener and the transport. It is safe to call twice.
	Close() error
}

// Peer is the verified identity of a node at the other end of a connection.
type Peer struct {
	// Node is the peer's node name: its host name on the tailnet, or the
	// name in its certificate on plain TCP.
	Node string
	// StableID identifies the node across restarts: the tailnet's stable
	// node ID, or the node name on plain TCP (certificates are fresh at every
	// start, so there is nothing more stable to offer).
	StableID string
	// Login is the login name of the user owning the node on a tailnet;
	// empty for tagged nodes and on plain TCP.
	Login string
	// Tags are the node's tags ("tag:name"). On a tailnet control grants
	// them; on plain TCP each node declares its own (see [TCPConfig.Tags]).
	Tags []string
	// Addr is the address the peer's own mesh listener advertises: from its
	// certificate on plain TCP, its tailnet IP and the mesh port on a
	// tailnet.
	Addr string
}

// Policy says which authenticated peers a listener accepts and a dialer
// talks to. A peer is allowed if it matches any entry. Following Tailscale's
// model, a tagged node is identified by its tags, not by the user who
// created it: tagged peers match AllowTags only, untagged peers AllowUsers
// only.
//
// The zero Policy means "my own kind": on a tailnet, nodes of the same user
// as this node (or, if this node is tagged, nodes sharing one of its tags);
// on plain TCP, every holder of the cluster key.
type Policy struct {
	// AllowUsers are login names (e.g. "alice@example.com"), compared
	// without regard to case.
	AllowUsers []string
	// AllowTags are tags, e.g. "tag:aiex".
	AllowTags []string
}

// IsZero reports whether p allows nothing explicitly, i.e. means the default.
func (p Policy) IsZero() bool { return len(p.AllowUsers) == 0 && len(p.AllowTags) == 0 }

// String describes p for logs.
func (p Policy) String() string {
	var parts []string
	if len(p.AllowUsers) > 0 {
		parts = append(parts, "users="+strings.Join(p.AllowUsers, ","))
	}
	if len(p.AllowTags) > 0 {
		parts = append(parts, "tags="+strings.Join(p.AllowTags, ","))
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, " ")
}

// ErrNotAllowed is wrapped by the errors of peers that authenticated but
// that the policy does not allow.
var ErrNotAllowed = errors.New("not allowed by policy")

// ErrUnknownPeer is returned by WhoIs for an address with no known peer.
var ErrUnknownPeer = errors.New("mesh: no known peer at that address")

// check returns nil if p allows peer, else an error wrapping ErrNotAllowed
// that names what was refused. p must not be zero: transports resolve the
// default first.
func (p Policy) check(peer Peer) error {
	if len(peer.Tags) > 0 {
		for _, tag := range peer.Tags {
			if slices.Contains(p.AllowTags, tag) {
				return nil
			}
		}
		if len(p.AllowTags) == 0 {
			return fmt.Errorf("%w: node %q is tagged %v and only users %v are allowed", ErrNotAllowed, peer.Node, peer.Tags, p.AllowUsers)
		}
		return fmt.Errorf("%w: node %q has tags %v, none in the allowed tags %v", ErrNotAllowed, peer.Node, peer.Tags, p.AllowTags)
	}
	for _, u := range p.AllowUsers {
		if peer.Login != "" && strings.EqualFold(u, peer.Login) {
			return nil
		}
	}
	switch {
	case peer.Login == "":
		return fmt.Errorf("%w: node %q has neither a user login nor tags", ErrNotAllowed, peer.Node)
	case len(p.AllowUsers) == 0:
		return fmt.Errorf("%w: node %q belongs to user %q and only tags %v are allowed", ErrNotAllowed, peer.Node, peer.Login, p.AllowTags)
	}
	return fmt.Errorf("%w: node %q belongs to user %q, not in the allowed users %v", ErrNotAllowed, peer.Node, peer.Login, p.AllowUsers)
}

// validateTags checks that every tag looks like "tag:name".
func validateTags(tags []string) error {
	for _, t := range tags {
		name, ok := strings.CutPrefix(t, "tag:")
		if !ok || !ValidName(name) {
			return fmt.Errorf("bad tag %q: want tag:NAME (letters, digits, '-', '_', '.')", t)
		}
	}
	return nil
}

// ValidName reports whether s is a usable node or tag name: 1–63 letters,
// digits, '-', '_' or '.'. Exported so that the rule can be checked where
// a name is typed, before a transport refuses it.
func ValidName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// Defaults shared by both transports.
const (
	// DefaultPort is the mesh port: the tailnet port of a [Tailnet], and
	// the port of [TCPConfig.ListenAddr] when that is empty.
	DefaultPort = 7420
	// DefaultHandshakeTimeout bounds how long an accepted connection may
	// take to authenticate before it is dropped.
	DefaultHandshakeTimeout = 10 * time.Second
	// maxPending bounds connections authenticating or waiting for Accept at
	// once; more are refused at once.
	maxPending = 256
	// maxPendingPerHost bounds those of one remote host: a member opens a
	// handful at a time (Raft, the cluster service, the node API).
	maxPendingPerHost = 32
)

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
