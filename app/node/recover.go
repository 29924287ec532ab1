package node

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/rqlite/rqlite/v8/cluster"
)

// RecoverConfig configures Recover (db.RecoverConfig).
type RecoverConfig = db.RecoverConfig

// Recovery is what Recover found and did (db.Recovery).
type Recovery = db.Recovery

// Peer is a server of a Raft configuration (db.Peer).
type Peer = db.Peer

// JoinError is the error of a start that no peer admitted (db.JoinError).
type JoinError = db.JoinError

// Recover makes the stopped node of a data dir the only voter of its
// cluster, keeping its data (see db.Recover): the way back for a cluster
// that lost its quorum for good.
func Recover(ctx context.Context, cfg RecoverConfig) (*Recovery, error) { return db.Recover(ctx, cfg) }

// CheckJoin says whether the stopped node of a data dir could join a
// cluster (see db.CheckJoin).
func CheckJoin(ctx context.Context, dataDir string) error { return db.CheckJoin(ctx, dataDir) }

// RecoverDialer returns the dialer Recover asks the peers it would drop
// with (RecoverConfig.Dial), and a func that releases it. With the cluster
// key's text it speaks to them as a node does (plain TCP with mutual TLS)
// and learns how far each is; without it, it learns only whether something
// listens at each address.
func RecoverDialer(key string) (db.Dialer, func(), error) {
	if key == "" {
		return listenDialer{}, func() {}, nil
	}
	k, err := mesh.ParseKey(key)
	if err != nil {
		return nil, nil, usererr.Usage("cluster key: %v", err)
	}
	tr, err := mesh.NewTCP(mesh.TCPConfig{ListenAddr: "127.0.0.1:0", Node: "aiex-recover", Key: k})
	if err != nil {
		return nil, nil, fmt.Errorf("cluster key: %w", err)
	}
	return mesh.NewDialer(tr, cluster.MuxClusterHeader), func() { tr.Close() }, nil
}

// listenDialer connects over TCP and closes at once: without the cluster
// key it cannot speak to a peer, only find that one listens
// (db.ErrListening).
type listenDialer struct{}

func (listenDialer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c.Close()
	return nil, fmt.Errorf("dial %s: %w", addr, db.ErrListening)
}
