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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// OpenTimeout bounds the wait for leadership and log replay; 0 means 10 s.
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
}

// Layout of the data dir.
const (
	storeDirName = "store"   // rqlite's Raft log, snapshots and SQLite file
	nodeIDFile   = "node-id" // this node's Raft ID, fixed at first use
)

// Single-voter Raft timings. A lone voter wins its election as soon as its
// heartbeat timeout fires, so these bound how long Open waits for the store
// to be writable. The cluster uses Raft's defaults instead.
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
	layer  *soloLayer
	lock   *dirLock
	logger *slog.Logger

	snapshotEvery int
	snapshotBytes int64
	written       atomic.Int64 // bytes of writes sent through Execute since Open
	devNull       *os.File     // where rqlite's stderr loggers write; nil if verbose

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store in cfg.Dir, bootstrapping it on first use, and applies
// pending migrations. It fails at once if another process has the dir open.
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
	timeout := cfg.OpenTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}

	// Lock the data dir first: nothing below may touch it unlocked.
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			lock.unlock()
		}
	}()

	id := cfg.NodeID
	if id == "" {
		if id, err = loadNodeID(dir); err != nil {
			return nil, err
		}
	}

	// Create the store on a layer with no network: this node votes alone.
	raftDir := filepath.Join(dir, storeDirName)
	isNew := store.IsNewNode(raftDir)
	layer := newSoloLayer(id)
	str := store.New(layer, &store.Config{
		DBConf: store.NewDBConfig(),
		Dir:    raftDir,
		ID:     id,
		Logger: stdLogger(ctx, logger, "store"),
	})
	str.RaftLogLevel = cfg.RaftLogLevel
	if str.RaftLogLevel == "" {
		str.RaftLogLevel = "OFF"
	}
	str.HeartbeatTimeout = soloHeartbeat
	str.ElectionTimeout = soloElection
	str.LeaderLeaseTimeout = soloLeaderLease

	// Watch for leadership before opening, so the change cannot be missed.
	leaderCh := make(chan bool, 8)
	str.RegisterLeaderChange(leaderCh)

	// Open the store; bootstrap only a brand-new node, never a restarted one.
	devNull, err := quietStderr(logger.Enabled(ctx, slog.LevelDebug), str.Open)
	if err != nil {
		layer.Close()
		closeQuiet(devNull)
		return nil, fmt.Errorf("db.Open: open store in %s: %w", raftDir, err)
	}
	s := &Store{dir: dir, id: id, str: str, layer: layer, lock: lock, logger: logger, snapshotEvery: cfg.SnapshotEvery, devNull: devNull}
	if s.snapshotEvery == 0 {
		s.snapshotEvery = 64
	}
	s.snapshotBytes = cfg.SnapshotBytes
	if s.snapshotBytes == 0 {
		s.snapshotBytes = 8 << 20
	}
	defer func() {
		if retErr != nil {
			str.Close(true)
			layer.Close()
			closeQuiet(devNull)
		}
	}()
	if isNew {
		logger.Info("bootstrapping new store", "dir", raftDir, "node", id)
		if err := str.Bootstrap(store.NewServer(id, layer.Addr().String(), true)); err != nil {
			return nil, fmt.Errorf("db.Open: bootstrap: %w", err)
		}
	}

	// Wait until this node leads and has replayed its log into SQLite.
	if err := waitLeader(ctx, leaderCh, timeout); err != nil {
		return nil, fmt.Errorf("db.Open: %w", err)
	}
	if err := barrier(str); err != nil {
		return nil, fmt.Errorf("db.Open: replay log: %w", err)
	}

	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// waitLeader waits for this node to become leader.
func waitLeader(ctx context.Context, ch <-chan bool, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case leader := <-ch:
			if leader {
				return nil
			}
		case <-t.C:
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

// quietStderr runs fn with os.Stderr pointing at /dev/null unless verbose,
// and returns that file (nil if verbose) to be closed with the store.
// Some rqlite components (the snapshot store) make loggers bound to
// os.Stderr when the store opens, with no way to pass one in, and they would
// print to the user's terminal on every command. Swapping the variable while
// fn builds them binds those loggers to /dev/null for their lifetime. It runs
// during Open only, before any goroutine of ours that writes to stderr.
func quietStderr(verbose bool, fn func() error) (*os.File, error) {
	if verbose {
		return nil, fn()
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, fn()
	}
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

// Close snapshots the store if its log has grown, closes it and releases the
// data dir. It is safe to call more than once.
func (s *Store) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.closeErr = s.close(ctx)
	})
	return s.closeErr
}

func (s *Store) close(ctx context.Context) error {
	var errs []error
	// Snapshot first, while Raft runs, so the next Open replays little.
	if err := s.maybeSnapshot(); err != nil {
		s.logger.Warn("snapshot on close failed", "err", err)
	}
	// A lone voter hands leadership to no one, so there is no stepdown here;
	// Close(true) waits for Raft to finish and closes SQLite and the log.
	if err := s.str.Close(true); err != nil {
		errs = append(errs, fmt.Errorf("close store: %w", err))
	}
	s.layer.Close()
	closeQuiet(s.devNull) // the loggers that wrote to it are gone with the store
	// Release the data dir last, once nothing of ours touches it.
	if err := s.lock.unlock(); err != nil {
		errs = append(errs, fmt.Errorf("unlock: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("db.Close: %w", err)
	}
	return nil
}

// maybeSnapshot takes a snapshot when more than snapshotEvery log entries
// have been applied since the last one, or this process wrote more than
// snapshotBytes.
func (s *Store) maybeSnapshot() error {
	if s.snapshotEvery < 0 {
		return nil
	}
	last, _, err := snapshot.LatestIndexTerm(filepath.Join(s.dir, storeDirName, "rsnapshots"))
	if err != nil {
		return err
	}
	if applied := s.str.DBAppliedIndex(); applied < last+uint64(s.snapshotEvery) && s.written.Load() < s.snapshotBytes {
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
	Leader       string `json:"leader"`
	State        string `json:"state"`
	AppliedIndex uint64 `json:"applied_index"`
	Dir          string `json:"dir"`
}

// Status reports the store's Raft state.
func (s *Store) Status() Status {
	_, leader := s.str.LeaderWithID()
	return Status{
		NodeID:       s.id,
		Leader:       leader,
		State:        stateName(s.str.State()),
		AppliedIndex: s.str.DBAppliedIndex(),
		Dir:          s.dir,
	}
}

// loadNodeID returns the node ID recorded in dir, creating it on first use
// from the host name and a random suffix (two laptops may share a name).
func loadNodeID(dir string) (string, error) {
	path := filepath.Join(dir, nodeIDFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("db: read node id: %w", err)
	}
	host, _ := os.Hostname()
	host = strings.Trim(nonName.ReplaceAllString(strings.ToLower(host), "-"), "-")
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

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

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
