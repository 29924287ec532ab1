package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestClusterJoinThenOtherCommandFirst: the README's way to join (aiex
// cluster join PEER, then aiex node run) survives another command run on
// the data dir in between: that command does not make a store of its own
// there, which could then never join; it says the dir waits to join
// through PEER and to start its node first. The node then joins.
func TestClusterJoinThenOtherCommandFirst(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	base := shortDataDir(t)
	first := freeLoopback(t)
	n1 := filepath.Join(base, "n1")
	err1, exit1, _ := runNode(t, s, n1, "--listen", first, "--cluster-key", key, "--name", "n1")
	waitSocket(t, n1, err1, exit1)

	n2 := filepath.Join(base, "n2")
	s.mustRun("--data-dir", n2, "cluster", "join", first)
	r := s.run("", "--data-dir", n2, "status")
	if r.code != 1 {
		t.Errorf("status on a data dir waiting to join: exit %d, want 1: %s%s", r.code, r.stdout, r.stderr)
	}
	oneLine(t, r.stderr, "data dir "+n2+" is waiting to join a cluster through "+first, "start its node first (aiex --data-dir "+n2+" node run")

	err2, exit2, _ := runNode(t, s, n2, "--listen", freeLoopback(t), "--cluster-key", key, "--name", "n2")
	waitSocket(t, n2, err2, exit2)
	st := s.mustRun("--data-dir", n2, "cluster", "status")
	if !strings.Contains(st.stdout, "n1") || !strings.Contains(st.stdout, "n2") {
		t.Errorf("cluster status on the joined node:\n%s", st.stdout)
	}
}
