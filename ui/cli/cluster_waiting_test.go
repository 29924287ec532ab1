package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/ui/cli"
)

// TestCommandsOnADirWaitingToJoin: after aiex cluster join, the data dir
// waits for its node to join the cluster. A one-shot command run on it
// first, or the TUI, does not make a store there (a store used alone can
// never join): it says, in one line, that the dir waits to join through
// the recorded peer and to start its node first, and exits 1.
func TestCommandsOnADirWaitingToJoin(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, false, nil, "--data-dir", dir, "cluster", "join", "10.0.0.5:7420"); r.code != 0 {
		t.Fatalf("cluster join: exit %d, %s", r.code, r.stderr)
	}
	want := "aiex: data dir " + dir + " is waiting to join a cluster through 10.0.0.5:7420 (aiex cluster join recorded it): start its node first (aiex --data-dir " + dir + " node run"
	for _, args := range [][]string{{"status"}, {"session", "list"}, {"checkpoint", "list"}, {"tui"}} {
		var r run
		if args[0] == "tui" {
			r = runTUIFor(t, 20*time.Second, "--data-dir", dir, "tui")
		} else {
			r = runCLI(t, false, nil, append([]string{"--data-dir", dir}, args...)...)
		}
		if r.code != 1 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line starting %q", args, r.code, r.stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "store")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a store was made in the data dir waiting to join: %v", err)
	}
}

// runTUIFor runs the command line in-process on a terminal with nothing to
// read, ending it after d: a TUI that opens, rather than ending at once,
// ends with the context instead of hanging the test.
func runTUIFor(t *testing.T, d time.Duration, args ...string) run {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errb bytes.Buffer
	code := cli.Run(ctx, args, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		StdoutTTY: true, StderrTTY: true, StdinTTY: true,
		Getenv: func(string) string { return "" },
		Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}
