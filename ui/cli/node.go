package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// NodeCmd groups the node daemon's commands.
type NodeCmd struct {
	Run NodeRunCmd `cmd:"" help:"Run this data dir as a cluster node until SIGINT/SIGTERM."`
}

// NodeRunCmd runs the node daemon.
type NodeRunCmd struct {
	Tsnet      string   `placeholder:"HOSTNAME" xor:"transport" help:"Join the tailnet as HOSTNAME through tsnet (TS_AUTHKEY registers it the first time)."`
	ControlURL string   `name:"control-url" placeholder:"URL" env:"TS_CONTROL_URL" help:"Tailnet coordination server, e.g. a headscale (default: Tailscale's)."`
	Listen     string   `placeholder:"ADDR" xor:"transport" help:"Plain TCP: listen on ADDR (mutual TLS with the cluster key)."`
	Advertise  string   `placeholder:"HOST:PORT" help:"Plain TCP: the address peers dial (default: --listen)."`
	ClusterKey string   `name:"cluster-key" placeholder:"FILE" predictor:"file" help:"Plain TCP: the cluster key file (or AIEX_CLUSTER_KEY holding the key)."`
	Join       []string `placeholder:"PEER" sep:"," help:"Peers' mesh addresses to join through, when this data dir is not yet a member."`
	Name       string   `placeholder:"NAME" help:"This node's name (default: the host name)."`
	AllowUser  []string `name:"allow-user" placeholder:"LOGIN" sep:"," help:"Tailnet users who may join and call this node (default: [cluster] allow_users in the config, else your own user)."`
	AllowTag   []string `name:"allow-tag" placeholder:"TAG" sep:"," help:"Tags (tag:NAME) whose nodes may join and call this node (default: [cluster] allow_tags in the config)."`
	Tag        []string `placeholder:"TAG" sep:"," help:"Tags this node declares (plain TCP) or requests (tailnet)."`
	Web        string   `placeholder:"ADDR" help:"Serve the web UI on ADDR (reserved: not available yet)."`
}

// shutdownTimeout bounds the ordered teardown after a signal: well under a
// second normally, 2 s at worst when every peer is gone
// (app/node/DESIGN.md).
const shutdownTimeout = 10 * time.Second

// Run starts the node and serves until the context ends (a signal).
func (nc *NodeRunCmd) Run(c *Context) error {
	if nc.Web != "" {
		return usererr.Usage("--web is reserved for the web UI, which this version does not have yet")
	}
	if nc.Tsnet == "" && nc.Listen == "" {
		return usererr.Usage("aiex node run needs a transport: --tsnet HOSTNAME (a tailnet) or --listen ADDR (plain TCP with --cluster-key)")
	}
	if nc.Listen != "" {
		if err := checkHostPort("--listen", nc.Listen, true); err != nil {
			return err
		}
		if nc.Advertise == "" && everyInterface(nc.Listen) {
			return usererr.Usage("--listen %s listens on every interface, which peers cannot dial: add --advertise HOST:PORT, the address they dial (e.g. 10.0.0.5:7420)", nc.Listen)
		}
	}
	if nc.Advertise != "" {
		if err := checkHostPort("--advertise", nc.Advertise, false); err != nil {
			return err
		}
	}
	if len(nc.Join) == 0 && onCommandLine(c.args, "--join") {
		// --join "$PEER" with PEER unset would start a cluster of its own,
		// which can then never join the one meant.
		return usererr.Usage("--join is empty: give the address (HOST:PORT) of a member to join through, or leave the flag out to start a new cluster")
	}
	for _, peer := range nc.Join {
		if err := checkHostPort("--join", peer, false); err != nil {
			return err
		}
		// Joining through itself would find no cluster there and start a
		// new one of its own, which can then never join the one meant.
		if nc.Tsnet == "" && sameAddr(peer, cmp.Or(nc.Advertise, nc.Listen)) {
			return usererr.Usage("--join %s is this node's own address; give another node's", peer)
		}
	}
	if err := nc.checkNames(); err != nil {
		return err
	}
	if nc.Listen != "" && len(nc.AllowUser) > 0 {
		return usererr.Usage("--allow-user applies to tailnet nodes (--tsnet) only: plain-TCP peers have no user login; they are admitted by the cluster key, and by the tags they declare (--tag) when --allow-tag is given")
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	// Who may join: the flags, else the config's [cluster] table.
	users, tags := nc.AllowUser, nc.AllowTag
	if len(users) == 0 && len(tags) == 0 {
		users, tags = cfg.File.Cluster.AllowUsers, cfg.File.Cluster.AllowTags
		if nc.Listen != "" && len(users) > 0 {
			// One file may serve tailnet nodes and plain-TCP ones; a
			// plain-TCP peer has no login for the users to match.
			fmt.Fprintf(c.Out.Err, "aiex: warning: [cluster] allow_users in %s applies to tailnet nodes (--tsnet) only; plain-TCP peers are admitted by the cluster key and allow_tags\n", cfg.ConfigPath)
			users = nil
		}
	}
	if nc.Listen != "" && len(tags) > 0 && !slices.ContainsFunc(nc.Tag, func(t string) bool { return slices.Contains(tags, t) }) {
		// Peers sharing the same list refuse a node that declares none
		// of it, and its join then fails with no word of tags.
		from := "--allow-tag"
		if len(nc.AllowTag) == 0 {
			from = "[cluster] allow_tags in " + cfg.ConfigPath
		}
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s admits only plain-TCP peers that declare %s (--tag), and this node declares none of them: nodes with the same list will refuse it; add --tag %s\n",
			from, strings.Join(tags, " or "), tags[0])
	}
	mc := node.MeshConfig{Tailnet: nc.Tsnet, ControlURL: nc.ControlURL, Listen: nc.Listen, Advertise: nc.Advertise,
		Node: nc.Name, AllowUsers: users, AllowTags: tags, Tags: nc.Tag, Logger: c.Logger}
	if nc.Tsnet == "" {
		switch {
		case nc.ClusterKey != "":
			if mc.Key, err = node.ReadKey(nc.ClusterKey); err != nil {
				return err
			}
		default:
			mc.Key = strings.TrimSpace(os.Getenv("AIEX_CLUSTER_KEY"))
		}
	}
	if nc.Tsnet != "" {
		// Parts of tsnet (tlsdial, dialing the control server) write to
		// the standard log package, which would print on stderr whatever
		// -v says: their lines are the tailnet's debugging, as tsnet's
		// own backend logs are.
		defer stdLogToDebug(c.Logger)()
	}
	auditor := &node.Auditor{Node: nc.Name}
	mc.OnRefused = auditor.OnRefused
	_, statErr := os.Stat(cfg.DataDir)
	newDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return usererr.Wrap(err, "cannot create the data dir %s: %v", cfg.DataDir, err)
	}
	tr, err := node.NewTransport(c, cfg.DataDir, mc)
	if err != nil {
		if newDir {
			os.Remove(cfg.DataDir) // made by this run, if still empty (a busy --listen)
		}
		return err
	}
	n, err := node.Start(c, node.Config{App: cfg, Transport: tr, Join: nc.Join, Name: nc.Name, Logger: c.Logger, Auditor: auditor})
	if err != nil {
		tr.Close()
		var je *node.JoinError
		if newDir && nc.Tsnet == "" && errors.As(err, &je) {
			// Nobody admitted the node: the dir this run made holds
			// nothing worth keeping, and a next try starts afresh. (A
			// tailnet node's state is kept: it is registered.)
			os.RemoveAll(cfg.DataDir)
		}
		return err
	}
	// Caught from now on: see quitSignals.
	sigs := catchQuitSignals()
	defer sigs.stop()
	st := n.App().Store.Status()
	fmt.Fprintf(c.Out.Err, "aiex node %s running: mesh %s, %s (leader %s); Ctrl-C stops it\n", st.NodeID, n.Addr(), st.State, st.Leader)
	if other, ok := n.NameShared(c); ok {
		fmt.Fprintf(c.Out.Err, "aiex: warning: member %s at %s also runs under the name %q (it joined while this node was down); both are named by their IDs until one is renamed (aiex node run --name NAME) or removed (aiex cluster remove ID)\n",
			other.ID, other.Addr, other.Name)
	}
	select {
	case <-c.Done():
	case <-n.Lost():
		// The data dir was deleted or replaced under the node: whatever
		// it wrote from then on is lost, and another process could take
		// the dir. It stops at once, saying so.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c), shutdownTimeout)
		defer cancel()
		n.Close(ctx)
		return n.LostErr()
	}
	// The answers streamed for clients (other commands and TUIs on the
	// socket, attached TUIs of other nodes) are theirs: finished first,
	// within a bound, unless a second signal says not to wait.
	finishServing(c, n, sigs)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c), shutdownTimeout)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		return fmt.Errorf("node shutdown: %w", err)
	}
	fmt.Fprintln(c.Out.Err, "aiex node stopped")
	return nil
}

// stdLogToDebug sends what the standard log package prints to logger, at
// debug level, until the function it returns puts the log back as it was.
func stdLogToDebug(logger *slog.Logger) (restore func()) {
	out, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(debugWriter{logger})
	log.SetFlags(0) // the logger stamps the time
	log.SetPrefix("")
	return func() {
		log.SetOutput(out)
		log.SetFlags(flags)
		log.SetPrefix(prefix)
	}
}

// debugWriter logs each write, one line of the standard log package, at
// debug level.
type debugWriter struct{ logger *slog.Logger }

func (w debugWriter) Write(p []byte) (int, error) {
	w.logger.Debug(strings.TrimSuffix(string(p), "\n"), "component", "log")
	return len(p), nil
}

// checkHostPort checks addr, the value of flag, as HOST:PORT before
// anything starts, so that a mistake is a usage error naming the flag.
// listen allows an empty host (every interface) and port 0 (any free
// port); an address peers dial needs both.
func checkHostPort(flag, addr string, listen bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usererr.Usage("%s %s: want HOST:PORT, e.g. 10.0.0.5:7420", flag, addr)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	switch {
	case listen && err != nil:
		return usererr.Usage("%s %s: port %s is not a number from 0 (any free port) to 65535", flag, addr, port)
	case listen:
		return nil
	case err != nil || n == 0:
		return usererr.Usage("%s %s: port %s is not a number from 1 to 65535", flag, addr, port)
	case host == "":
		return usererr.Usage("%s %s: give the host or IP address peers dial", flag, addr)
	case strings.IndexFunc(host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return usererr.Usage("%s %s: %q is not a host name or IP address", flag, addr, host)
	}
	return nil
}

// sameAddr reports whether peer is the address own: the same host and
// port, any two loopback hosts (localhost, 127.0.0.1, ::1) being the same.
func sameAddr(peer, own string) bool {
	ph, pp, err1 := net.SplitHostPort(peer)
	oh, op, err2 := net.SplitHostPort(own)
	if err1 != nil || err2 != nil || pp != op {
		return false
	}
	loopback := func(h string) bool {
		ip := net.ParseIP(h)
		return strings.EqualFold(h, "localhost") || ip != nil && ip.IsLoopback()
	}
	return strings.EqualFold(ph, oh) || loopback(ph) && loopback(oh)
}

// checkNames checks --name, --tag and --allow-tag before anything starts,
// so that a mistake is a usage error naming the flag rather than the
// mesh's refusal to listen. The rule is the mesh's own (node and tag
// names go into its certificates, and the status shows them): 1–63
// letters, digits, '-', '_' or '.', and tags as tag:NAME.
func (nc *NodeRunCmd) checkNames() error {
	if nc.Name != "" && !meshName(nc.Name) {
		return usererr.Usage("--name %q: a node name is 1 to 63 letters, digits, '-', '_' or '.' (e.g. gpu-box)", nc.Name)
	}
	// The tailnet host name is the node's name on the mesh too.
	if nc.Tsnet != "" && !meshName(nc.Tsnet) {
		return usererr.Usage("--tsnet %q: a host name is 1 to 63 letters, digits, '-', '_' or '.' (e.g. gpu-box)", nc.Tsnet)
	}
	for _, f := range []struct {
		flag string
		tags []string
	}{{"--tag", nc.Tag}, {"--allow-tag", nc.AllowTag}} {
		for _, t := range f.tags {
			if name, ok := strings.CutPrefix(t, "tag:"); !ok || !meshName(name) {
				return usererr.Usage("%s %q: a tag is tag:NAME, NAME being 1 to 63 letters, digits, '-', '_' or '.' (e.g. tag:aiex)", f.flag, t)
			}
		}
	}
	return nil
}

// meshName reports whether s is a name the mesh takes for a node or a
// tag: mesh.ValidName, which the CLI may not import (layout_test.go);
// TestMeshNameAgreesWithMesh keeps the two in step.
func meshName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// everyInterface reports whether the listen address addr (a valid
// HOST:PORT) has no host or an unspecified one (0.0.0.0, ::).
func everyInterface(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return host == "" || ip != nil && ip.IsUnspecified()
}

// drainGrace bounds the wait for the answers a quitting process streams
// for its clients: long enough for most answers to end, short enough for
// someone who asked it to stop.
const drainGrace = 30 * time.Second

// server is what finishServing needs of a process's node API: node.Node,
// for a node or a core lent through the socket.
type server interface {
	Serving() int
	Drain(ctx context.Context) int
}

// finishServing waits, once the command's context has ended (the first
// SIGINT or SIGTERM), for the answers srv streams for its clients to
// finish: drainGrace at most, and no longer than the next signal. It says
// so on stderr when there are any, and how many it leaves to be cut (the
// server's Close records them as interrupted by its quitting).
func finishServing(c *Context, srv server, sigs *quitSignals) {
	// The signal that ended the context reached sigs too: it is not the
	// second one.
	sigs.forget()
	n := srv.Serving()
	if n == 0 {
		return
	}
	fmt.Fprintf(c.Out.Err, "finishing %s for clients; Ctrl-C again stops at once\n", english.Count(n, "answer"))
	c.Logger.Info("finishing the answers for clients before stopping", "answers", n, "grace", drainGrace)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c), drainGrace)
	defer cancel()
	var again bool
	left := func() int {
		// The second signal ends the wait; this goroutine ends with it.
		done := make(chan struct{})
		defer func() { cancel(); <-done }()
		go func() {
			defer close(done)
			select {
			case <-sigs.c:
				again = true
				cancel()
			case <-ctx.Done():
			}
		}()
		return srv.Drain(ctx)
	}()
	if again {
		// A third signal kills, as main lets the second do elsewhere.
		sigs.stop()
	}
	if left > 0 {
		fmt.Fprintf(c.Out.Err, "stopping with %s for clients unfinished: recorded as interrupted\n", english.Count(left, "answer"))
	}
}

// quitSignals catches SIGINT and SIGTERM while a command serves answers
// for clients. main turns the first signal into the end of the command's
// context and lets a second kill the process; here the second ends the
// wait for those answers instead (finishServing), and the process still
// closes in order: the answers it cuts are recorded, the store closed.
// They are caught from the command's start rather than once the first has
// arrived: main stops watching them on the first, and a second one
// between that and a later Notify would kill the process as before.
type quitSignals struct {
	c    chan os.Signal
	once sync.Once
}

func catchQuitSignals() *quitSignals {
	q := &quitSignals{c: make(chan os.Signal, 1)}
	signal.Notify(q.c, os.Interrupt, syscall.SIGTERM)
	return q
}

// forget drops the signal caught before now: main has acted on it (it
// ended the context). main calls signal.Stop before it ends the context,
// and Stop returns only once the signal has been delivered to every
// channel: the one that ended the context is in c by then, if it was
// SIGINT or SIGTERM (a SIGHUP is not caught here).
func (q *quitSignals) forget() {
	select {
	case <-q.c:
	default:
	}
}

// stop stops catching: a signal from now on does what main lets it do.
// Safe to call twice.
func (q *quitSignals) stop() { q.once.Do(func() { signal.Stop(q.c) }) }
