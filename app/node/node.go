// Package node is the cluster node daemon (aiex node run): the store as a
// member of a replicated cluster over the mesh, the node API served over
// the mesh and over a unix socket in the data dir, a heartbeat into the
// nodes table, the models this node's local servers host published into
// the models table, and requests for models other nodes host forwarded to
// them. DESIGN.md describes the start and shutdown order.
package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rqlite/rqlite/v8/cluster"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
)

// HeaderAPI is the mesh mux header of the node API (rqlite uses 1 and 2).
const HeaderAPI byte = 'A'

// SocketName is the node API's unix socket in the data dir.
const SocketName = "aiex.sock"

// Config configures a node. Transport and App.DataDir are required.
type Config struct {
	// App configures the core; Cluster, NodeName and Remote are set by Start.
	App app.Config
	// Transport reaches the other nodes; the node owns it and closes it.
	Transport mesh.Transport
	// Join lists peers' mesh addresses to join through when this data dir
	// is not yet a member of a cluster.
	Join []string
	// Name is this node's name in the nodes table; "" means the host name.
	Name string
	// Heartbeat is how often the node records itself as alive and checks
	// its local models; 0 means 2 s.
	Heartbeat time.Duration
	// Stale is how long a node may go without a heartbeat before requests
	// stop being routed to it; 0 means 5 heartbeats.
	Stale  time.Duration
	Logger *slog.Logger
	// Auditor, if set, receives the transport's refusals (see Auditor).
	Auditor *Auditor
	// RetainEvery is how often the leader applies the configured retention
	// (app.Retain); 0 means hourly.
	RetainEvery time.Duration
}

// Node is a running node.
type Node struct {
	cfg    Config
	logger *slog.Logger
	app    *app.App
	// borrowed: the core is the caller's (ServeSocket), not closed here.
	borrowed bool
	mux      *mesh.Mux
	sock     net.Listener
	api      *http.Server // the node API for peers, on the mesh
	local    *http.Server // the node API for this machine, on the socket
	// cancelRequests cancels the API's requests in flight (at Close).
	cancelRequests context.CancelFunc
	// meshAPI is the API's mesh sub-listener, made closable: the mux's
	// sub-listeners close only with the mux, which must outlive the API.
	meshAPI *stoppable

	self   db.Node
	hc     *http.Client // to other nodes' APIs over the mesh; streams (answers, events) send their header at once
	rc     *http.Client // likewise, for replies relayed to an attached node, which come after the work
	remote atomic.Pointer[[]coord.Target]
	// publishedProviders are the cloud providers this node's heartbeat
	// last wrote into node_providers; nil before the first write.
	publishedProviders *[]string
	// using counts the other live nodes that configure each cloud
	// provider, by name (see usingProvider).
	using   atomic.Pointer[map[string]int]
	remotes map[string]*remoteProvider // by target name, reused across refreshes
	reach   map[string]*reach          // by node ID: whether it answers; shared by its remotes
	beatsM  sync.Mutex
	beats   map[string]beatSeen // by node ID: its last heartbeat, as this node saw it
	// members holds the IDs this node has seen in the cluster's Raft
	// configuration: one that has left it since was removed.
	members map[string]bool
	plan    Planner // the model a question would go to, for GET /v1/status?plan=1

	stop      chan struct{}
	loopDone  chan struct{} // closed when loop returns; nil if it never ran
	auditDone chan struct{} // likewise for the auditor's writer
	serving   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start starts a node: the mesh listener and its mux, the store (joining or
// bootstrapping the cluster, or rejoining from the data dir), the core, the
// node API on the mesh and on the unix socket, and the heartbeat.
func Start(ctx context.Context, cfg Config) (_ *Node, retErr error) {
	if cfg.Transport == nil {
		return nil, errors.New("node: no transport")
	}
	if cfg.RetainEvery == 0 {
		cfg.RetainEvery = time.Hour
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 2 * time.Second
	}
	if cfg.Stale == 0 {
		cfg.Stale = 5 * cfg.Heartbeat
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, logger: logger, remotes: map[string]*remoteProvider{}, reach: map[string]*reach{},
		stop: make(chan struct{})}
	n.remote.Store(&[]coord.Target{})
	tr := cfg.Transport
	n.hc = meshClient(tr, headerTimeout)
	n.rc = meshClient(tr, 0)
	defer func() {
		if retErr != nil {
			n.teardown(context.Background())
		}
	}()

	// The mesh listener, split by header: Raft, rqlite's cluster service,
	// the node API.
	ln, err := tr.Listen()
	if err != nil {
		return nil, fmt.Errorf("node: listen on the mesh: %w", err)
	}
	if n.mux, err = mesh.NewMux(tr, ln, logger, cluster.MuxRaftHeader, cluster.MuxClusterHeader, HeaderAPI); err != nil {
		ln.Close()
		return nil, fmt.Errorf("node: %w", err)
	}

	// The store and the core.
	join, saved := cfg.Join, false
	if len(join) == 0 && cfg.App.DataDir != "" {
		join = db.SavedJoin(cfg.App.DataDir)
		saved = len(join) > 0
	}
	host, _ := os.Hostname()
	name := cmp.Or(cfg.Name, host)
	if len(join) > 0 && cfg.App.DataDir != "" {
		err := db.CheckJoin(ctx, cfg.App.DataDir)
		switch {
		case err == nil:
			// A join, not a restart: refused at once under a running
			// member's name.
			if err := n.checkJoinName(ctx, name, join); err != nil {
				return nil, err
			}
		case saved && errors.Is(err, db.ErrUsedAlone):
			// The store's own refusal speaks of --join, which was not
			// given: the peers are the ones aiex cluster join recorded.
			return nil, usererr.Wrap(err, "data dir %s holds a store used alone, so it cannot join the cluster through %s that aiex cluster join recorded: delete %s to start it as the first node of a new cluster, or give the joining node a new data dir (aiex --data-dir NEW cluster join PEER)",
				cfg.App.DataDir, strings.Join(join, ", "), filepath.Join(cfg.App.DataDir, db.JoinFile))
		}
	}
	ac := cfg.App
	ac.Cluster = &db.ClusterConfig{
		Raft: n.mux.Layer(cluster.MuxRaftHeader), Service: n.mux.Layer(cluster.MuxClusterHeader),
		Advertise: tr.Addr(), Join: join, Version: cfg.App.Version,
	}
	ac.NodeName = cfg.Name
	ac.LongRunning = true
	ac.Remote = n.remoteTargets
	ac.Nodes = n.usingProvider
	ac.NodeAlive = n.nodeAlive
	if n.app, err = app.New(ctx, ac); err != nil {
		return nil, err
	}
	if cfg.Auditor != nil {
		n.auditDone = make(chan struct{})
		go func() {
			defer close(n.auditDone)
			cfg.Auditor.run(n.app.Store, n.stop)
		}()
	}
	now := time.Now()
	n.self = db.Node{ID: n.app.Store.NodeID(), Name: name, Addr: tr.Addr(), Version: cfg.App.Version,
		StartedAt: now, LastSeen: now}

	// The node API: on the mesh for peers, on a unix socket for this
	// machine's commands (mode 0600: the data dir's owner only).
	// Requests in flight when the node stops are cancelled (their
	// interactions are recorded as such) rather than waited for: an event
	// tail never ends by itself, and a request may be waiting for a leader.
	// So is a heartbeat (it may be waiting for a leader too).
	base, cancelBase := context.WithCancelCause(context.WithoutCancel(ctx))
	n.cancelRequests = func() { cancelBase(errStopping) }
	baseCtx := func(net.Listener) context.Context { return base }
	n.api = &http.Server{ReadHeaderTimeout: 10 * time.Second, BaseContext: baseCtx}
	n.local = &http.Server{Handler: n.routes(true), ReadHeaderTimeout: 10 * time.Second, BaseContext: baseCtx}
	n.api.Handler = n.routes(false)
	if n.sock, err = listenSocket(filepath.Join(n.app.Store.Dir(), SocketName)); err != nil {
		return nil, err
	}
	n.meshAPI = newStoppable(n.mux.Listener(HeaderAPI))
	for _, sl := range []struct {
		srv *http.Server
		l   net.Listener
	}{{n.api, n.meshAPI}, {n.local, n.sock}} {
		n.serving.Go(func() {
			if err := sl.srv.Serve(sl.l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Warn("node API stopped", "err", err)
			}
		})
	}

	// First heartbeat and models now, then on a timer.
	n.beat(ctx)
	n.loopDone = make(chan struct{})
	go n.loop(base)
	logger.Info("node started", "id", n.app.Store.NodeID(), "addr", tr.Addr(), "dir", n.app.Store.Dir())
	return n, nil
}

// SaveJoin records peers for the next start of the node on dataDir
// (db.JoinFile), for a start without Join.
func SaveJoin(dataDir string, peers []string) error { return db.SaveJoin(dataDir, peers) }

// listenSocket listens on a unix socket at path, replacing a stale one a
// crashed node left (the data dir lock proves no live node owns it).
func listenSocket(path string) (net.Listener, error) {
	if len(path) >= 104 {
		return nil, fmt.Errorf("node: socket path %s is too long for a unix socket (%d bytes; the limit is about 104): use a shorter --data-dir", path, len(path))
	}
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("node: %w", err)
	}
	return l, nil
}

// Lost is closed when the node's data dir was deleted or replaced under
// it (db.Store.Lost): the process should stop, with LostErr as its error.
func (n *Node) Lost() <-chan struct{} { return n.app.Store.Lost() }

// LostErr says what happened to the data dir once Lost is closed.
func (n *Node) LostErr() error { return n.app.Store.LostErr() }

// App is the node's core.
func (n *Node) App() *app.App { return n.app }

// Addr is the node's mesh address.
func (n *Node) Addr() string {
	if n.cfg.Transport == nil {
		return "" // serving the socket only (ServeSocket)
	}
	return n.cfg.Transport.Addr()
}

// loop runs the heartbeat until Close, which cancels base: a heartbeat
// waiting for a leader that is gone does not hold up the shutdown.
func (n *Node) loop(base context.Context) {
	defer close(n.loopDone)
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	retained := time.Now()
	removed := false // and said so
	lost := n.app.Store.Lost()
	for {
		select {
		case <-n.stop:
			return
		case <-lost:
			// Its data dir was deleted or replaced: whatever it writes now
			// is lost at exit. Said once; the process stops on Lost.
			n.logger.Error(n.app.Store.LostErr().Error())
			lost = nil
		case <-t.C:
			if st := n.app.Store.Status(); st.Removed {
				if !removed {
					removed = true
					n.logger.Warn("this node was removed from the cluster (aiex cluster leave, or aiex cluster remove on another node) and takes no part in it any more; stop it, and to rejoin start it again with aiex node run --join PEER")
				}
				continue
			}
			ctx, cancel := context.WithTimeout(base, n.cfg.Heartbeat*2)
			n.beat(ctx)
			cancel()
			if time.Since(retained) >= n.cfg.RetainEvery && n.app.Store.Status().State == "leader" {
				retained = time.Now()
				n.retain(base)
			}
		}
	}
}

// retain applies the configured retention (app.Retain), within bounds.
func (n *Node) retain(base context.Context) {
	ctx, cancel := context.WithTimeout(base, 5*time.Minute)
	defer cancel()
	rep, err := n.app.Retain(ctx)
	if err != nil {
		n.logger.Warn("retention", "err", err)
		return
	}
	if rep.Events != nil || rep.Checkpoints != nil {
		n.logger.Info("retention applied", "events", rep.Events, "checkpoints", rep.Checkpoints)
	}
}

// beat records this node as alive, publishes its local models when they
// changed, and refreshes the targets other nodes host.
func (n *Node) beat(ctx context.Context) {
	st := n.app.Store
	n.self.LastSeen = time.Now()
	stmts := []db.Statement{db.UpsertNodeStmt(&n.self)}
	providers := n.cloudProviders(ctx)
	if n.publishedProviders == nil || !slices.Equal(*n.publishedProviders, providers) {
		stmts = append(stmts, db.NodeProvidersStmts(n.self.ID, providers)...)
	}
	if _, err := st.Execute(ctx, stmts...); err != nil {
		n.logger.Debug("heartbeat", "err", err)
	} else {
		n.self.Providers, n.publishedProviders = providers, &providers
	}
	if err := n.publishModels(ctx); err != nil {
		n.logger.Debug("publish models", "err", err)
	}
	if err := n.refreshRemote(ctx); err != nil {
		n.logger.Debug("refresh remote targets", "err", err)
	}
}

// cloudProviders names this node's cloud providers: those whose rate
// limits it shares with the other nodes that configure a provider of the
// same name. Local servers are not shared: each machine has its own.
func (n *Node) cloudProviders(ctx context.Context) []string {
	c, err := n.app.Coord(ctx)
	if err != nil {
		return n.self.Providers // as published last
	}
	var names []string
	for _, t := range c.Targets() {
		if !t.Local && t.Node == "" {
			names = append(names, t.Provider.Name())
		}
	}
	slices.Sort(names)
	return names
}

// usingProvider is the core's Config.Nodes: how many live nodes configure
// a provider called name, this one included (the coordinator asks only
// about this node's own providers). Nodes naming a provider alike are
// taken to use one account, as a team's configurations do, and so to share
// its limits.
func (n *Node) usingProvider(name string) int {
	if m := n.using.Load(); m != nil {
		return 1 + (*m)[name]
	}
	return 1
}

// publishModels writes the models this node's local providers host into
// the models table, when they differ from what is there.
func (n *Node) publishModels(ctx context.Context) error {
	c, err := n.app.Coord(ctx)
	if err != nil {
		return err
	}
	var ms []db.NodeModel
	for _, t := range c.Targets() {
		if !t.Local || t.Node != "" {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		models, err := t.Provider.Models(pctx)
		cancel()
		if err != nil {
			continue // an unreachable server hosts nothing now
		}
		// A configured context_window is the window this node fits its
		// prompts to and runs the model with (Ollama's num_ctx): the one
		// the other nodes fit theirs to too.
		window := n.cfg.App.File.Providers[t.Provider.Name()].ContextWindow
		for _, m := range models {
			ms = append(ms, db.NodeModel{Provider: t.Provider.Name(), Kind: t.Provider.Kind(), Model: m.Name,
				ContextWindow: cmp.Or(window, m.ContextWindow), Loaded: m.Loaded})
		}
	}
	st := n.app.Store
	id := st.NodeID()
	all, err := st.NodeModels(ctx)
	if err != nil {
		return err
	}
	var have []db.NodeModel
	for _, m := range all {
		if m.Node == id {
			m.Node, m.UpdatedAt = "", time.Time{}
			have = append(have, m)
		}
	}
	if slices.Equal(have, ms) {
		return nil
	}
	_, err = st.Execute(ctx, db.ReplaceNodeModelsStmts(id, ms, time.Now())...)
	return err
}

// refreshRemote rebuilds the targets other live nodes host, one per node
// and provider, reusing their providers (and so the coordinator's state).
func (n *Node) refreshRemote(ctx context.Context) error {
	st := n.app.Store
	nodes, err := st.Nodes(ctx)
	if err != nil {
		return err
	}
	models, err := st.NodeModels(ctx)
	if err != nil {
		return err
	}
	// A node removed from the cluster is no member, though its last
	// heartbeat is still recent: requests went to it for the seconds
	// until its beat went stale. It is one seen in the configuration
	// that has left it.
	config, err := st.ConfiguredIDs()
	if err != nil {
		return err
	}
	live := map[string]db.Node{}
	now := time.Now()
	beats := make(map[string]beatSeen, len(nodes))
	n.beatsM.Lock()
	if n.members == nil {
		n.members = map[string]bool{}
	}
	for id := range config {
		n.members[id] = true
	}
	removed := func(id string) bool { return config != nil && !config[id] && n.members[id] }
	for _, nd := range nodes {
		b := n.beats[nd.ID].next(nd.LastSeen, now, n.cfg.Stale)
		beats[nd.ID] = b
		if nd.ID != st.NodeID() && nd.Addr != "" && now.Sub(b.at) < n.cfg.Stale && !removed(nd.ID) {
			live[nd.ID] = nd
		}
	}
	n.beats = beats
	n.beatsM.Unlock()
	reaches := map[string]*reach{}
	for id, nd := range live {
		r := n.reach[id]
		if r == nil || r.addr != nd.Addr {
			r = &reach{addr: nd.Addr}
		}
		r.heartbeat(nd.LastSeen)
		reaches[id] = r
	}
	n.reach = reaches
	label := nodeLabels(live)
	byName := map[string]*remoteProvider{}
	var names []string
	for _, m := range models {
		nd, ok := live[m.Node]
		if !ok {
			continue
		}
		name := label[nd.ID] + "/" + m.Provider
		p := byName[name]
		if p == nil {
			p = n.remotes[name]
			if p == nil || p.addr != nd.Addr || p.reach != reaches[nd.ID] {
				p = &remoteProvider{name: name, node: label[nd.ID], nodeID: nd.ID, addr: nd.Addr, provider: m.Provider, kind: m.Kind,
					hc: n.hc, reach: reaches[nd.ID]}
			}
			p.setModels(nil)
			byName[name] = p
			names = append(names, name)
		}
		p.addModel(m)
	}
	slices.Sort(names)
	targets := make([]coord.Target, 0, len(names))
	for _, name := range names {
		p := byName[name]
		targets = append(targets, coord.Target{Provider: p, Local: true, Node: p.node})
	}
	n.remotes = byName
	n.remote.Store(&targets)
	using := map[string]int{}
	for _, nd := range live {
		for _, p := range nd.Providers {
			using[p]++
		}
	}
	n.using.Store(&using)
	return nil
}

// nodeLabels names each node in its targets' names (NODE/PROVIDER): its
// name, or its ID when another node has the same name (two machines may
// share a host name), so that one target never mixes two nodes' models.
func nodeLabels(nodes map[string]db.Node) map[string]string {
	count := map[string]int{}
	for _, nd := range nodes {
		count[nd.Name]++
	}
	label := make(map[string]string, len(nodes))
	for id, nd := range nodes {
		label[id] = nd.Name
		if count[nd.Name] > 1 || nd.Name == "" {
			label[id] = id
		}
	}
	return label
}

// beatSeen is a node's heartbeat as this node saw it: the time the node
// wrote in its row (by its own clock), and when this node first saw that
// row (by this node's clock). Whether a node is live is judged by the
// second alone, so that a node whose clock is behind is not taken for dead
// and one whose clock is ahead is not taken for live long after it died.
type beatSeen struct {
	row time.Time // nodes.last_seen, the node's clock
	at  time.Time // when this node saw that value first, its own clock
}

// next is b after reading row from the nodes table at now. A row seen for
// the first time (this node just started) is taken at its word when it is
// recent by this node's clock, and as stale otherwise: the node's next
// heartbeat, if it lives, changes the row and makes it live.
func (b beatSeen) next(row, now time.Time, stale time.Duration) beatSeen {
	switch {
	case b.at.IsZero() && now.Sub(row) < stale && !row.After(now):
		return beatSeen{row: row, at: row}
	case b.at.IsZero():
		return beatSeen{row: row, at: now.Add(-stale)}
	case !row.Equal(b.row):
		return beatSeen{row: row, at: now}
	}
	return b
}

// nodeAlive is the core's Config.NodeAlive: whether the node with Raft ID
// id heartbeated within Stale, as this node saw its heartbeat change.
func (n *Node) nodeAlive(id string) (alive, known bool) {
	n.beatsM.Lock()
	defer n.beatsM.Unlock()
	b, ok := n.beats[id]
	if !ok {
		return false, false
	}
	return time.Since(b.at) < n.cfg.Stale, true
}

// remoteTargets is the coordinator's Config.Remote.
func (n *Node) remoteTargets() []coord.Target { return *n.remote.Load() }

// Close shuts the node down in order: the heartbeat stops; the node API
// stops taking requests and cancels those in flight (each ends recorded as
// cancelled; the wait for them is bounded by ctx);
// the core closes — the store hands leadership over if it has it, then
// closes its Raft and cluster service; then the mux and the transport,
// which nothing uses any more. It is safe to call twice.
func (n *Node) Close(ctx context.Context) error {
	n.closeOnce.Do(func() { n.closeErr = n.teardown(ctx) })
	return n.closeErr
}

func (n *Node) teardown(ctx context.Context) error {
	var errs []error
	select {
	case <-n.stop:
	default:
		close(n.stop)
	}
	if n.cancelRequests != nil {
		n.cancelRequests()
	}
	for _, srv := range []*http.Server{n.api, n.local} {
		if srv != nil {
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close() // in-flight streams past the deadline are cut
			}
		}
	}
	n.serving.Wait()
	if n.loopDone != nil {
		<-n.loopDone
	}
	if n.auditDone != nil {
		<-n.auditDone
	}
	if n.sock != nil {
		os.Remove(n.sock.Addr().String())
	}
	if n.app != nil && !n.borrowed {
		if err := n.app.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if n.mux != nil {
		if err := n.mux.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if n.meshAPI != nil {
		n.meshAPI.wait() // its pump ends with the mux
	}
	if n.cfg.Transport != nil {
		if err := n.cfg.Transport.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// stoppable is a listener whose Close makes Accept return at once, while
// the listener under it stays open: one goroutine accepts from it and
// hands connections over until it fails (when its owner closes it).
type stoppable struct {
	net.Listener
	conns chan net.Conn
	stop  chan struct{}
	once  sync.Once
	done  chan struct{}
}

func newStoppable(l net.Listener) *stoppable {
	s := &stoppable{Listener: l, conns: make(chan net.Conn), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			select {
			case s.conns <- c:
			case <-s.stop:
				c.Close()
			}
		}
	}()
	return s
}

func (s *stoppable) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case <-s.stop:
		return nil, net.ErrClosed
	}
}

func (s *stoppable) Close() error {
	s.once.Do(func() { close(s.stop) })
	return nil
}

// wait waits for the accepting goroutine, once the listener under it is
// closed.
func (s *stoppable) wait() { <-s.done }
