package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/store"
)

// RecoverConfig configures Recover. It works at its zero value except for
// Dir.
type RecoverConfig struct {
	// Dir is the data dir of a stopped cluster node.
	Dir string
	// DryRun finds out what Recover would do and changes nothing.
	DryRun bool
	// Logger receives the store's own logs; nil discards them.
	Logger *slog.Logger
	// Dial, if set, reaches the peers' cluster services (with the
	// cluster's credentials): Recover first asks each peer it would drop
	// whether it runs, and refuses to drop a live quorum (ErrHasQuorum)
	// or a peer with newer data (ErrNewerPeer). Nil skips that check.
	Dial Dialer
	// Force recovers even though peers that answer would refuse it.
	Force bool
}

// Recovery is what Recover found and, unless it was a dry run, did.
type Recovery struct {
	DataDir string `json:"data_dir"`
	// Node is this node's ID, and Addr its address in the cluster, which
	// it keeps: its node must start at that address again.
	Node string `json:"node"`
	Addr string `json:"addr"`
	// Dropped are the other members of the configuration, which the node
	// no longer counts on (and no longer knows).
	Dropped []Peer `json:"dropped"`
	// LastIndex is the index of the last entry of this node's Raft log.
	LastIndex uint64 `json:"last_index"`
	DryRun    bool   `json:"dry_run,omitempty"`
}

// Peer is one server of a Raft configuration.
type Peer struct {
	ID    string `json:"id"`
	Addr  string `json:"addr"`
	Voter bool   `json:"voter"`
	// Answered says whether the peer answered Recover's probe (with its
	// commit index): it runs, and a recovery drops a live node.
	Answered    bool   `json:"answered,omitempty"`
	CommitIndex uint64 `json:"commit_index,omitempty"`
}

// idleTimeout is Raft's heartbeat, election and lease timeout while Recover
// has the store open: too long to fire, so that the node neither campaigns
// nor leads, and nothing is added to its log.
const idleTimeout = time.Hour

// Recover makes the node whose data dir is cfg.Dir the only voter of its
// cluster, keeping all its data. It is for a cluster that lost its quorum
// for good (one node of two, two of three): its survivors can neither elect
// a leader nor commit the removal of the lost nodes, and a member's dir
// does not open alone. The node must be stopped: Recover locks the dir.
//
// It uses Raft's manual recovery as rqlite implements it: a peers.json in
// the Raft dir, which the next open of the store reads. Recover opens the
// store itself, with no network, so that the new configuration is in place
// when it returns: rqlite replays the latest snapshot and every entry of
// this node's log into a new snapshot that carries the new configuration.
// Writes the cluster committed that never reached this node are not there.
//
// Recover one survivor only, the one that has the most: two recovered
// survivors make two clusters. The dropped nodes must not start again with
// their data dirs; they rejoin with new ones (and Join).
func Recover(ctx context.Context, cfg RecoverConfig) (*Recovery, error) {
	if cfg.Dir == "" {
		return nil, errors.New("db.Recover: no data dir")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("db.Recover: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	raftDir := filepath.Join(dir, storeDirName)

	// A dir that never ran as a cluster node has nothing to recover; look
	// before locking, which would create the dir.
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usererr.New("data dir %s does not exist; pass the data dir of the node to recover (--data-dir)", dir)
	case err == nil && !fi.IsDir():
		return nil, usererr.New("data dir %s is not a directory; pass the data dir of the node to recover (--data-dir)", dir)
	}
	_, markerErr := os.Stat(filepath.Join(dir, clusterMarkerFile))
	if store.IsNewNode(raftDir) || markerErr != nil {
		return nil, usererr.New("data dir %s is not a member of a cluster (no node ran on it with aiex node run): there is nothing to recover", dir)
	}
	lock, err := lockDir(dir)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		// lockDir's message tells a command to wait for the holder to
		// finish; a node waiting for a quorum that is gone never does.
		who := "another aiex process"
		if f, ferr := os.Open(filepath.Join(dir, lockFile)); ferr == nil {
			who = holder(f)
			f.Close()
		}
		return nil, &usererr.Error{Msg: fmt.Sprintf("data dir %s is in use by %s (its node, or another aiex command): stop it, then run aiex cluster recover again", dir, who), Err: err}
	}
	if err != nil {
		return nil, err
	}
	defer lock.unlock()
	b, err := os.ReadFile(filepath.Join(dir, nodeIDFile))
	id := strings.TrimSpace(string(b))
	if err != nil || id == "" {
		return nil, fmt.Errorf("db.Recover: data dir %s has no node ID: %w", dir, cmp.Or(err, os.ErrNotExist))
	}
	peers := filepath.Join(raftDir, peersFile)
	if _, err := os.Stat(peers); err == nil {
		return nil, usererr.New("data dir %s already holds a new configuration (%s) that its node reads when it starts: start it with aiex node run", dir, peers)
	}

	servers, last, err := raftState(ctx, raftDir, id, logger)
	if err != nil {
		return nil, fmt.Errorf("db.Recover: read the cluster configuration in %s: %w", raftDir, err)
	}
	rec := &Recovery{DataDir: dir, Node: id, Dropped: []Peer{}, LastIndex: last, DryRun: cfg.DryRun}
	self, selfVoter, otherVoters := false, false, 0
	for _, n := range servers {
		voter := n.Suffrage == "Voter"
		switch {
		case n.ID == id:
			self, selfVoter, rec.Addr = true, voter, n.Addr
		case voter:
			otherVoters++
			fallthrough
		default:
			rec.Dropped = append(rec.Dropped, Peer{ID: n.ID, Addr: n.Addr, Voter: voter})
		}
	}
	switch {
	case !self:
		return nil, usererr.New("node %s is not in its own copy of its cluster's configuration (it was removed): its data cannot lead the cluster; start it on a new data dir with aiex node run --join PEER", id)
	case selfVoter && otherVoters == 0:
		return nil, usererr.New("node %s is the only voter of its cluster already, so it has its quorum: nothing to recover; start it with aiex node run", id)
	}
	if cfg.Dial != nil {
		// Never drop a live quorum, or data this node lacks, unasked.
		if err := checkAlive(ctx, cfg.Dial, rec, selfVoter); err != nil && (!cfg.Force || ctx.Err() != nil) {
			return nil, err
		}
	}
	if cfg.DryRun {
		return rec, nil
	}

	// Write the new configuration, then open the store so that rqlite
	// applies it now, under this lock, and check the result.
	if err := writePeers(dir, raftDir, id, rec.Addr); err != nil {
		return nil, err
	}
	servers, err = raftServers(ctx, raftDir, id, logger)
	if err != nil {
		// rqlite renames the file once it has applied it: one still there
		// was not applied, and the dir is as it was.
		os.Remove(peers)
		return nil, fmt.Errorf("db.Recover: apply the new configuration in %s: %w", raftDir, err)
	}
	// rqlite replays the log into a scratch recovery.db and removes it, but
	// not the WAL files SQLite left beside it.
	for _, ext := range []string{"-wal", "-shm"} {
		os.Remove(filepath.Join(raftDir, "recovery.db"+ext))
	}
	if len(servers) != 1 || servers[0].ID != id || servers[0].Suffrage != "Voter" {
		return nil, fmt.Errorf("db.Recover: the configuration after recovery is %s, not node %s alone", describeServers(servers), id)
	}
	// Remember the dropped nodes: should one come back on its old data
	// dir, this node refuses it (cluster_dropped.go).
	if err := saveDropped(dir, rec.Dropped); err != nil {
		return nil, fmt.Errorf("db.Recover: node %s is now the only voter of its cluster, but the nodes it dropped could not be recorded, so it would not refuse them should they come back: %w", id, err)
	}
	logger.Info("recovered cluster node as its only voter", "node", id, "addr", rec.Addr, "dropped", len(rec.Dropped))
	return rec, nil
}

// raftServers opens rqlite's store in raftDir with no network and Raft
// timeouts too long to fire, reads its Raft configuration and closes it.
// The open does what every open does (it rebuilds the SQLite file from the
// latest snapshot) and applies a peers.json if there is one; the node
// neither campaigns nor leads.
func raftServers(ctx context.Context, raftDir, id string, logger *slog.Logger) ([]*store.Server, error) {
	servers, _, err := raftState(ctx, raftDir, id, logger)
	return servers, err
}

// raftState is raftServers, and also returns the index of the last entry
// of the node's Raft log (0 if unknown).
func raftState(ctx context.Context, raftDir, id string, logger *slog.Logger) ([]*store.Server, uint64, error) {
	layer := newSoloLayer(id)
	defer layer.Close()
	str := store.New(layer, &store.Config{
		DBConf: store.NewDBConfig(),
		Dir:    raftDir,
		ID:     id,
		Logger: stdLogger(ctx, logger, "store"),
	})
	str.RaftLogLevel = "OFF"
	str.HeartbeatTimeout, str.ElectionTimeout, str.LeaderLeaseTimeout = idleTimeout, idleTimeout, idleTimeout
	devNull, err := quietStderr(logger.Enabled(ctx, slog.LevelDebug), str.Open)
	defer closeQuiet(devNull) // after the store's Close: its loggers write there
	if err != nil {
		return nil, 0, err
	}
	servers, err := str.Nodes()
	var last uint64
	if st, serr := str.Stats(); serr == nil {
		if r, ok := st["raft"].(map[string]any); ok {
			if n, ok := r["last_log_index"].(int64); ok && n > 0 {
				last = uint64(n)
			}
		}
	}
	if cerr := str.Close(true); err == nil {
		err = cerr
	}
	return servers, last, err
}

// describeServers lists a configuration's servers for an error message.
func describeServers(servers []*store.Server) string {
	parts := make([]string, len(servers))
	for i, n := range servers {
		parts[i] = n.ID + " at " + n.Addr + " (" + strings.ToLower(n.Suffrage) + ")"
	}
	if len(parts) == 0 {
		return "empty"
	}
	return strings.Join(parts, ", ")
}
