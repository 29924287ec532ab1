package main

// Another node's models while that node is down and once it is back, as
// three `aiex node run` processes on one machine show them: n0 asks n1's
// provider (n1/ollama) with n1 stopped, then restarted.
// Run by TestClusterE2E, turned on by AIEX_CLUSTER_E2E=1.

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// backBound bounds how long after a node restarted (its cluster status
// reachable again) its models answer through another node: a heartbeat
// or two, not a breaker's open period (30 s).
const backBound = 10 * time.Second

// clusterNodeDown is a part of TestClusterE2E, which the suite's switch
// turns on (go test -run TestClusterE2E/node_down .).
func clusterNodeDown(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("from n1"))
	ks := newSandbox(t, fake.URL())
	key := filepath.Join(ks.home, "cluster.key")
	ks.mustRun("cluster", "init", "--out", key)

	// Only n1 has a model server.
	base := shortDataDir(t)
	n0 := newProcNode(t, "n0", providertest.Unreachable(t), key, base)
	n1 := newProcNode(t, "n1", fake.URL(), key, base)
	n2 := newProcNode(t, "n2", providertest.Unreachable(t), key, base)
	n0.start("")
	n0.waitReady(startBound)
	n1.start(n0.addr)
	n2.start(n0.addr)
	n1.waitReady(startBound)
	n2.waitReady(startBound)
	nodes := []*procNode{n0, n1, n2}
	waitMembers(t, nodes, 3, startBound)
	models := func() ([]app.ModelInfo, map[string]string) {
		r, _ := n0.runFor(30*time.Second, "--data-dir", n0.dir, "models", "--json")
		var out struct {
			Models []app.ModelInfo   `json:"models"`
			Errors map[string]string `json:"errors"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("models --json: %v\n%s%s", err, r.stdout, r.stderr)
		}
		return out.Models, out.Errors
	}
	hasN1 := func(ms []app.ModelInfo) bool {
		return slices.ContainsFunc(ms, func(m app.ModelInfo) bool { return m.Provider == "n1/ollama" })
	}
	waitUntil(t, "n0 to list n1's models", startBound, func() bool { ms, _ := models(); return hasN1(ms) })
	ask := func() result {
		r, _ := n0.runFor(30*time.Second, "--data-dir", n0.dir, "ask", "--provider", "n1/ollama", "hello")
		return r
	}
	if r := ask(); r.code != 0 || !strings.Contains(r.stdout, "from n1") {
		t.Fatalf("ask with n1 up: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// n1 stops: asking its provider says so of the node, once, with what
	// to do, every time; n0 does not retry it, nor open its breaker.
	n1.stop(clusterStopBound)
	want := "node n1 (" + n1.addr + ") is not reachable: start aiex node run there, or see aiex cluster status"
	for i := range 3 {
		r := ask()
		line := strings.TrimSpace(r.stderr)
		if r.code == 0 || strings.Count(line, "\n") > 0 || strings.Count(line, want) != 1 ||
			strings.Contains(line, "base_url") || strings.Contains(line, "Post ") || strings.Contains(line, "circuit breaker") {
			t.Fatalf("ask %d with n1 down: exit %d, %q; want one line saying %q once", i, r.code, line, want)
		}
	}
	if ms, errs := models(); hasN1(ms) || !strings.Contains(errs["n1/ollama"], "is not reachable") {
		t.Errorf("models with n1 down: n1/ollama listed %v, error %q; want it said unavailable", hasN1(ms), errs["n1/ollama"])
	}

	// n1 is back: its models answer within a heartbeat or two.
	n1.start("")
	n1.waitReady(startBound)
	waitMembers(t, nodes, 3, startBound)
	var last result
	waitUntil(t, "n1's model to answer through n0", backBound, func() bool {
		last = ask()
		if strings.Contains(last.stderr, "circuit breaker") {
			t.Fatalf("ask with n1 back: %s", last.stderr)
		}
		return last.code == 0 && strings.Contains(last.stdout, "from n1")
	}, func() string { return last.stderr })
}
