package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

	// dropped are the peers recoveries of this node dropped, by ID (see
	// cluster_dropped.go); refusedLog the ones whose refusal was logged.
	dropped    map[string]Peer
	self       string       // this node's ID
	str        *store.Store // for the dropped nodes the cluster's table lists
	refusedLog sync.Map
	logger     *slog.Logger

	// split is set when a peer in this node's configuration said that a
	// recovery of it dropped this node's cluster (cluster_split.go).
	split atomic.Pointer[peerProbe]

	opened atomic.Bool // Open is done: this node has caught up with its cluster
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
func (c *clusterState) newService(str *store.Store, id string) *cluster.Service {
	c.str = str
	c.svc = cluster.New(c.service, serviceDB{str, c, id}, serviceManager{str, c, id}, nil)
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
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	nodes, err := s.str.Nodes()
	if err != nil {
		return fmt.Errorf("read cluster configuration: %w", err)
	}
	i := slices.IndexFunc(nodes, func(n *store.Server) bool { return n.ID == s.id })
	restarting := i >= 0 && nodes[i].Addr == c.cfg.Advertise
	switch {
	case i >= 0 && len(nodes) == 1 && len(c.cfg.Join) > 0 && len(c.dropped) == 0:
		// Bootstrapped alone: a cluster of its own, whose log cannot be
		// merged into another cluster's (at a new address, a join would
		// be admitted and its log overwritten). A node recovered as the
		// only voter keeps the flags it had, --join included.
		return usererr.New("data dir %s is a cluster of its own (node %s alone), so it cannot join another through %s: start this node on a new data dir (aiex node run --data-dir NEW --join %s)",
			s.dir, s.id, strings.Join(c.cfg.Join, ", "), c.cfg.Join[0])
	case restarting:
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
		return usererr.New("this node's address changed from %s to %s: join through another member (aiex node run --join PEER) so that the cluster records the new one", nodes[i].Addr, c.cfg.Advertise)
	default:
		return usererr.New("this node is no longer a member of its cluster: rejoin through a member (aiex node run --join PEER)")
	}

	// Wait for a leader, then catch up with it.
	start := time.Now()
	for {
		changed := c.leader.Wait()
		if _, id := s.str.LeaderWithID(); id != "" {
			break
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond): // in case a change was dropped
		case <-ctx.Done():
			waited := time.Since(start).Round(100 * time.Millisecond)
			nq := s.noQuorum(ctx.Err())
			probes := s.probePeers()
			if p, ok := droppedBy(probes); ok {
				return s.droppedError(p)
			}
			if i := slices.IndexFunc(probes, func(p peerProbe) bool { return p.leads }); i >= 0 {
				// A peer leads, yet sends this node nothing: its
				// configuration no longer lists it, or it cannot reach
				// the address this node advertises.
				id, addr := probes[i].id, probes[i].addr
				return &usererr.Error{Err: nq, Msg: fmt.Sprintf("no leader after %s: %s at %s leads the cluster without this node, so this node was removed or the cluster was recovered without it (then start it on a new data dir with aiex node run --join %s), or %s cannot reach this node at %s", waited, id, addr, addr, addr, c.cfg.Advertise)}
			}
			if len(nq.otherKey) > 0 {
				// Not a lost quorum: this node cannot talk to its peers.
				// Recovering it would split the cluster.
				m := nq.otherKey[0]
				return &usererr.Error{Err: nq, Msg: fmt.Sprintf("no leader after %s: %s at %s refused this node: its cluster key differs from this node's; start this node with the cluster's key (--cluster-key FILE or AIEX_CLUSTER_KEY)", waited, m.ID, m.Addr)}
			}
			if nq.Voters > 1 && nq.Reachable <= nq.Voters/2 {
				// No majority answers: the cluster may have lost it for good.
				return &usererr.Error{Err: nq, Msg: fmt.Sprintf("no leader after %s: %s; if the unreachable nodes are lost for good, stop this one and run aiex cluster recover on its data dir", waited, nq)}
			}
			return &usererr.Error{Err: nq, Msg: fmt.Sprintf("no leader after %s: %s", waited, nq)}
		}
	}
	if restarting && len(nodes) > 1 {
		// A leader, but perhaps of the nodes a recovery dropped, which
		// are a majority of their old configuration: a recovered peer
		// says so (cluster_dropped.go).
		if p, ok := droppedBy(s.probePeers()); ok {
			return s.droppedError(p)
		}
	}
	defer c.opened.Store(true)
	return s.catchUp(outer, ctx)
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
		// A peer's refusal of this node's key, or an answer that is not
		// the mesh's TLS at all, is certain: trying again would fail the
		// same way. When every peer failed so, the join fails at once
		// rather than at the end of the wait.
		refusedKey := 0
		for i, peer := range c.cfg.Join {
			err := c.joinCl.Join(req, peer, nil, joinTimeout)
			if err == nil {
				s.logger.Info("joined cluster", "via", peer)
				return nil
			}
			s.logger.Debug("join attempt failed", "peer", peer, "err", err)
			if addr, ok := heldAt(err.Error()); ok {
				// Another try would be refused the same way while
				// that member runs (cluster_ids.go).
				je := &JoinError{Peers: []string{peer + ": refused: " + err.Error()}}
				return &usererr.Error{Err: je, Msg: fmt.Sprintf(
					"cannot join the cluster: this node's ID %s is that of its member running at %s (was that node's data dir, or its node-id file, copied here?); start this node on a new data dir, or stop that node first (or remove it: aiex cluster remove %s)",
					s.id, addr, s.id)}
			}
			// A peer that said why once (it closed the connection: its
			// policy) keeps saying so: a later try that fails vaguely
			// ("no leader there", a write cut by the same drop) says less.
			if f := peerFailure(err); f != noLeaderThere || failed[i] == "" {
				failed[i] = peer + ": " + f
			}
			if keyMismatch(err) || notMesh(err) {
				refusedKey++
			}
			if ctx.Err() != nil {
				break
			}
		}
		if refusedKey == len(c.cfg.Join) {
			je := &JoinError{Peers: failed}
			return &usererr.Error{Msg: je.Error() + "; give the address of a member (--join HOST:PORT), started with the cluster's key (--cluster-key FILE or AIEX_CLUSTER_KEY)", Err: je}
		}
		select {
		case <-ctx.Done():
			je := &JoinError{Peers: slices.DeleteFunc(failed, func(f string) bool { return f == "" })}
			return &usererr.Error{Msg: je.Error(), Err: je}
		case <-time.After(joinInterval):
		}
	}
}

// JoinError is the error of a node that no peer admitted to its cluster:
// the data dir is not a member of anything.
type JoinError struct {
	Peers []string // "PEER: why", for each peer tried
}

func (e *JoinError) Error() string {
	return fmt.Sprintf("cannot join the cluster: no peer admitted this node (%s)", strings.Join(e.Peers, "; "))
}

// prepareCluster runs before the store opens in cluster mode. A data dir
// used in cluster mode has a marker file, written before its first open. A
// dir without one was used in single-node mode, whose Raft configuration
// records the node ID as its address: opened as the first node of a
// cluster (no Join), a peers.json makes rqlite rewrite that configuration
// to the advertised address once. Joining such a dir to another cluster
// would discard its data, so that is refused.
func prepareCluster(dir, raftDir, id string, c *clusterState, isNew bool, logger *slog.Logger) error {
	if err := c.guardDropped(dir, id, logger); err != nil {
		return err
	}
	marker := filepath.Join(dir, clusterMarkerFile)
	if !isNew {
		if _, err := os.Stat(marker); err == nil {
			return nil
		}
		if len(c.cfg.Join) > 0 {
			return usererr.New("data dir %s holds a store used alone, so it cannot join a cluster: start it without --join to make it the first node of a new cluster, or start this node on a new data dir to join one", dir)
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

// removeFailedJoin removes what an Open of a new data dir created before
// no peer admitted it: the store, the cluster marker and, if that Open
// wrote it, the node ID. The dir is then as it was (with its lock file), and
// the next start is a first start again.
func removeFailedJoin(dir, raftDir string, newID bool) {
	os.RemoveAll(raftDir)
	os.Remove(filepath.Join(dir, clusterMarkerFile))
	if newID {
		os.Remove(filepath.Join(dir, nodeIDFile))
	}
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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
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
	splitDone := make(chan struct{})
	go func() { defer close(splitDone); s.watchSplit() }()
	defer func() { <-splitDone }() // it ends with c.stop too
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

	probeErr error // why the probe failed, if it did
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
			m.probeErr = err
		})
	}
	wg.Wait()
	return out, nil
}

// peerProbe is a peer's answer to a member probe (memberProbe).
type peerProbe struct {
	id, addr string
	leads    bool   // it answered: it leads a cluster
	without  bool   // it leads, and its configuration does not list this node
	dropped  string // its refusal: a recovery of it dropped this node
}

// probePeers sends a member probe to every peer in this node's copy of the
// configuration, in parallel, and returns the answers that came within
// probeTimeout: those that lead, and those that dropped this node.
func (s *Store) probePeers() []peerProbe {
	nodes, err := s.str.Nodes()
	if err != nil || s.c == nil {
		return nil
	}
	var out []peerProbe
	for _, a := range s.askPeers(nodes, memberProbeRequest(s.id)) {
		p := peerProbe{id: a.n.ID, addr: a.n.Addr}
		switch {
		case a.err == nil:
			p.leads = true
		case strings.Contains(a.err.Error(), notMemberMarker):
			p.leads, p.without = true, true
		case strings.Contains(a.err.Error(), droppedMarker):
			p.dropped = a.err.Error()
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// peerAnswer is a peer's answer to a query sent by askPeers.
type peerAnswer struct {
	n    *store.Server
	rows []*proto.QueryRows
	err  error
}

// askPeers sends q to each of nodes but this one, in parallel, and returns
// the answers that came within probeTimeout, or before the store began to
// close.
func (s *Store) askPeers(nodes []*store.Server, q *proto.QueryRequest) []peerAnswer {
	return s.c.askPeers(nodes, q)
}

func (c *clusterState) askPeers(nodes []*store.Server, q *proto.QueryRequest) []peerAnswer {
	f := c.client()
	answers := make(chan peerAnswer, len(nodes))
	var wg sync.WaitGroup
	for _, n := range nodes {
		if n.ID == c.self {
			continue
		}
		wg.Go(func() {
			rows, _, err := f.Query(q, n.Addr, nil, probeTimeout)
			answers <- peerAnswer{n, rows, err}
		})
	}
	go func() { wg.Wait(); f.release(); close(answers) }()
	// A peer that vanished (no reset on a tailnet) makes its dial last
	// dialTimeout: its answer is not waited for past probeTimeout. The
	// dials end when the store's layers shut down, if not before.
	var out []peerAnswer
	timeout := time.After(probeTimeout)
	for {
		select {
		case a, ok := <-answers:
			if !ok {
				return out
			}
			out = append(out, a)
		case <-timeout:
			return out
		case <-c.stop:
			return out
		}
	}
}

// droppedBy returns the probe of a peer that dropped this node, if any.
func droppedBy(probes []peerProbe) (peerProbe, bool) {
	i := slices.IndexFunc(probes, func(p peerProbe) bool { return p.dropped != "" })
	if i < 0 {
		return peerProbe{}, false
	}
	return probes[i], true
}

// ErrDropped is matched by the error of a node whose cluster was recovered
// on another node without it (aiex cluster recover): its data dir cannot
// rejoin that cluster.
var ErrDropped = errors.New("dropped by the recovery of its cluster")

// droppedError is the error of a node that peer p says it dropped.
func (s *Store) droppedError(p peerProbe) error {
	on := p.id + " at " + p.addr
	if by := recoveredOn(p.dropped); by != "" && by != p.id {
		on = by // a member that learned it from the cluster's table
	}
	return &usererr.Error{
		Msg: fmt.Sprintf("this node (%s) was dropped from its cluster when the cluster was recovered on node %s (aiex cluster recover), so its data dir cannot rejoin it: start it on a new data dir with aiex node run --join %s",
			s.id, on, p.addr),
		Err: fmt.Errorf("%w: %s", ErrDropped, p.dropped),
	}
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
	if s.removed() {
		return &usererr.Error{Err: ErrRemoved, Msg: fmt.Sprintf("this node (%s) is not in its cluster any more (it left, or was removed): nothing to leave; stop it", s.id)}
	}
	if err := s.checkOtherVoters(); err != nil {
		return err // a sentence for the user
	}
	if s.str.IsLeader() {
		if err := s.stepdown(); err != nil {
			return fmt.Errorf("db.Leave: hand over leadership: %w", err)
		}
	}
	// A retry of a removal that was applied finds this node removed.
	if err := s.remove(ctx, s.id); err != nil && !errors.Is(err, ErrRemoved) {
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

// ErrRemoved is matched by the errors of a node that is no longer a member
// of its cluster: it left, or another node removed it.
var ErrRemoved = errors.New("this node is no longer a member of its cluster")

// removed reports whether this node, once open, is no longer in its own
// copy of the cluster's configuration: the leader that removed it sent it
// the configuration without it (hashicorp/raft replicates the change to a
// removed server before it stops replicating to it). While a new node
// catches up (in Open) its configuration lacks it too, for a while.
func (s *Store) removed() bool {
	if s.c == nil || !s.c.opened.Load() {
		return false
	}
	nodes, err := s.str.Nodes()
	return err == nil && len(nodes) > 0 && !slices.ContainsFunc(nodes, func(n *store.Server) bool { return n.ID == s.id })
}

// removedError is what a removed node's operations fail with; by is the
// peer that leads without it, if known.
func (s *Store) removedError(by string) error {
	msg := fmt.Sprintf("this node (%s) was removed from the cluster (aiex cluster leave, or aiex cluster remove on another node)", s.id)
	if by != "" {
		msg = fmt.Sprintf("this node (%s) was removed from the cluster: %s leads it without this node", s.id, by)
	}
	return &usererr.Error{Err: ErrRemoved,
		Msg: msg + "; stop it, and to rejoin start it again with aiex node run --join PEER"}
}

// noLeader is route's error when no leader answered within the bound: a
// removed node's, or the probe of the voters (*NoQuorumError). A node that
// reaches a majority of its voters yet hears from no leader asks them
// whether one leads without it.
func (s *Store) noLeader(cause error) error {
	if s.removed() {
		return s.removedError("")
	}
	nq := s.noQuorum(cause)
	if s.c.opened.Load() && nq.Voters > 0 && nq.Reachable > nq.Voters/2 {
		for _, p := range s.probePeers() {
			switch {
			case p.dropped != "":
				return s.droppedError(p)
			case p.leads:
				return s.removedError(p.id + " at " + p.addr)
			}
		}
	}
	return nq
}
