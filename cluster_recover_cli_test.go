package main

// `aiex cluster recover` as users run it: two `aiex node run` processes on
// loopback plain TCP, one killed for good, the other recovered from its
// data dir and started again as a cluster of one.

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestClusterRecoverCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three node processes")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	ks := newSandbox(t, fake.URL())
	key := filepath.Join(ks.home, "cluster.key")
	ks.mustRun("cluster", "init", "--out", key)
	base := shortDataDir(t)
	lost, survivor := newProcNode(t, "n0", fake.URL(), key, base), newProcNode(t, "n1", fake.URL(), key, base)
	lost.start("")
	lost.waitReady(startBound)
	survivor.start(lost.addr)
	survivor.waitReady(startBound)
	in := func(n *procNode, args ...string) result {
		t.Helper()
		return n.s.run("", append([]string{"--data-dir", n.dir}, args...)...)
	}
	must := func(n *procNode, args ...string) result {
		t.Helper()
		r := in(n, args...)
		if r.code != 0 {
			t.Fatalf("aiex %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	prompts := func(n *procNode) string {
		t.Helper()
		var rows []historyRow
		if err := json.Unmarshal([]byte(must(n, "history", "--json", "--limit", "0").stdout), &rows); err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, r := range rows {
			ps = append(ps, r.Prompt)
		}
		return strings.Join(ps, ",")
	}
	must(lost, "ask", "-m", "tiny", "--no-code", "from-n0")
	must(survivor, "ask", "-m", "tiny", "--no-code", "from-n1")
	if st := survivor.cliStatus(); len(st.Members) != 2 {
		t.Fatalf("%d members before the loss", len(st.Members))
	}

	// n0's machine dies. n1 has no quorum; recovery is refused while its
	// node runs.
	lost.kill()
	r := in(survivor, "cluster", "recover", "--yes")
	oneLine(t, r.stderr, "is running on", "stop it")
	if r.code == 0 {
		t.Fatal("recover ran on a data dir with a node running")
	}
	if code, _ := survivor.stop(clusterStopBound); code != 0 {
		t.Logf("n1 exited %d on SIGTERM without a quorum", code)
	}
	before := in(survivor, "history")
	oneLine(t, before.stderr, "member of a cluster of 2 nodes")

	// Without a terminal it wants --yes; a dry run changes nothing.
	r = in(survivor, "cluster", "recover")
	oneLine(t, r.stderr, "add --yes", lost.id)
	if r.code != 2 {
		t.Errorf("recover without --yes and no terminal: exit %d; want 2", r.code)
	}
	r = must(survivor, "cluster", "recover", "--dry-run")
	if !strings.Contains(r.stdout, "would make node "+survivor.id) || !strings.Contains(r.stdout, lost.id+" ("+lost.addr+")") {
		t.Errorf("dry run said:\n%s", r.stdout)
	}
	oneLine(t, in(survivor, "history").stderr, "member of a cluster of 2 nodes")

	r = must(survivor, "--json", "cluster", "recover", "--yes")
	var rec db.Recovery
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("recover --json: %v\n%s", err, r.stdout)
	}
	if rec.Node != survivor.id || rec.Addr != survivor.addr || rec.DryRun || len(rec.Dropped) != 1 || rec.Dropped[0].ID != lost.id {
		t.Errorf("recover --json: %+v", rec)
	}
	r = in(survivor, "cluster", "recover", "--yes")
	oneLine(t, r.stderr, "only voter of its cluster already")
	if r.code == 0 {
		t.Error("a second recover succeeded")
	}

	// The dir opens alone now, with everything; its node starts as a
	// cluster of one and takes writes; a new node joins it.
	if got := prompts(survivor); got != "from-n1,from-n0" {
		t.Errorf("history after recovery: %s", got)
	}
	survivor.start("")
	survivor.waitReady(startBound)
	if st := survivor.cliStatus(); len(st.Members) != 1 || st.Store.Leader != survivor.id {
		t.Fatalf("recovered node: %d members, leader %q", len(st.Members), st.Store.Leader)
	}
	must(survivor, "ask", "-m", "tiny", "--no-code", "after-recovery")
	fresh := newProcNode(t, "n2", fake.URL(), key, base)
	fresh.start(survivor.addr)
	fresh.waitReady(startBound)
	waitUntil(t, "2 members", 10*time.Second, func() bool { return len(fresh.cliStatus().Members) == 2 })
	if got := prompts(fresh); got != "after-recovery,from-n1,from-n0" {
		t.Errorf("history on the new node: %s", got)
	}

	// n0's machine comes back with its old data dir: the recovered node
	// refuses it, and it stops saying why, in one line.
	lost.start("")
	select {
	case <-lost.exited:
	case <-time.After(40 * time.Second):
		t.Fatalf("the dropped node kept running on its old data dir\n%s", lost.logTail())
	}
	if code := lost.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("the dropped node exited %d; want 1", code)
	}
	if tail := lost.logTail(); !strings.Contains(tail, "aiex: this node ("+lost.id+") was dropped from its cluster when the cluster was recovered on node "+survivor.id) {
		t.Errorf("the dropped node did not say why it stopped:\n%s", tail)
	}
	if st := survivor.cliStatus(); len(st.Members) != 2 || st.Store.Leader != survivor.id {
		t.Errorf("after the dropped node's return: %d members, leader %q", len(st.Members), st.Store.Leader)
	}
	must(survivor, "ask", "-m", "tiny", "--no-code", "after-return")
}
