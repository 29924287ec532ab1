package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// --join at the node's own address would start a cluster of its own that
// can never join the one meant: it is a usage mistake, said before the
// node listens or makes its data dir, whichever way the address is
// written.
func TestNodeRunRefusesJoinThroughItself(t *testing.T) {
	key := filepath.Join(t.TempDir(), "cluster.key")
	if r := runCLI(t, false, nil, "cluster", "init", "--out", key); r.code != 0 {
		t.Fatalf("cluster init: exit %d, %q", r.code, r.stderr)
	}
	cases := []struct {
		flags []string
		want  string
	}{
		{[]string{"--listen", "127.0.0.1:21471", "--join", "127.0.0.1:21471"}, "--join 127.0.0.1:21471 is this node's own address; give another node's"},
		{[]string{"--listen", "127.0.0.1:21471", "--join", "10.0.0.5:7420,localhost:21471"}, "--join localhost:21471 is this node's own address"},
		{[]string{"--listen", "0.0.0.0:7420", "--advertise", "10.0.0.6:7420", "--join", "10.0.0.6:7420"}, "--join 10.0.0.6:7420 is this node's own address"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"--data-dir", dir, "node", "run", "--cluster-key", key}, tc.flags...)
			r := runCLI(t, false, nil, args...)
			usageLine(t, r, tc.want)
			noDataDir(t, dir)
		})
	}
}
