package db

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/cluster"
	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// ClusterConfig turns Open into cluster mode: the store is one node of a
// Raft cluster whose peers it reaches through two layers the caller
// supplies. A nil *ClusterConfig is the single-node mode with no network.
type ClusterConfig struct {
	// Raft and Service are this node's two channels to its peers (see
	// Layer). Both must be reachable at Advertise. Close closes both, and
	// every connection made or accepted through them; the caller closes
	// whatever lies under them (a root listener, a mux) after Close.
	Raft    Layer
	Service Layer
	// Advertise is the host:port peers use to reach this node, for Raft and
	// the cluster service alike: Raft records it in its configuration, and
	// a follower forwards writes to the leader's recorded address. The
	// leader resolves it with the system resolver when this node joins, so
	// use an IP (a tailnet IP with tsnet), not a name only the mesh knows.
	Advertise string
	// Join lists peers (their Advertise addresses) to ask for admission
	// when this node is not yet a member: a new data dir, a join that never
	// completed, or a node that was removed. Any member will do; followers
	// redirect to the leader. A new data dir with no Join bootstraps a new
	// cluster: exactly one node of a new cluster starts that way. A member
	// restarting from its data dir never joins or bootstraps again.
	Join []string
	// NonVoter makes this node a read replica: it replicates everything and
	// forwards writes but does not vote, so it never counts toward quorum.
	NonVoter bool
	// Raft timings; zero means the LAN defaults (see DESIGN.md): heartbeat
	// and election timeouts 500 ms, leader lease 500 ms. A follower notices
	// a lost leader after 1–2 heartbeat timeouts.
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	// LeaderWait bounds how long a write waits for a reachable leader before
	// it fails with ErrNoQuorum; 0 means 3 s, enough to ride out an
	// election. A context deadline that comes sooner wins.
	LeaderWait time.Duration
	// Version is this node's software version, served to peers in its node
	// meta and shown by Members.
	Version string
	// OnLeaderChange, if set, is called after every change of leader with
	// whether this node is now the leader. It runs on the store's watcher
	// goroutine: it must not block or call Close.
	OnLeaderChange func(leader bool)
}

// Defaults for a LAN (or a tailnet on one): a heartbeat every 50 ms (a
// tenth of the heartbeat timeout), a lost leader noticed after 0.5–1 s.
const (
	clusterHeartbeat   = 500 * time.Millisecond
	clusterElection    = 500 * time.Millisecond
	clusterLeaderLease = 500 * time.Millisecond
	defaultLeaderWait  = 3 * time.Second
	dialTimeout        = time.Second            // to reach a peer's cluster service
	probeTimeout       = 500 * time.Millisecond // a peer's answer to a node-meta probe
	joinInterval       = 250 * time.Millisecond // between rounds of join attempts
	joinTimeout        = time.Second            // to send a join request, and for its answer
	clusterMarkerFile  = "cluster"              // in the data dir: the address last advertised
)

// clusterState is what a Store has in cluster mode only.
type clusterState struct {
	cfg     ClusterConfig // with defaults filled in
	raft    *trackedLayer
	service *trackedLayer
	svc     *cluster.Service
	joinCl  *fwdClient // the joiner's client, dropped once joined

	fwd     atomic.Pointer[fwdClient] // the client that forwards to the leader
	nextTag atomic.Uint64

	leader    Signal // fired on every change of leader
	stop      chan struct{}
	watchDone chan struct{}
}

func newClusterState(ctx context.Context, cc *ClusterConfig) (*clusterState, error) {
	if cc.Raft == nil || cc.Service == nil {
		return nil, errors.New("cluster mode needs both a Raft and a Service layer")
	}
	if _, _, err := net.SplitHostPort(cc.Advertise); err != nil {
		return nil, fmt.Errorf("cluster advertise address %q: %w", cc.Advertise, err)
	}
	cfg := *cc
	cfg.Join = slices.DeleteFunc(slices.Clone(cfg.Join), func(a string) bool { return a == "" || a == cc.Advertise })
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = clusterHeartbeat
	}
	if cfg.ElectionTimeout == 0 {
		cfg.ElectionTimeout = clusterElection
	}
	if cfg.LeaderLeaseTimeout == 0 {
		cfg.LeaderLeaseTimeout = min(clusterLeaderLease, cfg.HeartbeatTimeout)
	}
	if cfg.LeaderWait == 0 {
		cfg.LeaderWait = defaultLeaderWait
	}
	return &clusterState{
		cfg:       cfg,
		raft:      newTrackedLayer(ctx, cc.Raft, cc.Advertise),
		service:   newTrackedLayer(ctx, cc.Service, cc.Advertise),
		stop:      make(chan struct{}),
		watchDone: make(chan struct{}),
	}, nil
}

// newService builds the cluster service and the clients. It runs while
// stderr points at /dev/null: rqlite's cluster service and joiner bind
// loggers to os.Stderr when they are made.
func (c *clusterState) newService(str *store.Store) *cluster.Service {
	c.svc = cluster.New(c.service, serviceDB{str}, str, nil)
	c.svc.SetVersion(c.cfg.Version)
	c.fwd.Store(c.newClient())
	c.joinCl = c.newClient()
	return c.svc
}

// startCluster brings a freshly opened store into its cluster: it joins or
// bootstraps if this node is not yet a member, waits for a leader and
// catches up with it.
func (s *Store) startCluster(ctx context.Context, timeout time.Duration, verbose bool) error {
	c := s.c
	if err := c.svc.Open(); err != nil {
		return fmt.Errorf("open cluster service: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	nodes, err := s.str.Nodes()
	if err != nil {
		return fmt.Errorf("read cluster configuration: %w", err)
	}
	i := slices.IndexFunc(nodes, func(n *store.Server) bool { return n.ID == s.id })
	switch {
	case i >= 0 && nodes[i].Addr == c.cfg.Advertise:
		// A member restarting: Raft finds its peers in its own log.
	case len(c.cfg.Join) > 0:
		// Not a member yet (new, never finished joining, removed) or moved
		// to a new address: ask the cluster to admit it. A member whose
		// address changed is re-added at the new one.
		if err := s.join(ctx); err != nil {
			return err
		}
	case len(nodes) == 0:
		s.logger.Info("bootstrapping new cluster", "node", s.id, "addr", c.cfg.Advertise)
		if err := s.str.Bootstrap(store.NewServer(s.id, c.cfg.Advertise, true)); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	case i >= 0:
		return fmt.Errorf("this node's address changed from %s to %s: join through another member (aiex node run --join PEER) so that the cluster records the new one", nodes[i].Addr, c.cfg.Advertise)
	default:
		return errors.New("this node is no longer a member of its cluster: rejoin through a member (aiex node run --join PEER)")
	}

	// Wait for a leader, then catch up with it.
	for {
		changed := c.leader.Wait()
		if _, id := s.str.LeaderWithID(); id != "" {
			break
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond): // in case a change was dropped
		case <-ctx.Done():
			nq := s.noQuorum(ctx.Err())
			if id, addr := s.leaderWithout(); addr != "" {
				// A peer leads, yet sends this node nothing: its
				// configuration no longer lists it, or it cannot reach
				// the address this node advertises.
				return &usererr.Error{Err: nq, Msg: fmt.Sprintf("no leader after %s: %s at %s leads the cluster without this node, so this node was removed or the cluster was recovered without it (then start it on a new data dir with aiex node run --join %s), or %s cannot reach this node at %s", timeout, id, addr, addr, addr, c.cfg.Advertise)}
			}
			if nq.Voters > 1 && nq.Reachable <= nq.Voters/2 {
				// No majority answers: the cluster may have lost it for good.
				return fmt.Errorf("no leader after %s: %w; if the unreachable nodes are lost for good, stop this one and run aiex cluster recover on its data dir", timeout, nq)
			}
			return fmt.Errorf("no leader after %s: %w", timeout, nq)
		}
	}
	if err := s.Sync(ctx); err != nil {
		return fmt.Errorf("catch up with the leader: %w", err)
	}
	return nil
}

// join asks the peers in Join to admit this node, in turn, until one does
// or ctx ends. rqlite's Joiner does the same but keeps why each attempt
// failed in its log: here the last failure of each peer goes into the
// error (nothing listening, another cluster key, no leader there), so that
// the user can tell a wrong address from a wrong key.
func (s *Store) join(ctx context.Context) error {
	c := s.c
	defer c.joinCl.retire("")
	req := &proto.JoinRequest{Id: s.id, Address: c.cfg.Advertise, Voter: !c.cfg.NonVoter}
	s.logger.Info("joining cluster", "node", s.id, "addr", c.cfg.Advertise, "peers", c.cfg.Join)
	failed := make([]string, len(c.cfg.Join))
	for {
		for i, peer := range c.cfg.Join {
			err := c.joinCl.Join(req, peer, nil, joinTimeout)
			if err == nil {
				s.logger.Info("joined cluster", "via", peer)
				return nil
			}
			s.logger.Debug("join attempt failed", "peer", peer, "err", err)
			failed[i] = peer + ": " + err.Error()
			if ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("join the cluster: no peer admitted this node (%s)", strings.Join(slices.DeleteFunc(failed, func(f string) bool { return f == "" }), "; "))
		case <-time.After(joinInterval):
		}
	}
}

// prepareCluster runs before the store opens in cluster mode. A data dir
// used in cluster mode has a marker file, written before its first open. A
// dir without one was used in single-node mode, whose Raft configuration
// records the node ID as its address: opened as the first node of a
// cluster (no Join), a peers.json makes rqlite rewrite that configuration
// to the advertised address once. Joining such a dir to another cluster
// would discard its data, so that is refused.
func prepareCluster(dir, raftDir, id string, c *clusterState, isNew bool) error {
	marker := filepath.Join(dir, clusterMarkerFile)
	if !isNew {
		if _, err := os.Stat(marker); err == nil {
			return nil
		}
		if len(c.cfg.Join) > 0 {
			return fmt.Errorf("data dir %s holds a single-node store: it can start a new cluster (no Join) but not join another one", dir)
		}
		if err := writePeers(dir, raftDir, id, c.cfg.Advertise); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(marker, []byte(c.cfg.Advertise+"\n"), 0o600); err != nil {
		return unwritable(dir, err)
	}
	return nil
}

// peersFile is where rqlite looks, in its Raft dir, for a configuration to
// recover with at its next open (Raft's manual recovery: the file lists the
// servers; rqlite rewrites the configuration and renames the file
// peers.info).
const peersFile = "raft/peers.json"

// writePeers writes a peers.json that makes the node id, at addr, the only
// voter of its cluster once rqlite reads it.
func writePeers(dir, raftDir, id, addr string) error {
	peers, err := json.Marshal([]map[string]any{{"id": id, "address": addr, "non_voter": false}})
	if err != nil {
		return err
	}
	path := filepath.Join(raftDir, peersFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return unwritable(dir, err)
	}
	if err := writeFileAtomic(path, peers, 0o600); err != nil {
		return unwritable(dir, err)
	}
	return nil
}

// watch follows leader changes until the store closes: it retires the
// forwarding client, cutting its calls to the old leader (which may have
// vanished: they would wait out forwardTimeout) and then its connections (a
// pooled connection to a restarted node fails only after a request was
// sent on it), wakes whoever waits for a leader, and tells the caller.
func (s *Store) watch(ch <-chan bool) {
	c := s.c
	defer close(c.watchDone)
	for {
		select {
		case leader := <-ch:
			// Calls in flight to anyone but the new leader end now; see
			// fwdClient.retire.
			addr, _ := s.str.LeaderWithID()
			c.fwd.Swap(c.newClient()).retire(addr)
			c.leader.Fire()
			if c.cfg.OnLeaderChange != nil {
				c.cfg.OnLeaderChange(leader)
			}
		case <-c.stop:
			return
		}
	}
}

// Member is one node of the cluster as this node sees it.
type Member struct {
	ID        string `json:"id"`
	Addr      string `json:"addr"`
	Voter     bool   `json:"voter"`
	Leader    bool   `json:"leader"`
	Self      bool   `json:"self"`
	Reachable bool   `json:"reachable"` // answered a node-meta probe (this node always)
	// State is the node's Raft state: known for this node, and "leader" for
	// the leader; empty for other nodes (rqlite's node meta omits it).
	State string `json:"state,omitempty"`
	// AppliedIndex is the last log index that changed this node's SQLite;
	// known for this node only.
	AppliedIndex uint64 `json:"applied_index,omitempty"`
	// CommitIndex is the node's Raft commit index, as it reported it.
	CommitIndex uint64 `json:"commit_index"`
	Version     string `json:"version,omitempty"`
}

// Members lists the nodes of the Raft configuration, probing each peer's
// cluster service (in parallel, 1.5 s at most) for reachability, commit
// index and version. A single-node store has one member.
func (s *Store) Members(ctx context.Context) ([]Member, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms, err := s.members()
	if err != nil {
		return nil, fmt.Errorf("db.Members: %w", err)
	}
	return ms, nil
}

func (s *Store) members() ([]Member, error) {
	nodes, err := s.str.Nodes()
	if err != nil {
		return nil, err
	}
	_, leaderID := s.str.LeaderWithID()
	out := make([]Member, len(nodes))
	var wg sync.WaitGroup
	var f *fwdClient
	if s.c != nil {
		f = s.c.client()
		defer f.release()
	}
	for i, n := range nodes {
		m := &out[i]
		*m = Member{ID: n.ID, Addr: n.Addr, Voter: n.Suffrage == "Voter", Leader: n.ID == leaderID, Self: n.ID == s.id}
		if m.Leader {
			m.State = "leader"
		}
		if m.Self {
			m.Reachable = true
			m.State = stateName(s.str.State())
			m.AppliedIndex = s.str.DBAppliedIndex()
			m.CommitIndex, _ = s.str.CommitIndex()
			if s.c != nil {
				m.Version = s.c.cfg.Version
			}
			continue
		}
		if f == nil {
			continue
		}
		wg.Go(func() {
			// One retry: a pooled connection to a node that restarted
			// fails once before the pool drops it.
			meta, err := f.GetNodeMeta(n.Addr, 1, probeTimeout)
			if err == nil {
				m.Reachable, m.CommitIndex, m.Version = true, meta.CommitIndex, meta.Version
			}
		})
	}
	wg.Wait()
	return out, nil
}

// leaderWithout returns the ID and address of a peer in this node's copy of
// the configuration that leads a cluster, asked while this node finds no
// leader: a peer that leads a cluster with this node in it sends it
// heartbeats, so one that leads and sends none has left this node out of
// its configuration (removed it, or was recovered without it). A leader
// is what answers a read at the WEAK level; a follower says "not leader".
func (s *Store) leaderWithout() (id, addr string) {
	nodes, err := s.str.Nodes()
	if err != nil || s.c == nil {
		return "", ""
	}
	f := s.c.client()
	defer f.release()
	q := &proto.QueryRequest{
		Request: &proto.Request{Statements: []*proto.Statement{{Sql: "SELECT 1"}}},
		Level:   proto.QueryRequest_QUERY_REQUEST_LEVEL_WEAK,
	}
	for _, n := range nodes {
		if n.ID == s.id {
			continue
		}
		if _, _, err := f.Query(q, n.Addr, nil, probeTimeout); err == nil {
			return n.ID, n.Addr
		}
	}
	return "", ""
}

// ErrNotMember is matched by the error of Remove for an ID that is not in
// the cluster's configuration.
var ErrNotMember = errors.New("not a member of this cluster")

// Remove removes the node with the given ID from the cluster, through the
// leader, and returns once the leader has committed the change. Removing
// the leader makes it step down. Use Leave to remove this node. An ID that
// is not a member is an error wrapping ErrNotMember that lists the members
// (Raft itself would commit the removal of a stranger as a success).
func (s *Store) Remove(ctx context.Context, id string) error {
	if s.c == nil {
		return errors.New("db.Remove: a single-node store has no other members")
	}
	if err := s.checkMember(id); err != nil {
		return err // a sentence for the user, naming the members
	}
	if err := s.remove(ctx, id); err != nil {
		return fmt.Errorf("db.Remove %s: %w", id, err)
	}
	return nil
}

// checkMember returns an error wrapping ErrNotMember, naming the members,
// unless id is in this node's copy of the cluster's configuration.
func (s *Store) checkMember(id string) error {
	nodes, err := s.str.Nodes()
	if err != nil {
		return fmt.Errorf("db: the cluster's members: %w", err)
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		if n.ID == id {
			return nil
		}
		ids[i] = n.ID
	}
	slices.Sort(ids)
	return fmt.Errorf("%q is %w; its members: %s", id, ErrNotMember, strings.Join(ids, ", "))
}

func (s *Store) remove(ctx context.Context, id string) error {
	rn := &proto.RemoveNodeRequest{Id: id}
	return s.route(ctx, true,
		func() error { return s.str.Remove(rn) },
		func(f *fwdClient, addr string, timeout time.Duration) error {
			return f.RemoveNode(rn, addr, nil, timeout)
		})
}

// Leave removes this node from the cluster cleanly: if it leads, it hands
// leadership over first, then asks the new leader to remove it. Afterwards
// this node takes no part in the cluster and its writes fail: Close it. Its
// data dir rejoins only through Join peers.
func (s *Store) Leave(ctx context.Context) error {
	if s.c == nil {
		return errors.New("db.Leave: a single-node store has no cluster to leave")
	}
	if err := s.checkOtherVoters(); err != nil {
		return err // a sentence for the user
	}
	if s.str.IsLeader() {
		if err := s.stepdown(); err != nil {
			return fmt.Errorf("db.Leave: hand over leadership: %w", err)
		}
	}
	if err := s.remove(ctx, s.id); err != nil {
		return fmt.Errorf("db.Leave: %w", err)
	}
	return nil
}

// ErrLastVoter is matched by the error of Leave on the only voting member:
// the cluster would be left with no one to decide anything.
var ErrLastVoter = errors.New("this node is the only voting member of its cluster, so it cannot leave it; stop the node instead")

// checkOtherVoters returns ErrLastVoter unless a voter other than this
// node is in the cluster's configuration.
func (s *Store) checkOtherVoters() error {
	nodes, err := s.str.Nodes()
	if err != nil {
		return fmt.Errorf("db: the cluster's members: %w", err)
	}
	if !slices.ContainsFunc(nodes, func(n *store.Server) bool { return n.ID != s.id && n.Suffrage == "Voter" }) {
		return ErrLastVoter
	}
	return nil
}

// stepdown hands leadership to another voter, if there is one, and waits
// for the transfer.
func (s *Store) stepdown() error {
	nodes, err := s.str.Nodes()
	if err != nil {
		return fmt.Errorf("db: the cluster's members: %w", err)
	}
	others := slices.ContainsFunc(nodes, func(n *store.Server) bool { return n.ID != s.id && n.Suffrage == "Voter" })
	if !others || !s.str.IsLeader() {
		return nil
	}
	return s.str.Stepdown(true, "")
}

// RecoverConfig configures Recover. It works at its zero value except for
// Dir.
type RecoverConfig struct {
	// Dir is the data dir of a stopped cluster node.
	Dir string
	// DryRun finds out what Recover would do and changes nothing.
	DryRun bool
	// Logger receives the store's own logs; nil discards them.
	Logger *slog.Logger
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
	DryRun  bool   `json:"dry_run,omitempty"`
}

// Peer is one server of a Raft configuration.
type Peer struct {
	ID    string `json:"id"`
	Addr  string `json:"addr"`
	Voter bool   `json:"voter"`
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

	servers, err := raftServers(ctx, raftDir, id, logger)
	if err != nil {
		return nil, fmt.Errorf("db.Recover: read the cluster configuration in %s: %w", raftDir, err)
	}
	rec := &Recovery{DataDir: dir, Node: id, Dropped: []Peer{}, DryRun: cfg.DryRun}
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
	logger.Info("recovered cluster node as its only voter", "node", id, "addr", rec.Addr, "dropped", len(rec.Dropped))
	return rec, nil
}

// raftServers opens rqlite's store in raftDir with no network and Raft
// timeouts too long to fire, reads its Raft configuration and closes it.
// The open does what every open does (it rebuilds the SQLite file from the
// latest snapshot) and applies a peers.json if there is one; the node
// neither campaigns nor leads.
func raftServers(ctx context.Context, raftDir, id string, logger *slog.Logger) ([]*store.Server, error) {
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
		return nil, err
	}
	servers, err := str.Nodes()
	if cerr := str.Close(true); err == nil {
		err = cerr
	}
	return servers, err
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
