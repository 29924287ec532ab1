package cli

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// ClusterCmd groups the cluster's commands.
type ClusterCmd struct {
	Init    ClusterInitCmd    `cmd:"" help:"Write a new cluster key, for nodes on plain TCP."`
	Status  ClusterStatusCmd  `cmd:"" help:"Nodes, leader, Raft state, each node's models and health (from the node running on the data dir)."`
	Join    ClusterJoinCmd    `cmd:"" help:"Record peers for this data dir's node to join through when it next starts (aiex node run)."`
	Leave   ClusterLeaveCmd   `cmd:"" help:"Make the node running on the data dir leave its cluster."`
	Remove  ClusterRemoveCmd  `cmd:"" help:"Remove another node from the cluster."`
	Recover ClusterRecoverCmd `cmd:"" help:"Make this data dir's stopped node the only voter of its cluster, keeping its data, when the others are lost for good."`
}

// ClusterInitCmd writes a cluster key.
type ClusterInitCmd struct {
	Out string `required:"" placeholder:"FILE" predictor:"file" help:"Where to write the key (mode 0600; an existing file is never overwritten)."`
}

// Run writes the key and prints its fingerprint.
func (ci *ClusterInitCmd) Run(c *Context) error {
	if err := checkOutFile("--out", ci.Out); err != nil {
		return err
	}
	if _, err := os.Lstat(ci.Out); err == nil {
		return usererr.New("%s already exists; a cluster key is never overwritten: remove it first, or give --out another file", ci.Out)
	}
	fp, err := node.InitKey(ci.Out)
	if err != nil {
		return err
	}
	if c.Out.JSON {
		abs, _ := filepath.Abs(ci.Out)
		return c.Out.PrintJSON(struct {
			KeyFile     string `json:"key_file"`
			Fingerprint string `json:"fingerprint"`
		}{abs, fp})
	}
	fmt.Fprintf(c.Out.Out, "wrote cluster key %s (fingerprint %s); give it to every node: aiex node run --listen ADDR --cluster-key %s\n", ci.Out, fp, ci.Out)
	return nil
}

// connectNode returns a client of the node running on the data dir.
func connectNode(c *Context) (*node.Client, error) {
	cfg, err := c.appConfig()
	if err != nil {
		return nil, err
	}
	cl, err := connect(c, cfg.DataDir)
	if errors.Is(err, node.ErrNoNode) {
		if who, busy := app.DataDirBusy(cfg.DataDir); busy {
			return nil, usererr.New("no node serves %s yet: %s holds it (a node still starting, or another command); try again in a moment", cfg.DataDir, who)
		}
		return nil, usererr.New("no node is running on %s; start one with aiex node run (--tsnet NAME or --listen ADDR)", cfg.DataDir)
	}
	return cl, err
}

// connect connects to the node serving dataDir (node.Connect). A node
// starting holds the data dir a moment before it serves its socket: while
// the data dir is held and no socket answers, it waits for one, up to
// goneWait (nodeStartWait for a node, which says so after a second),
// rather than report no node (and the caller then open a store that is
// in use).
func connect(c *Context, dataDir string) (*node.Client, error) {
	cl, err := node.Connect(c, dataDir)
	if c.app != nil {
		// This process holds the data dir: an earlier step of the command
		// opened its own core (no node served it then), and none will.
		return cl, err
	}
	start := time.Now()
	said := false
	starting := 0 // the PID of a node seen starting
	for deadline := start.Add(goneWait); errors.Is(err, node.ErrNoNode); {
		if _, busy := app.DataDirBusy(dataDir); !busy {
			if starting != 0 {
				// It exited without serving the data dir (a join
				// refused): the command must not open a store there
				// of its own, which could then never join.
				return nil, usererr.New("the aiex node (PID %d) on data dir %s exited before it finished starting; see its output, and start it again", starting, dataDir)
			}
			break
		}
		// A node takes longer to start than a TUI: it may join its
		// cluster and catch up with the leader first. Waited for while
		// it runs, and said so.
		if n, ok := node.Starting(dataDir); ok {
			if n.Stopped {
				return nil, usererr.New("the aiex node (PID %d) starting on data dir %s is stopped (Ctrl+Z); bring it back with fg in its shell, or kill -CONT %d", n.PID, dataDir, n.PID)
			}
			starting, deadline = n.PID, start.Add(nodeStartWait)
			if time.Now().After(deadline) {
				return nil, usererr.New("the aiex node (PID %d) on data dir %s has not finished starting after %s; see its output (it may still be joining its cluster or waiting for a leader)", n.PID, dataDir, nodeStartWait)
			}
			if !said && time.Since(start) > time.Second {
				fmt.Fprintf(c.Out.Err, "aiex: waiting for the aiex node (PID %d) to finish starting on %s\n", n.PID, dataDir)
				said = true
			}
		} else if time.Now().After(deadline) {
			break
		}
		select {
		case <-c.Done():
			return nil, c.Err()
		case <-time.After(50 * time.Millisecond):
		}
		cl, err = node.Connect(c, dataDir)
	}
	if cl != nil {
		cl.Notice = func(msg string) { fmt.Fprintf(c.Out.Err, "aiex: %s\n", msg) }
	}
	return cl, err
}

// nodeStartWait bounds how long a command waits for a node that is
// starting: db.Open's 10 s for a leader (joining included), its catch-up's
// 10.24 s more, and the 10 s a node waits for a command holding its data
// dir, with some to spare.
const nodeStartWait = 40 * time.Second

// ClusterStatusCmd shows the cluster.
type ClusterStatusCmd struct{}

// Help is cluster status's help beyond its one line: its exit status.
func (cs *ClusterStatusCmd) Help() string {
	return "Exits 1 (after printing the status) when the cluster cannot write as this node sees it: no leader known (no quorum), or this node was removed from its cluster or runs apart from its recovered cluster."
}

// Run prints the members, the nodes' heartbeats and the models each hosts.
func (cs *ClusterStatusCmd) Run(c *Context) error {
	cl, err := connectNode(c)
	if err != nil {
		return err
	}
	st, err := cl.Status(c)
	if err != nil {
		return err
	}
	if c.Out.JSON {
		if err := c.Out.PrintJSON(st); err != nil {
			return err
		}
		return statusProblem(st)
	}
	switch {
	case st.Store.Dropped != "":
		fmt.Fprintf(c.Out.Out, "this node %s at %s: runs apart from its recovered cluster, and refuses writes: %s\n", st.Self, st.Addr, st.Store.Dropped)
	case st.Store.Removed:
		fmt.Fprintf(c.Out.Out, "this node %s at %s: removed from the cluster (it left, or another node removed it); stop it, and to rejoin start it again with aiex node run --join PEER\n", st.Self, st.Addr)
	case st.Store.Leader == "":
		fmt.Fprintf(c.Out.Out, "this node %s at %s: %s, no leader known, applied index %d; start the nodes that are down, or if they are lost for good, stop this node and run aiex cluster recover on its data dir\n", st.Self, st.Addr, st.Store.State, st.Store.AppliedIndex)
	default:
		fmt.Fprintf(c.Out.Out, "this node %s at %s: %s, leader %s, applied index %d\n", st.Self, st.Addr, st.Store.State, st.Store.Leader, st.Store.AppliedIndex)
	}
	if st.Error != "" {
		fmt.Fprintf(c.Out.Out, "members unknown: %s\n", st.Error)
	}
	seen := map[string]time.Time{}
	names := map[string]string{}
	for _, n := range st.Nodes {
		seen[n.ID], names[n.ID] = n.LastSeen, n.Name
	}
	models := map[string][]string{}
	for _, m := range st.Models {
		models[m.Node] = append(models[m.Node], m.Provider+"/"+m.Model)
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("NODE\tNAME\tADDR\tROLE\tRAFT\tAPPLIED\tREACHABLE\tLAST SEEN\tMODELS"))
	for i, m := range st.Members {
		role := memberRole(st, i)
		last := "-"
		if t, ok := seen[m.ID]; ok {
			last = ago(time.Since(t))
		}
		ms := strings.Join(models[m.ID], ", ")
		if ms == "" {
			ms = "-"
		}
		state := m.State
		if state == "" {
			state = "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%v\t%s\t%s\n", m.ID, names[m.ID], m.Addr, role, state, m.AppliedIndex, m.Reachable, last, ms)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if w := versionsWarning(st); w != "" {
		if _, err := fmt.Fprintln(c.Out.Out, w); err != nil {
			return err
		}
	}
	return statusProblem(st)
}

// statusProblem is the error (exit 1) of cluster status when this node's
// cluster cannot take its writes: no leader known (no quorum), this node
// removed, or running apart from its recovered cluster; nil otherwise.
func statusProblem(st *node.ClusterStatus) error {
	switch {
	case st.Store.Dropped != "":
		return usererr.New("this node runs apart from its recovered cluster: %s", st.Store.Dropped)
	case st.Store.Removed:
		return usererr.New("this node was removed from its cluster (it left, or another node removed it): stop it, and to rejoin start it again with aiex node run --join PEER")
	case st.Store.Leader == "":
		voters, up := 0, 0
		for _, m := range st.Members {
			if m.Voter {
				voters++
				if m.Reachable {
					up++
				}
			}
		}
		return usererr.New("this node knows no leader: the cluster has no quorum: %d of %d nodes reachable, and writes wait until a majority of its nodes answers: start the nodes that are down (REACHABLE false above); only if they are lost for good, stop this node and run aiex cluster recover on its data dir", up, voters)
	}
	return nil
}

// memberRole is what ROLE shows for member i of st, as far as this node
// knows it: this node's own Raft state; "leader" for
// the leader; "follower" (or "non-voter") for a reachable node while a
// leader is known, which it then follows; "?" otherwise: an unreachable
// node may be down or in an election, and while no leader is known a
// reachable one may be a candidate as well as a follower.
func memberRole(cs *node.ClusterStatus, i int) string {
	m, st := cs.Members[i], cs.Store
	switch {
	case m.Self && st.State != "":
		role := strings.ToLower(st.State)
		if role == "follower" && !m.Voter {
			role = "non-voter"
		}
		return role
	case m.Leader:
		return "leader"
	case !m.Reachable || st.Leader == "" || st.Removed || st.Dropped != "":
		return "?"
	case !m.Voter:
		return "non-voter"
	}
	return "follower"
}

// versionsWarning says, when the members run more than one version of
// aiex, which runs where: mid-upgrade that is expected, left so it is
// not — the members older than the store's schema refuse writes.
func versionsWarning(st *node.ClusterStatus) string {
	member := map[string]bool{}
	for _, m := range st.Members {
		member[m.ID] = true
	}
	byVersion := map[string][]string{}
	for _, n := range st.Nodes {
		if member[n.ID] && n.Version != "" {
			byVersion[n.Version] = append(byVersion[n.Version], cmp.Or(n.Name, n.ID))
		}
	}
	if len(byVersion) < 2 {
		return ""
	}
	var parts []string
	for _, v := range slices.Sorted(maps.Keys(byVersion)) {
		slices.Sort(byVersion[v])
		parts = append(parts, v+" on "+strings.Join(byVersion[v], ", "))
	}
	return "warning: the nodes run different versions of aiex (" + strings.Join(parts, "; ") +
		"): finish upgrading them, one at a time; a node whose aiex is older than the cluster's store schema must not write to it (this aiex and later ones refuse to)"
}

// ago says how long ago a node's heartbeat was, by its own clock: a
// node whose clock is ahead of this one's has heartbeated "just now", not
// "-3s ago".
func ago(d time.Duration) string {
	if d < time.Second {
		return "just now"
	}
	return d.Round(time.Second).String() + " ago"
}

// ClusterLeaveCmd makes the node leave.
type ClusterLeaveCmd struct{}

// Run asks the running node to leave its cluster.
func (cl *ClusterLeaveCmd) Run(c *Context) error {
	client, err := connectNode(c)
	if err != nil {
		return err
	}
	if err := client.Leave(c); err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(struct {
			Left bool `json:"left"`
		}{true})
	}
	fmt.Fprintln(c.Out.Out, "left the cluster; stop the node with Ctrl-C or SIGTERM")
	return nil
}

// ClusterRemoveCmd removes a node.
type ClusterRemoveCmd struct {
	Node string `arg:"" placeholder:"NODE" help:"The node's ID or name, as aiex cluster status shows them."`
}

// Run asks the running node to remove another one.
func (cr *ClusterRemoveCmd) Run(c *Context) error {
	client, err := connectNode(c)
	if err != nil {
		return err
	}
	if err := client.Remove(c, cr.Node); err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(struct {
			Removed string `json:"removed"`
		}{cr.Node})
	}
	fmt.Fprintf(c.Out.Out, "removed %s from the cluster\n", cr.Node)
	return nil
}

// ClusterJoinCmd records peers to join through.
type ClusterJoinCmd struct {
	Peers []string `arg:"" placeholder:"PEER" help:"Mesh addresses (HOST:PORT) of members of the cluster to join."`
}

// Run writes the peers into the data dir, where aiex node run reads them
// when it is given no --join. A running node cannot join another cluster:
// it is a member of its own.
func (cj *ClusterJoinCmd) Run(c *Context) error {
	// Checked as node run checks --join, before anything else: a peer
	// stored here is only dialled at the node's next start, where a
	// mistake reads as a peer that did not admit it.
	for _, p := range cj.Peers {
		if err := checkHostPort("peer", p, false); err != nil {
			return err
		}
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	if cl, err := node.Connect(c, cfg.DataDir); err == nil {
		if st, err := cl.Status(c); err == nil && st.Addr == "" {
			// A TUI or events tail serving the data dir, with no mesh:
			// the store is one of its own, which may join once that
			// process has quit.
			return usererr.New("data dir %s is open in an aiex TUI or events tail serving it: quit that first, then run aiex cluster join again", cfg.DataDir)
		}
		// Its data dir is a member of the cluster it runs in (its own, if
		// it started alone), which cannot join another; stopping it first
		// would only get CheckJoin's refusal.
		return usererr.New("a node is running on %s as a member of its cluster, so this data dir cannot join another: give the joining node a new data dir (aiex --data-dir NEW cluster join PEER, or aiex node run --data-dir NEW --join PEER)", cfg.DataDir)
	}
	if err := node.CheckJoin(c, cfg.DataDir); err != nil {
		return err
	}
	if err := node.SaveJoin(cfg.DataDir, cj.Peers); err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(struct {
			DataDir string   `json:"data_dir"`
			Peers   []string `json:"peers"`
		}{cfg.DataDir, cj.Peers})
	}
	fmt.Fprintf(c.Out.Out, "aiex node run on %s will join through %s\n", cfg.DataDir, strings.Join(cj.Peers, ", "))
	return nil
}

// ClusterRecoverCmd makes a stopped node the only voter of its cluster.
type ClusterRecoverCmd struct {
	DryRun     bool   `name:"dry-run" help:"Say which nodes recovery would drop; change nothing."`
	Yes        bool   `short:"y" help:"Do not ask for confirmation (needed when stdin is not a terminal)."`
	ClusterKey string `name:"cluster-key" placeholder:"FILE" predictor:"file" help:"Plain TCP: the cluster key file (or AIEX_CLUSTER_KEY), to ask the nodes recovery would drop how far they are; without it, recover only checks whether they listen."`
	Force      bool   `help:"Recover even though nodes it would drop answer (a quorum, or newer data): only if you know they must go."`
}

// Run recovers the node of the data dir — after showing what it will do
// and asking, on a terminal — and prints what it did and what to do next
// or, with --json, the recovery.
//
// A cluster that lost its quorum for good (one node of two, two of three)
// cannot commit anything, the removal of the lost nodes included, and its
// survivors wait for a leader for ever. Recovery rewrites the survivor's
// Raft configuration with it as the only voter (see node.Recover).
func (r *ClusterRecoverCmd) Run(c *Context) error {
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	if _, err := node.Connect(c, cfg.DataDir); err == nil {
		return usererr.New("a node (or the TUI) is running on %s; stop it, then run aiex cluster recover again", cfg.DataDir)
	}
	key := strings.TrimSpace(os.Getenv("AIEX_CLUSTER_KEY"))
	if r.ClusterKey != "" {
		if key, err = node.ReadKey(r.ClusterKey); err != nil {
			return err
		}
	}
	// First ask the nodes it would drop: a recovery must never drop a
	// cluster that still has its quorum, or data this node lacks.
	dial, release, err := node.RecoverDialer(key)
	if err != nil {
		return err
	}
	defer release()
	rc := node.RecoverConfig{Dir: cfg.DataDir, DryRun: true, Logger: c.Logger, Dial: dial, Force: r.Force}
	if !r.Yes && !r.DryRun {
		// Look first: refusals come before any question.
		plan, err := node.Recover(c, rc)
		if err != nil {
			return err
		}
		if err := r.confirm(c, plan); err != nil {
			return err
		}
	}
	rc.DryRun = r.DryRun
	rec, err := node.Recover(c, rc)
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(rec)
	}
	w := c.Out.Out
	if up := answered(rec.Dropped); up != "" {
		verb := "were"
		if rec.DryRun {
			verb = "would be"
		}
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s answered and %s dropped (--force): stop each, and start it again only on a new data dir with aiex node run --join %s\n", up, verb, rec.Addr)
	}
	if rec.DryRun {
		fmt.Fprintf(w, "recovery would make node %s the only voter of its cluster, with all its data, and drop %s\n", rec.Node, droppedList(rec.Dropped))
		fmt.Fprintln(w, "nothing changed; run aiex cluster recover without --dry-run to recover")
		return nil
	}
	fmt.Fprintf(w, "node %s is now the only voter of its cluster, with all its data; dropped %s\n", rec.Node, droppedList(rec.Dropped))
	fmt.Fprintf(w, "next: start it with aiex node run and the flags it had, so that it is at %s again; a lost node that comes back must not start from its old data dir: give it a new one and aiex node run --join %s\n", rec.Addr, rec.Addr)
	return nil
}

// confirm shows the recovery and asks on a terminal; elsewhere it wants
// --yes.
func (r *ClusterRecoverCmd) confirm(c *Context, plan *node.Recovery) error {
	if !c.StdinTTY || c.Stdin == nil || c.Out.JSON {
		return usererr.Usage("recovery makes node %s the only voter of its cluster and drops %s; add --yes to do it (--dry-run changes nothing)", plan.Node, droppedList(plan.Dropped))
	}
	e := c.Out.Err
	fmt.Fprintf(e, "Recovery makes node %s (%s) the only voter of its cluster, keeping all its data, and drops %s.\n", plan.Node, plan.Addr, droppedList(plan.Dropped))
	fmt.Fprintln(e, "Do it only if those nodes are lost for good, and on one survivor only, the one with the latest data: two recovered survivors make two clusters, and writes this node never received are gone.")
	yes, err := confirm(c, "Recover?")
	if err != nil {
		return err
	}
	if !yes {
		return usererr.New("not recovered")
	}
	return nil
}

// answered names the dropped nodes that answered Recover's probe, "" if
// none did.
func answered(ps []node.Peer) string {
	var parts []string
	for _, p := range ps {
		if p.Answered {
			parts = append(parts, p.ID+" ("+p.Addr+")")
		}
	}
	return strings.Join(parts, ", ")
}

// droppedList names the nodes a recovery drops.
func droppedList(ps []node.Peer) string {
	if len(ps) == 0 {
		return "no other node"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.ID + " (" + p.Addr
		if !p.Voter {
			parts[i] += ", non-voter"
		}
		parts[i] += ")"
	}
	return strings.Join(parts, ", ")
}
