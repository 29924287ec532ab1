package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/ui/cli"
)

// checkpointProject makes a project (the current directory for the test)
// and a data dir holding one checkpoint of it, made through the app as
// the assistant's writes are: a.go edited, b.go created.
func checkpointProject(t *testing.T) (dataDir, root, id string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.go"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	dataDir = t.TempDir()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	cs, err := a.Checkpoints(root, nil, app.CheckpointOptions{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.Apply(ctx, []checkpoint.Change{
		{Path: "a.go", Data: []byte("package a\n\nfunc A() {}\n")},
		{Path: "b.go", Data: []byte("package a\n")},
	}, checkpoint.Meta{Session: "5e5510", Turn: 2, Reason: "refactor", Label: "add A"})
	if err != nil {
		t.Fatal(err)
	}
	return dataDir, root, res.Checkpoint.ID
}

// runIn runs the command line with stdin, as a terminal or not.
func runIn(stdin io.Reader, tty bool, args ...string) run {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdin: stdin, StdinTTY: tty, Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" },
		Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if os.IsNotExist(err) {
		return "<absent>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheckpointCommands(t *testing.T) {
	dir, root, id := checkpointProject(t)
	cp := func(args ...string) run {
		return runIn(nil, false, append([]string{"--data-dir", dir, "checkpoint"}, args...)...)
	}

	r := cp("list")
	if r.code != 0 || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "refactor") || !strings.Contains(r.stdout, "5e5510#2") {
		t.Fatalf("list: %+v", r)
	}
	// An unknown session is an error, as in the session commands.
	r = runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "list", "--session", "nope")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `no session "nope"`) {
		t.Errorf("list --json --session nope: %+v", r)
	}

	r = cp("show", id[:4])
	for _, w := range []string{"checkpoint " + id, "session  5e5510, turn 2", "label    add A", "M a.go", "A b.go  (10 bytes)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("show lacks %q:\n%s", w, r.stdout)
		}
	}

	r = cp("diff", "last")
	if r.code != 0 || !strings.Contains(r.stdout, "+func A() {}\n") || !strings.Contains(r.stdout, "--- /dev/null\n+++ b/b.go\n") {
		t.Errorf("diff: %+v", r)
	}

	r = cp("show", "zzzz")
	if r.code != 1 || !strings.Contains(r.stderr, `no checkpoint "zzzz" in this project; the most recent:`) || !strings.Contains(r.stderr, id) {
		t.Errorf("unknown id: %+v", r)
	}

	// Not a terminal: restore wants --yes, and writes nothing without it.
	r = cp("restore", id)
	if r.code != 2 || !strings.Contains(r.stderr, "add --yes") {
		t.Errorf("restore without --yes: %+v", r)
	}
	r = cp("restore", "--dry-run", id)
	if r.code != 0 || !strings.Contains(r.stdout, "would restore 2 files") || !strings.Contains(r.stdout, "delete  b.go") {
		t.Errorf("dry run: %+v", r)
	}
	if readFile(t, root, "b.go") != "package a\n" {
		t.Fatal("a dry run wrote")
	}

	// A file changed since: refused with the file named.
	os.WriteFile(filepath.Join(root, "a.go"), []byte("by hand\n"), 0o644)
	r = cp("restore", "--yes", id)
	if r.code != 1 || !strings.Contains(r.stderr, "1 file has changed since (a.go)") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("restore over a change: %+v", r)
	}

	r = runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "restore", "--yes", "--force", id)
	var rr checkpoint.RestoreResult
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rr) != nil || rr.Checkpoint == nil || len(rr.Files) != 2 || !rr.Files[0].Overwritten {
		t.Fatalf("forced restore: %+v", r)
	}
	if readFile(t, root, "a.go") != "package a\n" || readFile(t, root, "b.go") != "<absent>" {
		t.Fatalf("after restore: a.go %q, b.go %q", readFile(t, root, "a.go"), readFile(t, root, "b.go"))
	}

	// On a terminal it asks; "n" leaves everything, "y" restores.
	r = runIn(strings.NewReader("n\n"), true, "--data-dir", dir, "checkpoint", "restore", rr.Checkpoint.ID)
	if r.code != 1 || !strings.Contains(r.stderr, "Restore 2 files? [y/N]") || readFile(t, root, "a.go") != "package a\n" {
		t.Errorf("answered n: %+v", r)
	}
	r = runIn(strings.NewReader("y\n"), true, "--data-dir", dir, "checkpoint", "restore", rr.Checkpoint.ID)
	if r.code != 0 || !strings.Contains(r.stdout, "undo this restore with: aiex checkpoint restore ") || readFile(t, root, "a.go") != "by hand\n" {
		t.Errorf("answered y: %+v", r)
	}

	r = cp("tag", id, "known-good")
	if r.code != 0 || !strings.Contains(r.stdout, "tags: known-good") {
		t.Errorf("tag: %+v", r)
	}
	r = cp("prune")
	if r.code != 2 || !strings.Contains(r.stderr, "--keep N") {
		t.Errorf("prune without a policy: %+v", r)
	}
	r = cp("prune", "--older-than", "soon")
	if r.code != 2 {
		t.Errorf("prune --older-than soon: %+v", r)
	}
	r = cp("prune", "--keep", "1", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "would prune 1 checkpoint (kept 1, and 1 tagged)") {
		t.Errorf("prune --dry-run: %+v", r)
	}
	r = cp("prune", "--keep", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "pruned 1 checkpoint") {
		t.Errorf("prune: %+v", r)
	}
	if r = cp("show", "known-good"); r.code != 0 {
		t.Errorf("the tagged checkpoint was pruned: %+v", r)
	}
}
