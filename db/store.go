package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/snapshot"
	"github.com/rqlite/rqlite/v8/store"
)

// Config configures Open. It works at its zero value except for Dir.
type Config struct {
	// Dir is the data dir. It is created if missing (mode 0700).
	Dir string
	// NodeID is this node's Raft ID. Empty means the ID recorded in the data
	// dir, or a new one derived from the host name on first use.
	NodeID string
	// Logger receives the store's own logs; nil discards them.
	Logger *slog.Logger
	// RaftLogLevel is the level of the Raft library's logs, which go to
	// stderr ("OFF", "ERROR", "WARN", "INFO", "DEBUG"); empty means "OFF".
	RaftLogLevel string
	// OpenTimeout bounds the wait for leadership and log replay (and, in
	// cluster mode, for joining); 0 means 10 s.
	OpenTimeout time.Duration
	// SnapshotEvery is how many applied log entries may pile up before Close
	// takes a snapshot, so that the next Open replays at most that many;
	// 0 means 64, negative disables snapshots on close.
	SnapshotEvery int
	// SnapshotBytes is how many bytes of writes (SQL and arguments) this
	// process may add to the log before Close takes a snapshot: a few huge
	// entries (an index run) cost the next Open as much as many small ones.
	// 0 means 8 MiB.
	SnapshotBytes int64
	// Cluster, if set, makes this store one node of a replicated cluster
	// over the caller's network layers; nil is a single node with no
	// network (see DESIGN.md).
	Cluster *ClusterConfig
	// Warn receives what the user should know about the data dir and
	// act on, as one sentence: Open calls it once if other users can
	// reach into the dir (its mode is left as the user set it). Nil logs
	// it at level Warn.
	Warn func(msg string)
}

// Layout of the data dir.
const (
	storeDirName = "store"   // rqlite's Raft log, snapshots and SQLite file
	nodeIDFile   = "node-id" // this node's Raft ID, fixed at first use
)

// Single-voter Raft timings. A lone voter wins its election as soon as its
// heartbeat timeout fires, so these bound how long Open waits for the store
// to be writable. A cluster uses the LAN timings in cluster.go instead.
const (
	soloHeartbeat   = 5 * time.Millisecond
	soloElection    = 5 * time.Millisecond
	soloLeaderLease = 5 * time.Millisecond
)

// Store is an open embedded rqlite node with the aiex schema.
type Store struct {
	dir    string
	id     string
	str    *store.Store
	layer  *soloLayer    // single-node mode
	c      *clusterState // cluster mode
	lock   *dirLock
	logger *slog.Logger

	snapshotEvery int
	snapshotBytes int64
	written       atomic.Int64 // bytes of writes sent through Execute since Open
	// replayed is the size of the log entries after the latest snapshot
	// at Open, which the open replayed: a process that wrote much and
	// died before its snapshot (kill -9) leaves them to every later open
	// until one snapshots.
	replayed int64
	// migrated is set when this open applied migrations: they are
	// snapshotted away on close (afterMigration).
	migrated bool
	// lastWrite is the Raft index of this process's latest write, readTo
	// one this node is known to have applied (see caughtUp).
	lastWrite, readTo atomic.Uint64
	devNull           *os.File // where rqlite's stderr loggers write; nil if verbose
	tail              tailer   // CDC wake-ups for TailEvents, started on first use
	dirWatch          lostWatch
	schema            schemaGuard // Execute's check of the schema's version (schema_guard.go)

	closed    chan struct{} // closed when Close begins
	closeOnce sync.Once
	closeErr  error
}

// lockWait is how long a node waits for a command that holds its data dir
// (and does not serve it) to finish.
const lockWait = 10 * time.Second

// Open opens the store in cfg.Dir, bootstrapping it on first use, and applies
// pending migrations. It fails at once if another process has the dir open.
// In cluster mode it also joins the cluster if this node is not a member
// yet, and returns once it has caught up with the leader.
func Open(ctx context.Context, cfg Config) (_ *Store, retErr error) {
	if cfg.Dir == "" {
		return nil, errors.New("db.Open: no data dir")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("db.Open: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	verbose := logger.Enabled(ctx, slog.LevelDebug)
	timeout := cfg.OpenTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	var c *clusterState
	if cfg.Cluster != nil {
		// The layers outlive Open's ctx: their dials end when the store closes.
		if c, err = newClusterState(context.WithoutCancel(ctx), cfg.Cluster); err != nil {
			return nil, fmt.Errorf("db.Open: %w", err)
		}
	}

	// Lock the data dir first: nothing below may touch it unlocked. A
	// node waits a moment for a one-shot command holding it to finish.
	lockDirFor := lockDir
	if cfg.Cluster != nil {
		lockDirFor = func(dir string) (*dirLock, error) { return lockDirWaiting(ctx, dir, lockWait) }
	}
	lock, err := lockDirFor(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			lock.unlock()
			// Many of Open's writes fail without saying that the disk is
			// full; say it (open_diskfull.go).
			retErr = openDiskFull(dir, retErr)
		}
	}()

	// The store stays private to the data dir's owner whatever the dir's
	// mode (private.go); a dir open to others is theirs to close.
	if msg := openDirWarning(dir); msg != "" {
		if cfg.Warn != nil {
			cfg.Warn(msg)
		} else {
			logger.Warn(msg)
		}
	}
	raftDir := filepath.Join(dir, storeDirName)
	if c == nil {
		// Before anything is made: see waitingToJoin.
		if err := waitingToJoin(dir, raftDir); err != nil {
			return nil, err
		}
	}
	if err := makeStoreDir(dir, raftDir); err != nil {
		return nil, err
	}
	keepPrivate(raftDir, logger)
	// Refuse a lost or damaged Raft log before rqlite takes the store for
	// a new one or panics on it (open_log.go).
	replayed, err := checkLog(raftDir)
	if err != nil {
		return nil, err
	}

	_, idErr := os.Stat(filepath.Join(dir, nodeIDFile))
	id := cfg.NodeID
	if id == "" {
		// An ID lost from an existing store cannot be made anew: the
		// store's configuration names the old one (open_nodeid.go).
		if err := checkNodeIDFile(dir, raftDir); err != nil {
			return nil, err
		}
		if id, err = loadNodeID(dir); err != nil {
			return nil, err
		}
	}

	// Create the store: on a layer with no network, where this node votes
	// alone, or on the caller's layers in cluster mode.
	isNew := store.IsNewNode(raftDir)
	var layer *soloLayer
	var ly store.Layer
	if c == nil {
		layer = newSoloLayer(id)
		ly = layer
	} else {
		if err := prepareCluster(dir, raftDir, id, c, isNew, logger); err != nil {
			return nil, fmt.Errorf("db.Open: %w", err)
		}
		ly = c.raft
	}
	str := store.New(ly, &store.Config{
		DBConf: store.NewDBConfig(),
		Dir:    raftDir,
		ID:     id,
		Logger: stdLogger(ctx, logger, "store"),
	})
	// Never gzip requests: rqlite compresses any request of 50 statements
	// or with 1 KiB of SQL, costing ~0.3 s of CPU per 30 MB (a replay of
	// 100,000 events) to save bytes on a LAN or a tailnet that carries them
	// in less. Compressed entries in an existing log still read.
	str.SetRequestCompression(math.MaxInt, math.MaxInt)
	str.RaftLogLevel = cfg.RaftLogLevel
	if str.RaftLogLevel == "" {
		str.RaftLogLevel = "OFF"
	}
	if c == nil {
		str.HeartbeatTimeout = soloHeartbeat
		str.ElectionTimeout = soloElection
		str.LeaderLeaseTimeout = soloLeaderLease
	} else {
		str.HeartbeatTimeout = c.cfg.HeartbeatTimeout
		str.ElectionTimeout = c.cfg.ElectionTimeout
		str.LeaderLeaseTimeout = c.cfg.LeaderLeaseTimeout
	}

	// Watch for leadership before opening, so the change cannot be missed.
	leaderCh := make(chan bool, 16)
	str.RegisterLeaderChange(leaderCh)

	// Open the store (in cluster mode, first create the cluster service, as
	// peers may call as soon as Raft runs); bootstrap only a brand-new solo
	// node, never a restarted one.
	devNull, err := quietStderr(verbose, func() error {
		if c != nil {
			c.newService(str, id)
		}
		return str.Open()
	})
	s := &Store{dir: dir, id: id, str: str, layer: layer, c: c, lock: lock, logger: logger,
		snapshotEvery: cfg.SnapshotEvery, replayed: replayed, devNull: devNull, closed: make(chan struct{})}
	if err != nil {
		s.release(false)
		if msg, ok := damagedSnapshot(raftDir, err); ok {
			return nil, &usererr.Error{Msg: msg, Err: err}
		}
		return nil, fmt.Errorf("db.Open: open store in %s: %w", raftDir, err)
	}
	keepPrivate(raftDir, logger) // SQLite's files, made under the umask
	if c != nil {
		go s.watch(leaderCh) // stopped by release
	}
	if s.snapshotEvery == 0 {
		s.snapshotEvery = 64
	}
	s.snapshotBytes = cfg.SnapshotBytes
	if s.snapshotBytes == 0 {
		s.snapshotBytes = 8 << 20
	}
	failedJoin := false // a new dir that no cluster admitted
	defer func() {
		if retErr != nil {
			s.release(true)
			if failedJoin && s.lock.f == nil { // Raft stopped: its files are free
				removeFailedJoin(dir, raftDir, idErr != nil)
			}
		}
	}()

	if c != nil {
		if err := s.startCluster(ctx, timeout, verbose); err != nil {
			var je *JoinError
			failedJoin = isNew && errors.As(err, &je)
			return nil, fmt.Errorf("db.Open: %w", err)
		}
	} else {
		// Bootstrap a store whose Raft state holds no configuration: a new
		// one, or one whose first process was killed after Raft created
		// its files and before the bootstrap was written (rqlite's
		// IsNewNode, which only looks for the files, would call it an old
		// node, which then waits forever for a leader). Raft refuses to
		// bootstrap over any state it has, so a store that holds data is
		// never bootstrapped again.
		servers, err := str.Nodes()
		if err != nil {
			return nil, fmt.Errorf("db.Open: read the Raft configuration: %w", err)
		}
		switch {
		case len(servers) == 0:
			logger.Info("bootstrapping new store", "dir", raftDir, "node", id)
			if err := str.Bootstrap(store.NewServer(id, layer.Addr().String(), true)); err != nil {
				return nil, fmt.Errorf("db.Open: bootstrap: %w", err)
			}
		case !slices.ContainsFunc(servers, func(n *store.Server) bool { return n.ID == id }):
			// Its node-id file names another node (a dir that never
			// joined a cluster has one member)...
			if msg := wrongNodeID(dir, id, serverIDs(servers)); msg != "" && cfg.NodeID == "" {
				return nil, usererr.New("%s", msg)
			}
			// ...or it left its cluster, or a member removed it: not a
			// member to start, nor a store of its own any more.
			return nil, usererr.New("data dir %s left its cluster (aiex cluster leave, or a member removed it): to rejoin, run aiex node run --join PEER on it; or use a new data dir", dir)
		case len(servers) > 1:
			// A member of a multi-node cluster cannot elect itself alone:
			// say so at once rather than time out.
			cm := &ClusterMemberError{Dir: dir, Nodes: len(servers)}
			return nil, &usererr.Error{Msg: cm.Error() + "; start it there and commands go through it (if its cluster removed it while it was down, add --join PEER; only if its cluster lost its quorum for good: aiex cluster recover, which refuses while the other nodes answer)", Err: cm}
		}
		// Wait until this node leads and has replayed its log into SQLite.
		if err := waitLeader(ctx, leaderCh, timeout, str.IsLeader); err != nil {
			return nil, fmt.Errorf("db.Open: %w", err)
		}
		if err := barrier(str); err != nil {
			return nil, fmt.Errorf("db.Open: replay log: %w", err)
		}
	}

	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	if err := s.publishDropped(ctx); err != nil {
		// This node still refuses them itself; the next open tries again.
		logger.Warn("could not record the nodes dropped by recovery in the cluster", "err", err)
	}
	s.watchDir() // stopped by release (lost_watch.go)
	return s, nil
}

// ClusterMemberError is returned by a solo Open of a data dir that is a
// member of a cluster of several nodes, or waits to join one through the
// peers in Joining (waitingToJoin): only the node daemon, with the mesh,
// can open it.
type ClusterMemberError struct {
	Dir     string
	Nodes   int
	Joining []string
}

func (e *ClusterMemberError) Error() string {
	if len(e.Joining) > 0 {
		return fmt.Sprintf("data dir %s is waiting to join a cluster through %s; it opens only in its node (aiex node run)", e.Dir, strings.Join(e.Joining, ", "))
	}
	return fmt.Sprintf("data dir %s is a member of a cluster of %d nodes; it opens only in its node (aiex node run)", e.Dir, e.Nodes)
}

// waitLeader waits for this node to become leader.
func waitLeader(ctx context.Context, ch <-chan bool, timeout time.Duration, isLeader func() bool) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	// Raft drops an observation its observer is not ready for, and
	// rqlite's leader notices ride on those: on a loaded machine this
	// node can be the leader with no notice ever coming. Look, too.
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case leader := <-ch:
			if leader {
				return nil
			}
		case <-poll.C:
			if isLeader() {
				return nil
			}
		case <-t.C:
			if isLeader() {
				return nil
			}
			return fmt.Errorf("no leader after %s (is this data dir part of a cluster?)", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// barrier returns once every entry in the log has been applied to SQLite.
// A new leader applies its predecessors' entries only after committing an
// entry of its own, so it commits a no-op and waits for that to apply: log
// entries apply in order.
func barrier(str *store.Store) error {
	f, err := str.Noop("open")
	if err != nil {
		return err
	}
	return f.Error()
}

// stderrMu serialises quietStderr: two stores opening at once in one
// process must not restore each other's os.Stderr.
var stderrMu sync.Mutex

// quietStderr runs fn with os.Stderr pointing at /dev/null unless verbose,
// and returns that file (nil if verbose) to be closed with the store.
// Some rqlite components (the snapshot store, the cluster service, the
// joiner) make loggers bound to os.Stderr when they are created, with no
// way to pass one in, and they would print to the user's terminal. Swapping
// the variable while fn builds them binds those loggers to /dev/null for
// their lifetime. It runs during Open only, before any goroutine of ours
// that writes to stderr.
func quietStderr(verbose bool, fn func() error) (*os.File, error) {
	if verbose {
		return nil, fn()
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, fn()
	}
	stderrMu.Lock()
	defer stderrMu.Unlock()
	saved := os.Stderr
	os.Stderr = null
	defer func() { os.Stderr = saved }()
	return null, fn()
}

func closeQuiet(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// Close closes the store and releases the data dir. A cluster leader first
// hands leadership to another voter, so that the cluster writes again within
// a Raft round trip instead of an election timeout. Then, if the log has
// grown, it snapshots, so that the next Open replays little. It is safe to
// call more than once.
func (s *Store) Close(ctx context.Context) error {
	return s.closeWith(ctx, true)
}

func (s *Store) closeWith(ctx context.Context, graceful bool) error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.closeErr = s.close(ctx, graceful)
	})
	return s.closeErr
}

// closing reports whether Close has begun.
func (s *Store) closing() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// close shuts the store down in this order:
//  1. Hand over leadership (cluster leader, graceful only): the others need
//     this node's network for it.
//  2. Stop taking calls from peers: cluster service, Raft listener, and the
//     connections peers opened.
//  3. Snapshot if the log has grown (graceful only), while Raft runs.
//  4. release: stop our goroutines, then every connection and dial, then
//     Raft and SQLite, then the dir lock (see release).
func (s *Store) close(ctx context.Context, graceful bool) error {
	if graceful && s.c != nil {
		if err := s.stepdown(); err != nil {
			s.logger.Warn("stepdown on close failed", "err", err)
		}
	}
	if s.c != nil {
		// Take no more calls from peers: no forwarded writes or joins, and
		// no Raft RPC that could arrive while Raft shuts down (rqlite's
		// transport would then block forever handing it over).
		s.c.svc.Close()
		s.c.raft.Close()
		s.c.raft.closeTagged(inboundTag, "")
		s.c.service.closeTagged(inboundTag, "")
	}
	if graceful {
		if err := s.maybeSnapshot(); err != nil {
			s.logger.Warn("snapshot on close failed", "err", err)
		}
	}
	if err := s.release(true); err != nil {
		return fmt.Errorf("db.Close: %w", err)
	}
	return nil
}

// release frees what Open acquired, in an order that leaves nothing
// running: the cluster service first (peers' forwarded writes and joins
// stop reaching a node that is going), then our goroutines (leader watcher,
// CDC), then every connection through the layers and every dial in
// progress (no one else closes them), then Raft and SQLite (Close(true)
// waits for Raft to finish), and last the data dir lock, once nothing of
// ours touches the dir. opened says whether the rqlite store was opened.
//
// The network goes before Raft: Raft's shutdown waits for its RPCs in
// flight, and an RPC to a peer that vanished without a reset (a tailnet
// node gone offline) waits for rqlite's 10 s connection timeout — its dial
// too. Cut, they fail at once; nothing Raft does while it stops needs them.
func (s *Store) release(opened bool) error {
	var errs []error
	s.stopWatch()
	if s.c != nil && s.c.svc != nil {
		s.c.svc.Close()
	}
	s.stopTail()
	if opened && s.c != nil {
		close(s.c.stop)
		<-s.c.watchDone
	}
	if s.c != nil {
		s.c.raft.shutdown()
		s.c.service.shutdown()
	}
	stopped := true
	if opened {
		var err error
		if stopped, err = s.stopRaft(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if s.c == nil {
		s.layer.Close()
	}
	closeQuiet(s.devNull) // the loggers that wrote to it are gone with the store
	if stopped {
		// A snapshot taken on close made files under the umask.
		keepPrivate(filepath.Join(s.dir, storeDirName), s.logger)
		if err := s.lock.unlock(); err != nil {
			errs = append(errs, fmt.Errorf("unlock: %w", err))
		}
	}
	return errors.Join(errs...)
}

// raftStopWait bounds Raft's shutdown in cluster mode, which takes
// milliseconds once its connections are cut, except when hashicorp/raft
// (v1.7.3) has deadlocked a leader's pipelined replication to a follower:
// with its default of 2 RPCs in flight (rqlite does not change it) the
// pipeline's channels are unbuffered, and when a follower answers "no" or
// with a newer term while a send is under way, the sender and the response
// decoder wait for each other for good, and Shutdown waits for them.
// Seen here when peers came back from a freeze (SIGSTOP) just as a node
// was stopped.
const raftStopWait = 2 * time.Second

// stopRaft closes rqlite's store (Raft, then SQLite and the log) and
// reports whether it stopped. In cluster mode it gives up after
// raftStopWait: Raft is then left to its goroutines, and so is the data dir
// lock, which the goroutine still closing releases if Raft ever stops, or
// else the process's exit. Nothing is lost: what Raft committed is in its
// log, and the SQLite file is rebuilt at every open.
func (s *Store) stopRaft() (bool, error) {
	if s.c == nil {
		return true, s.str.Close(true)
	}
	var mu sync.Mutex
	abandoned := false
	done := make(chan error, 1)
	go func() {
		err := s.str.Close(true)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			s.lock.unlock()
			return
		}
		done <- err
	}()
	t := time.NewTimer(raftStopWait)
	defer t.Stop()
	select {
	case err := <-done:
		return true, err
	case <-t.C:
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case err := <-done: // it stopped just now
		return true, err
	default:
	}
	abandoned = true
	s.logger.Warn("raft did not stop; leaving it to the process's exit", "waited", raftStopWait)
	return false, nil
}

// maybeSnapshot takes a snapshot when more than snapshotEvery log entries
// have been applied since the last one, or this process wrote, or its open
// replayed, more than snapshotBytes, or its open applied migrations.
func (s *Store) maybeSnapshot() error {
	if s.snapshotEvery < 0 {
		return nil
	}
	last, _, err := snapshot.LatestIndexTerm(filepath.Join(s.dir, storeDirName, "rsnapshots"))
	if err != nil {
		return err
	}
	if applied := s.str.DBAppliedIndex(); applied < last+uint64(s.snapshotEvery) && s.written.Load()+s.replayed < s.snapshotBytes && !s.migrated {
		return nil
	}
	err = s.str.Snapshot(0)
	if errors.Is(err, store.ErrNothingNewToSnapshot) {
		return nil
	}
	return err
}

// Dir is the data dir.
func (s *Store) Dir() string { return s.dir }

// NodeID is this node's Raft ID.
func (s *Store) NodeID() string { return s.id }

// Status is a snapshot of the store's Raft state.
type Status struct {
	NodeID       string `json:"node_id"`
	Leader       string `json:"leader"` // the leader's node ID; empty if none is known
	LeaderAddr   string `json:"leader_addr,omitempty"`
	State        string `json:"state"`
	AppliedIndex uint64 `json:"applied_index"`
	Members      int    `json:"members"` // nodes in the Raft configuration
	Cluster      bool   `json:"cluster"` // cluster mode
	Dir          string `json:"dir"`
	// Removed: this node left its cluster or was removed from it (its
	// configuration no longer lists it); it takes no part any more.
	Removed bool `json:"removed,omitempty"`
	// Dropped, when not empty, says that this node's cluster is made of
	// nodes that a recovery on another node dropped (aiex cluster recover),
	// which runs apart from the recovered cluster, and what to do: one
	// sentence naming the recovered node. Writes then fail with ErrDropped.
	Dropped string `json:"dropped,omitempty"`
}

// Status reports the store's Raft state.
func (s *Store) Status() Status {
	addr, leader := s.str.LeaderWithID()
	st := Status{
		NodeID:       s.id,
		Leader:       leader,
		State:        stateName(s.str.State()),
		AppliedIndex: s.str.DBAppliedIndex(),
		Cluster:      s.c != nil,
		Dir:          s.dir,
	}
	if s.c != nil {
		st.LeaderAddr = addr
	}
	if nodes, err := s.str.Nodes(); err == nil {
		st.Members = len(nodes)
	}
	st.Removed = s.removed()
	st.Dropped = s.splitStatus()
	return st
}

// loadNodeID returns the node ID recorded in dir, creating it on first use
// from the host name and a random suffix (two laptops may share a name).
func loadNodeID(dir string) (string, error) {
	path := filepath.Join(dir, nodeIDFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			// Checked now, not only when a later Open finds the store: an
			// ID the next Open takes for a damaged file would make the
			// data dir unusable from its second command on.
			if err := badNodeID(dir, id); err != nil {
				return "", err
			}
			return id, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("db: read node id: %w", err)
	}
	host, _ := os.Hostname()
	host = strings.Trim(nonName().ReplaceAllString(strings.ToLower(host), "-"), "-")
	if host == "" {
		host = "node"
	}
	var r [3]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("db: node id: %w", err)
	}
	id := host + "-" + hex.EncodeToString(r[:])
	if err := writeFileAtomic(path, []byte(id+"\n"), 0o600); err != nil {
		return "", unwritable(dir, err)
	}
	return id, nil
}

var nonName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9-]+`) })

// writeFileAtomic writes data to path through a temporary file and a rename,
// so a crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// stdLogger adapts logger for rqlite, which wants a *log.Logger.
func stdLogger(ctx context.Context, logger *slog.Logger, component string) *log.Logger {
	if !logger.Enabled(ctx, slog.LevelDebug) {
		return log.New(io.Discard, "", 0)
	}
	return slog.NewLogLogger(logger.With("component", component).Handler(), slog.LevelDebug)
}

func stateName(st store.ClusterState) string {
	switch st {
	case store.Leader:
		return "leader"
	case store.Follower:
		return "follower"
	case store.Candidate:
		return "candidate"
	case store.Shutdown:
		return "shutdown"
	default:
		return "unknown"
	}
}
