package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"tailscale.com/ipn"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/mesh"
)

// MeshConfig chooses and configures the transport of a node: a tailnet
// (Tailnet set) or plain TCP with the cluster key.
type MeshConfig struct {
	// Tailnet is this node's host name on a tailnet; set, the node joins
	// the tailnet through tsnet (TS_AUTHKEY registers it the first time).
	Tailnet    string
	ControlURL string         // a self-hosted control server (headscale); "" is Tailscale's
	StateDir   string         // tsnet's state; "" means DATA/tsnet
	Store      ipn.StateStore // for tests; nil keeps state in StateDir
	Ephemeral  bool
	// Listen and Advertise are the plain-TCP addresses (Advertise: what
	// peers dial; "" means Listen, which must then name one interface).
	Listen, Advertise string
	// Key is the cluster key's text (aiex cluster init writes it), required
	// on plain TCP.
	Key string
	// Node is this node's name on plain TCP; "" means the host name.
	Node string
	// Who may join and call the API (on a tailnet: users and tags; on
	// plain TCP: tags, users being refused). Empty means this node's own
	// user or tags, or on plain TCP any holder of the key.
	AllowUsers, AllowTags []string
	Tags                  []string
	Logger                *slog.Logger
	OnRefused             func(remoteAddr string, reason error)
}

// NewTransport builds the transport cfg describes; dataDir holds tsnet's
// state.
func NewTransport(ctx context.Context, dataDir string, cfg MeshConfig) (mesh.Transport, error) {
	policy := mesh.Policy{AllowUsers: cfg.AllowUsers, AllowTags: cfg.AllowTags}
	if cfg.Tailnet != "" {
		dir := cfg.StateDir
		if dir == "" {
			dir = filepath.Join(dataDir, "tsnet")
		}
		return mesh.NewTailnet(ctx, mesh.TailnetConfig{Hostname: cfg.Tailnet, Dir: dir, Store: cfg.Store, ControlURL: cfg.ControlURL,
			Ephemeral: cfg.Ephemeral, Tags: cfg.Tags, Policy: policy, OnRefused: cfg.OnRefused, Logger: cfg.Logger})
	}
	if len(cfg.AllowUsers) > 0 {
		// The mesh refuses them too, in its own terms.
		return nil, usererr.Usage("allowed users apply to tailnet nodes only: plain-TCP peers have no user login; admit them by the tags they declare, or use a tailnet")
	}
	if cfg.Key == "" {
		return nil, usererr.Usage("plain TCP needs the cluster key: --cluster-key FILE or AIEX_CLUSTER_KEY (aiex cluster init --out FILE makes one), or use --tsnet NAME")
	}
	key, err := mesh.ParseKey(cfg.Key)
	if err != nil {
		return nil, usererr.Usage("cluster key: %v", err)
	}
	name := cfg.Node
	if name == "" {
		name, _ = os.Hostname()
		name = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '-'
		}, name)
	}
	tr, err := mesh.NewTCP(mesh.TCPConfig{ListenAddr: cfg.Listen, AdvertiseAddr: cfg.Advertise, Node: name, Key: key,
		Tags: cfg.Tags, Policy: policy, OnRefused: cfg.OnRefused, Logger: cfg.Logger})
	if err != nil {
		return nil, usererr.Wrap(err, "cannot listen for the cluster on %s: %s", cfg.Listen, listenFailure(err))
	}
	return tr, nil
}

// listenFailure says in plain words why the mesh could not listen.
func listenFailure(err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "the address is in use (another node, or another program, listens there): choose another --listen"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "that IP is not one of this machine's: choose one of its addresses for --listen"
	case errors.Is(err, syscall.EACCES):
		return "permission denied (ports below 1024 need privileges): choose a higher port"
	}
	msg := err.Error()
	return strings.TrimPrefix(msg, "mesh.NewTCP: ")
}

// ReadKey reads a cluster key file and returns its text.
func ReadKey(path string) (string, error) {
	k, err := mesh.ReadKeyFile(path)
	if err != nil {
		return "", usererr.Usage("%v", err)
	}
	return k.Text(), nil
}

// InitKey writes a new cluster key to path (mode 0600; never over an
// existing file) and returns its fingerprint, safe to show.
func InitKey(path string) (string, error) {
	k, err := mesh.GenerateKey()
	if err != nil {
		return "", fmt.Errorf("cluster key: %w", err)
	}
	if err := mesh.WriteKeyFile(path, k); err != nil {
		return "", usererr.Wrap(err, "%v", err)
	}
	return k.Fingerprint(), nil
}
