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

// JoinError is the error of a start that no peer admitted (db.JoinError).
type JoinError = db.JoinError

// Recover makes the stopped node of a data dir the only voter of its
// cluster, keeping its data (see db.Recover): the way back for a cluster
// that lost its quorum for good.
func Recover(ctx context.Context, cfg RecoverConfig) (*Recovery, error) { return db.Recover(ctx, cfg) }

// CheckJoin says whether the stopped node of a data dir could join a
// cluster (see db.CheckJoin).
func CheckJoin(ctx context.Context, dataDir string) error { return db.CheckJoin(ctx, dataDir) }
