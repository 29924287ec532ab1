package cli_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noDataDir fails the test if a command made the data dir dir: a usage
// mistake is refused before the store is opened.
func noDataDir(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		entries, _ := os.ReadDir(dir)
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the usage mistake left the data dir %s behind (%v, holding %v)", dir, err, names)
	}
}

// usageLine fails the test unless r is a usage error (exit 2) said on
// one line that holds every one of want.
func usageLine(t *testing.T, r run, want ...string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit %d, want 2 (a usage mistake); stderr %q", r.code, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "aiex: ") {
		t.Errorf("stderr %q: want one line starting aiex:", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not say %q", r.stderr, w)
		}
	}
}

func TestUsageMistakesOpenNoStore(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"refactor", "calc.Add", "--goal", ""}, "say what the change should achieve"},
		{[]string{"refactor", " ", "--goal", "faster"}, "name the code to change"},
		// The tests run in the module's tree, a Go module: X is no
		// package path there.
		{[]string{"gen", "module", "X", "--desc", "a cache"}, "is not a Go package path"},
		{[]string{"gen", "module", "internal/nothere", "--desc", " "}, "say what internal/nothere should do"},
		{[]string{"gen", "tests", ""}, "name the code to test"},
		{[]string{"explain", ""}, "name the code to explain"},
		{[]string{"checkpoint", "prune"}, "say what to keep"},
		{[]string{"checkpoint", "prune", "--dry-run"}, "[checkpoints]"},
		{[]string{"checkpoint", "show", ""}, "name a checkpoint"},
		{[]string{"checkpoint", "diff", ""}, "name a checkpoint"},
		{[]string{"checkpoint", "restore", "", "--yes"}, "name a checkpoint"},
		{[]string{"checkpoint", "tag", "", "v1"}, "name a checkpoint"},
		{[]string{"checkpoint", "tag", "last", ""}, "name the tag"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, tc.args...)...)
			usageLine(t, r, tc.want)
			noDataDir(t, dir)
		})
	}
}

// cluster join checks each peer as node run checks --join: a peer it
// stores is dialled only at the node's next start, where a bad one reads
// as a peer that did not admit the node.
func TestClusterJoinRefusesBadPeers(t *testing.T) {
	cases := []struct{ peer, want string }{
		{"bad host:99999", "port 99999 is not a number from 1 to 65535"},
		{"bad host:7420", `"bad host" is not a host name`},
		{"10.0.0.5:abc", "port abc is not a number from 1 to 65535"},
		{"10.0.0.5:0", "port 0 is not a number from 1 to 65535"},
		{"10.0.0.5:", "port  is not a number from 1 to 65535"},
		{"10.0.0.5:-1", "port -1 is not a number from 1 to 65535"},
		{":7420", "give the host or IP address peers dial"},
		{"10.0.0.5", "want HOST:PORT"},
	}
	for _, tc := range cases {
		t.Run(tc.peer, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := runCLI(t, false, nil, "--data-dir", dir, "cluster", "join", "10.0.0.6:7420", tc.peer)
			usageLine(t, r, "peer "+tc.peer+":", tc.want)
			noDataDir(t, dir)
		})
	}
	// A good one is still stored.
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, false, nil, "--data-dir", dir, "cluster", "join", "10.0.0.5:7420", "[fd00::5]:7420", "box.tailnet:7420"); r.code != 0 {
		t.Fatalf("cluster join with good peers: exit %d, %q", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "join")); err != nil || !strings.Contains(string(b), "box.tailnet:7420") {
		t.Errorf("join file %q, %v", b, err)
	}
}

// A bad --name, --tag or --allow-tag is a usage mistake naming the flag
// and what it takes, said before the node listens or makes its data dir.
func TestNodeRunRefusesBadNames(t *testing.T) {
	key := filepath.Join(t.TempDir(), "cluster.key")
	if r := runCLI(t, false, nil, "cluster", "init", "--out", key); r.code != 0 {
		t.Fatalf("cluster init: exit %d, %q", r.code, r.stderr)
	}
	cases := []struct {
		flags []string
		want  string
	}{
		{[]string{"--name", "bad name"}, `--name "bad name": a node name is 1 to 63 letters, digits`},
		{[]string{"--name", strings.Repeat("n", 64)}, "--name"},
		{[]string{"--tag", "nottag"}, `--tag "nottag": a tag is tag:NAME`},
		{[]string{"--tag", "tag:"}, `--tag "tag:"`},
		{[]string{"--allow-tag", "nottag"}, `--allow-tag "nottag": a tag is tag:NAME`},
		{[]string{"--allow-tag", "tag:ok,tag:not ok"}, `--allow-tag "tag:not ok"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"--data-dir", dir, "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key}, tc.flags...)
			r := runCLI(t, false, nil, args...)
			usageLine(t, r, tc.want)
			if strings.Contains(r.stderr, "cannot listen") {
				t.Errorf("stderr %q: the flag is wrong, not the listening", r.stderr)
			}
			noDataDir(t, dir)
		})
	}
}
