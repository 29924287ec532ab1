package node

import (
	"context"

	"github.com/aiex-dev/aiex/db"
)

// RecoverConfig configures Recover (db.RecoverConfig).
type RecoverConfig = db.RecoverConfig

// Recovery is what Recover found and did (db.Recovery).
type Recovery = db.Recovery

// Peer is a server of a Raft configuration (db.Peer).
type Peer = db.Peer

// Recover makes the stopped node of a data dir the only voter of its
// cluster, keeping its data (see db.Recover): the way back for a cluster
// that lost its quorum for good.
func Recover(ctx context.Context, cfg RecoverConfig) (*Recovery, error) { return db.Recover(ctx, cfg) }
