package main

// The cluster as users run it: three `aiex node run` processes on loopback
// plain TCP (mutual TLS with a key from `aiex cluster init`), each with a
// home and data dir of its own, driven through their unix sockets and the
// CLI, and hurt the way only processes can be: SIGKILL, SIGSTOP, SIGCONT.
// Turned on by AIEX_CLUSTER_E2E=1 (.ci/run sets it).

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// Bounds the test holds the cluster to (the db package's targets are
// tighter: a crashed leader replaced and writes accepted within 3 s).
const (
	writesBackBound   = 5 * time.Second  // leader SIGKILLed → a write accepted again
	catchUpBound      = 15 * time.Second // restarted node has every acknowledged write
	majorityBound     = 10 * time.Second // leader SIGSTOPped → a write through the majority accepted
	noQuorumBound     = 15 * time.Second // minority: the command fails, saying why
	noQuorumMessage   = "no quorum: 1 of 3 nodes reachable"
	convergenceBound  = 30 * time.Second // after SIGCONT: identical tables
	startBound        = 30 * time.Second
	clusterStopBound  = 5 * time.Second // SIGTERM → exit, its peers running or frozen
	minAcksBeforeKill = 30
)

func TestClusterE2E(t *testing.T) {
	if os.Getenv("AIEX_CLUSTER_E2E") == "" {
		t.Skip("multi-process cluster suite: AIEX_CLUSTER_E2E=1 go test -run TestClusterE2E .")
	}
	t.Run("node down", clusterNodeDown)
	began := time.Now()
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))

	// The key, as a user makes it.
	ks := newSandbox(t, fake.URL())
	key := filepath.Join(ks.home, "cluster.key")
	if r := ks.mustRun("cluster", "init", "--out", key); !strings.Contains(r.stdout, "fingerprint") {
		t.Fatalf("cluster init: %q", r.stdout)
	}

	// Three nodes: n0 bootstraps, n1 and n2 join through it.
	base := shortDataDir(t)
	nodes := make([]*procNode, 3)
	for i := range nodes {
		nodes[i] = newProcNode(t, fmt.Sprintf("n%d", i), fake.URL(), key, base)
	}
	start := time.Now()
	nodes[0].start("")
	nodes[0].waitReady(startBound)
	nodes[1].start(nodes[0].addr)
	nodes[2].start(nodes[0].addr)
	for _, n := range nodes[1:] {
		n.waitReady(startBound)
	}
	leader := waitMembers(t, nodes, 3, startBound)
	t.Logf("3 processes formed a cluster in %v; leader %s", time.Since(start).Round(time.Millisecond), leader.name)

	// The CLI, through each node's socket, sees the same three reachable
	// voters and the same leader.
	for _, n := range nodes {
		st := n.cliStatus()
		if st.Self != n.id || len(st.Members) != 3 || st.Store.Leader != leader.id || st.Error != "" {
			t.Fatalf("%s: cluster status --json: self %s, %d members, leader %q, error %q", n.name, st.Self, len(st.Members), st.Store.Leader, st.Error)
		}
		for _, m := range st.Members {
			if !m.Reachable || !m.Voter {
				t.Errorf("%s sees member %+v", n.name, m)
			}
		}
	}

	ld := startWriteLoad(nodes)
	t.Cleanup(func() {
		select {
		case <-ld.stop:
		default:
			ld.halt()
		}
	})
	waitUntil(t, "acknowledged writes before the kill", 30*time.Second, func() bool { return len(ackedIDs(ld.snapshot())) >= minAcksBeforeKill })

	// (1) SIGKILL the leader mid-write. The survivors elect a new leader and
	// accept writes again; the killed node restarts from its data dir (no
	// --join) and catches up.
	killed := leader
	survivors := otherProcs(nodes, killed)
	killedAt := time.Now()
	killed.kill()
	var back time.Time
	waitUntil(t, "a write accepted after the leader was killed", 30*time.Second, func() bool {
		back = firstAckAfter(ld.snapshot(), killedAt, procNames(survivors)...)
		return !back.IsZero()
	})
	t.Logf("leader %s SIGKILLed: writes accepted again after %v", killed.name, back.Sub(killedAt).Round(time.Millisecond))
	if d := back.Sub(killedAt); d > writesBackBound {
		t.Errorf("writes accepted again %v after the leader was killed; want ≤ %v", d, writesBackBound)
	}
	newLeader := waitLeaderAmong(t, survivors, 15*time.Second)
	t.Logf("new leader %s", newLeader.name)

	restartAt := time.Now()
	killed.start("")
	killed.waitReady(startBound)
	want := ackedIDs(ld.snapshot())
	var caughtUp time.Duration
	var missing []string
	deadline := time.Now().Add(catchUpBound)
	for {
		missing = missingOn(killed, want)
		if len(missing) == 0 {
			caughtUp = time.Since(restartAt)
			break
		}
		if time.Now().After(deadline) {
			for _, n := range survivors {
				t.Logf("%s lacks %d of them too", n.name, len(missingOn(n, missing)))
			}
			t.Fatalf("%s restarted but lacks %d of %d acknowledged writes after %v: %v", killed.name, len(missing), len(want), catchUpBound, describeOps(ld.snapshot(), missing))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%s restarted (same data dir, no --join) and had all %d acknowledged writes %v after it was started",
		killed.name, len(want), caughtUp.Round(time.Millisecond))
	if st := killed.cliStatus(); len(st.Members) != 3 || st.Store.Leader == "" {
		t.Errorf("%s after restart: %d members, leader %q", killed.name, len(st.Members), st.Store.Leader)
	}
	waitUntil(t, "acknowledged writes through the restarted node", 20*time.Second, func() bool {
		return !firstAckAfter(ld.snapshot(), restartAt, killed.name).IsZero()
	})

	// (2) A partition: SIGSTOP the leader. The other two keep working.
	stopped := waitLeaderAmong(t, nodes, 15*time.Second)
	majority := otherProcs(nodes, stopped)
	stoppedAt := time.Now()
	stopped.signal(syscall.SIGSTOP)
	var majorityBack time.Duration
	for i := 0; majorityBack == 0; i++ {
		if time.Since(stoppedAt) > 30*time.Second {
			t.Fatalf("no write through the majority accepted within 30 s of SIGSTOP of the leader")
		}
		n := majority[i%2]
		if o, ok := ld.ask(100+i%2, n, fmt.Sprintf("majority-%d", i), time.Second); ok && o.ack {
			majorityBack = o.ret.Sub(stoppedAt)
		}
	}
	t.Logf("leader %s SIGSTOPped: a write through the majority accepted after %v", stopped.name, majorityBack.Round(time.Millisecond))
	if majorityBack > majorityBound {
		t.Errorf("the majority accepted a write %v after the leader was stopped; want ≤ %v", majorityBack, majorityBound)
	}

	// Stop a second node: the last one is a minority of one. Its status
	// still answers (local reads) and shows 1 of 3 reachable; a command
	// that writes fails, saying so.
	lone, second := majority[0], majority[1]
	second.signal(syscall.SIGSTOP)
	var last string
	waitUntil(t, lone.name+" to lose its leader", 15*time.Second, func() bool {
		st, err := lone.status(5 * time.Second)
		if err != nil {
			last = err.Error()
			return false
		}
		last = fmt.Sprintf("leader %q, state %s", st.Store.Leader, st.Store.State)
		return st.Store.Leader == ""
	}, func() string { return last })
	st := lone.cliStatus()
	reachable := 0
	for _, m := range st.Members {
		if m.Reachable {
			reachable++
		}
	}
	if reachable != 1 || len(st.Members) != 3 {
		t.Errorf("minority status: %d of %d members reachable; want 1 of 3: %+v", reachable, len(st.Members), st.Members)
	}
	r, took := lone.runFor(90*time.Second, "--data-dir", lone.dir, "ask", "--model", "tiny", "--no-code", "minority probe")
	t.Logf("ask on the minority node: exit %d after %v: %s", r.code, took.Round(time.Millisecond), strings.TrimSpace(r.stderr))
	if r.code == 0 {
		t.Errorf("ask on the minority node succeeded: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, noQuorumMessage) {
		t.Errorf("ask on the minority node: stderr %q; want it to say %q", strings.TrimSpace(r.stderr), noQuorumMessage)
	}
	if took > noQuorumBound {
		t.Errorf("ask on the minority node took %v to fail; want ≤ %v", took.Round(time.Millisecond), noQuorumBound)
	}

	// Heal: SIGCONT both. Every node converges; the load goes on a little.
	contAt := time.Now()
	stopped.signal(syscall.SIGCONT)
	second.signal(syscall.SIGCONT)
	for _, n := range nodes {
		n.waitReady(startBound)
	}
	waitUntil(t, "writes through every node after the partition healed", 30*time.Second, func() bool {
		ops := ld.snapshot()
		for _, n := range nodes {
			if firstAckAfter(ops, contAt, n.name).IsZero() {
				return false
			}
		}
		return true
	})
	ops := ld.halt()

	// One last write through each node, then every node must show the same
	// events, stable for a while (late writes of requests cut off by the
	// partition land first).
	var barrier []string
	for i, n := range nodes {
		var o writeOp
		waitUntil(t, "a final write through "+n.name, 20*time.Second, func() bool {
			var ok bool
			o, ok = ld.ask(200+i, n, "final-"+n.name, 10*time.Second)
			return ok && o.ack
		})
		barrier = append(barrier, o.id)
	}
	ops = ld.snapshot()
	var prev []string
	var converged time.Duration
	waitUntil(t, "identical, stable events on every node", convergenceBound, func() bool {
		var lists []string
		for _, n := range nodes {
			evs, err := readEvents(n.dir, 300*time.Millisecond, 10*time.Second)
			if err != nil {
				return false
			}
			ids := interactionIDs(evs)
			for _, id := range barrier {
				if ids[id] == 0 {
					return false
				}
			}
			lists = append(lists, fmt.Sprintf("%+v", evs))
		}
		same := lists[0] == lists[1] && lists[1] == lists[2]
		stable := slices.Equal(prev, lists)
		prev = lists
		converged = time.Since(contAt)
		return same && stable
	})
	t.Logf("partition healed: identical events on all nodes %v after SIGCONT", converged.Round(time.Millisecond))

	// Stop every node with SIGTERM (a clean exit, 0), then compare their
	// tables row for row. The first one stops while the other two are
	// frozen (SIGSTOP): its peers neither answer nor reset its connections,
	// as when their machines vanish, and it must still exit promptly (Raft's
	// RPCs and dials to them would each wait rqlite's 10 s timeout).
	for _, n := range nodes[1:] {
		n.signal(syscall.SIGSTOP)
	}
	for i, n := range nodes {
		code, took := n.stop(clusterStopBound)
		if i == 0 {
			for _, p := range nodes[1:] {
				p.signal(syscall.SIGCONT)
			}
		}
		how := []string{"its peers frozen", "one peer left", "its peers gone"}[i]
		t.Logf("%s stopped (SIGTERM, %s) in %v, exit %d", n.name, how, took.Round(time.Millisecond), code)
		if code != 0 {
			t.Errorf("%s exited %d on SIGTERM\n%s", n.name, code, n.logTail())
		}
	}
	tables := make([]map[string]sqlTable, len(nodes))
	for i, n := range nodes {
		tables[i] = readTables(t, n.dir, "llm_interaction", "events")
	}
	for _, name := range []string{"llm_interaction", "events"} {
		for i := 1; i < len(nodes); i++ {
			a, b := tables[0][name], tables[i][name]
			if !slices.Equal(a.cols, b.cols) || !slices.EqualFunc(a.rows, b.rows, slices.Equal[[]string]) {
				t.Errorf("table %s differs between %s (%d rows) and %s (%d rows)", name, nodes[0].name, len(a.rows), nodes[i].name, len(b.rows))
			}
		}
	}
	checkWrites(t, ops, tables[0])
	t.Logf("cluster e2e: %d writes attempted, %d acknowledged, in %v", len(ops), len(ackedIDs(ops)), time.Since(began).Round(time.Millisecond))
}

// checkHistory checks the writes against a node's final tables: every
// acknowledged write is there exactly once, as acknowledged; every row
// comes from a write the test made; and the order of the events log is
// linearizable with the writes' real-time order (porcupine). Rows are
// matched to writes by prompt (each write has its own): a write whose
// client gave up before any answer has no ID, but may have taken effect.
func checkWrites(t *testing.T, ops []writeOp, tb map[string]sqlTable) {
	t.Helper()
	in := tb["llm_interaction"]
	idC, promptC, statusC, respC := in.column("id"), in.column("prompt"), in.column("status"), in.column("response")
	byPrompt := map[string][]string{}
	statuses := map[string]int{}
	for _, r := range in.rows {
		statuses[r[statusC]]++
		if byPrompt[r[promptC]] != nil {
			t.Errorf("prompt %q recorded twice: interactions %s and %s", r[promptC], byPrompt[r[promptC]][idC], r[idC])
		}
		byPrompt[r[promptC]] = r
	}
	asked := map[string]bool{"minority probe": true}
	for _, o := range ops {
		asked[o.prompt] = true
	}
	for _, r := range in.rows {
		if !asked[r[promptC]] {
			t.Errorf("interaction %s with prompt %q was never asked for", r[idC], r[promptC])
		}
	}
	// Positions of each interaction's llm event in the log.
	ev := tb["events"]
	evID, streamC, payloadC := ev.column("id"), ev.column("stream"), ev.column("payload")
	pos := map[string][]int64{}
	for _, r := range ev.rows {
		if r[streamC] != "llm" {
			continue
		}
		var p struct {
			ID string `json:"interaction_id"`
		}
		if err := json.Unmarshal([]byte(r[payloadC]), &p); err != nil || p.ID == "" {
			t.Errorf("llm event %s without an interaction: %s", r[evID], r[payloadC])
			continue
		}
		n, _ := strconv.ParseInt(r[evID], 10, 64)
		pos[p.ID] = append(pos[p.ID], n)
	}
	lost, unknownVisible := 0, 0
	var history []porcupine.Operation
	for _, o := range ops {
		r, found := byPrompt[o.prompt]
		switch {
		case o.ack && !found:
			lost++
			t.Errorf("acknowledged write %s (%s via %s, answered by %s) is not in llm_interaction, though %d llm event(s) of it are in events",
				o.id, o.prompt, o.node, o.route, len(pos[o.id]))
			continue
		case o.ack && (r[idC] != o.id || r[statusC] != "ok" || r[respC] != "ok" || len(pos[o.id]) != 1):
			t.Errorf("acknowledged write %s (%s): row %s status %q response %q, %d llm events", o.id, o.prompt, r[idC], r[statusC], r[respC], len(pos[o.id]))
			continue
		case !found:
			continue // never took effect
		case !o.ack:
			unknownVisible++
		}
		id := r[idC]
		if len(pos[id]) > 1 {
			t.Errorf("write %s (%s) has %d llm events; want at most one", id, o.prompt, len(pos[id]))
		}
		if len(pos[id]) == 0 {
			continue // only its start was applied: no place in the log
		}
		ret := o.ret.UnixNano()
		if !o.ack {
			ret = math.MaxInt64 // it may have taken effect at any time after it was sent
		}
		history = append(history, porcupine.Operation{Input: o.prompt, Call: o.call.UnixNano(), Output: pos[id][0], Return: ret})
	}
	t.Logf("history: %d writes, %d acknowledged, %d lost; %d unacknowledged but visible; rows by status %v",
		len(ops), len(ackedIDs(ops)), lost, unknownVisible, statuses)

	// The events log as a linearizable append-only log: each write's event
	// position must grow along some order of the writes that respects real
	// time (a write that returned before another was called comes first).
	model := porcupine.Model{
		Init: func() any { return int64(0) },
		Step: func(state, _, output any) (bool, any) {
			p := output.(int64)
			return p > state.(int64), p
		},
		DescribeOperation: func(input, output any) string { return fmt.Sprintf("append %v @%v", input, output) },
	}
	switch res := porcupine.CheckOperationsTimeout(model, history, 30*time.Second); res {
	case porcupine.Ok:
		t.Logf("porcupine: the events log of %d writes is linearizable", len(history))
	case porcupine.Illegal:
		t.Errorf("porcupine: the events log is not linearizable with the writes' real-time order")
	default:
		t.Errorf("porcupine: no verdict within the timeout (%v)", res)
	}
}

// missingOn returns the interaction IDs among ids whose llm event the
// running node n does not have (it tails n's events for up to 5 s).
func missingOn(n *procNode, ids []string) []string {
	var have map[string]int
	tailUntil(n.dir, 5*time.Second, func(evs []db.Event) bool {
		have = interactionIDs(evs)
		return !slices.ContainsFunc(ids, func(id string) bool { return have[id] == 0 })
	})
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return have[id] > 0 })
}

// describe lists the writes with the given interaction IDs.
func describeOps(ops []writeOp, ids []string) string {
	var b strings.Builder
	for _, o := range ops {
		if slices.Contains(ids, o.id) {
			fmt.Fprintf(&b, "\n  %s %s via %s, %v after start, ack %v, err %q", o.id, o.prompt, o.node, o.ret.Sub(o.call).Round(time.Millisecond), o.ack, o.err)
		}
	}
	return b.String()
}

// waitFor polls cond every 50 ms until it holds, failing after d.
func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool, last ...func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			for _, l := range last {
				what += " (last: " + l() + ")"
			}
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitMembers waits until every node lists n members, all reachable, and
// they agree on the leader, which it returns.
func waitMembers(t *testing.T, nodes []*procNode, n int, d time.Duration) *procNode {
	t.Helper()
	var leader *procNode
	waitUntil(t, fmt.Sprintf("%d reachable members and one leader", n), d, func() bool {
		lead := ""
		for _, p := range nodes {
			st, err := p.status(2 * time.Second)
			if err != nil || len(st.Members) != n || st.Store.Leader == "" || (lead != "" && st.Store.Leader != lead) {
				return false
			}
			for _, m := range st.Members {
				if !m.Reachable {
					return false
				}
			}
			lead = st.Store.Leader
		}
		leader = procByID(nodes, lead)
		return leader != nil
	})
	return leader
}

// waitLeaderAmong waits until one of nodes says it leads.
func waitLeaderAmong(t *testing.T, nodes []*procNode, d time.Duration) *procNode {
	t.Helper()
	var leader *procNode
	waitUntil(t, "a leader", d, func() bool {
		for _, p := range nodes {
			if st, err := p.status(2 * time.Second); err == nil && st.Store.State == "leader" {
				leader = p
				return true
			}
		}
		return false
	})
	return leader
}

func procByID(nodes []*procNode, id string) *procNode {
	for _, p := range nodes {
		if p.id == id {
			return p
		}
	}
	return nil
}

func otherProcs(nodes []*procNode, not *procNode) []*procNode {
	return slices.DeleteFunc(slices.Clone(nodes), func(p *procNode) bool { return p == not })
}

func procNames(nodes []*procNode) []string {
	var out []string
	for _, p := range nodes {
		out = append(out, p.name)
	}
	return out
}
