package cli_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/session"
)

// TestRestoreDryRunRefusedByALink: a dry run refused because a file the
// checkpoint created is now a symbolic link (which a restore does not
// remove) prints its plan with refused, as one refused for a changed file
// does, and fails with the reason on stderr.
func TestRestoreDryRunRefusedByALink(t *testing.T) {
	dir, root, id := checkpointProject(t)
	if err := os.Remove(filepath.Join(root, "b.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.go", filepath.Join(root, "b.go")); err != nil {
		t.Fatal(err)
	}
	r := runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "restore", id, "--dry-run")
	var plan struct {
		Files   []checkpoint.Restored `json:"files"`
		Refused *checkpoint.Refusal   `json:"refused"`
	}
	if r.code != 1 || json.Unmarshal([]byte(r.stdout), &plan) != nil {
		t.Fatalf("dry run: %+v; want the plan as JSON and exit 1", r)
	}
	if plan.Refused == nil || len(plan.Refused.Blocked) != 1 || plan.Refused.Blocked[0].Path != "b.go" ||
		len(plan.Files) != 1 || plan.Files[0].Path != "a.go" {
		t.Fatalf("dry run plan: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "b.go is a symbolic link") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("dry run stderr: %q", r.stderr)
	}

	r = runIn(nil, false, "--data-dir", dir, "checkpoint", "restore", id, "--dry-run")
	if r.code != 1 || !strings.Contains(r.stdout, "would restore 1 file") || !strings.Contains(r.stdout, "refused b.go") ||
		!strings.Contains(r.stderr, "b.go is a symbolic link") {
		t.Errorf("dry run as text: %+v", r)
	}
	if fi, err := os.Lstat(filepath.Join(root, "b.go")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("a dry run changed b.go: %v", err)
	}
}

// TestCheckpointWording: an empty listing of "--session last" names the
// session it stands for; "show last" with no checkpoint says "yet" once.
func TestCheckpointWording(t *testing.T) {
	dir, root, _ := checkpointProject(t)
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Begin(ctx, session.RefNew, root, "test")
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
	if err == nil {
		err = s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a"})
	}
	if err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)

	r := runIn(nil, false, "--data-dir", dir, "checkpoint", "list", "--session", "last")
	if want := "No checkpoints of session " + s.ID() + " (the last) in this project.\n"; r.code != 0 || r.stdout != want {
		t.Errorf("list --session last: %+v; want %q", r, want)
	}

	t.Chdir(t.TempDir()) // a project with no checkpoint
	r = runIn(nil, false, "--data-dir", dir, "checkpoint", "show", "last")
	if want := "no checkpoint in this project yet: the assistant makes one before each write"; r.code != 1 || !strings.Contains(r.stderr, want) ||
		strings.Count(r.stderr, "yet") != 1 {
		t.Errorf("show last with none: %+v; want %q", r, want)
	}
}

// dyingFS is an FS whose process dies at its second write: the goroutine
// writing stops there, as kill -9 stops a process mid-write.
type dyingFS struct {
	checkpoint.FS
	writes int
}

func (d *dyingFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	if d.writes++; d.writes == 2 {
		runtime.Goexit()
	}
	return d.FS.WriteFile(ctx, rel, data, perm)
}

// TestCheckpointCutShort: a checkpoint whose process was killed while it
// wrote lists as interrupted, and show says which files were written and
// how to put them back.
func TestCheckpointCutShort(t *testing.T) {
	dir, root, _ := checkpointProject(t)
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	log, err := a.Events()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := checkpoint.DirFS(root)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	cs, err := checkpoint.New(checkpoint.Config{Log: log, Store: a.Store, FS: &dyingFS{FS: fsys}, Project: checkpoint.ProjectOf(root),
		Actor: "cli", Instance: "killed"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		cs.Apply(ctx, []checkpoint.Change{{Path: "a.go", Data: []byte("package a // 2\n")}, {Path: "c.go", Data: []byte("package a\n")}},
			checkpoint.Meta{Reason: "refactor", Label: "cut"})
	}()
	<-done
	cs.Close()
	a.Close(ctx)

	r := runIn(nil, false, "--data-dir", dir, "checkpoint", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "interrupted") {
		t.Fatalf("list: %+v", r)
	}
	// What the killed write of c.go would have left beside it.
	if err := os.WriteFile(filepath.Join(root, ".aiex-c.go-0123456789abcdef.tmp"), []byte("package"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runIn(nil, false, "--data-dir", dir, "checkpoint", "show", "last")
	for _, w := range []string{"refactor  interrupted", "/killed) ended before it finished", "written  1 of its 2 files: a.go",
		"left     c.go, as they were before it", "aiex checkpoint restore ",
		"temp     .aiex-c.go-0123456789abcdef.tmp left beside its files"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("show lacks %q:\n%s", w, r.stdout)
		}
	}
	r = runIn(nil, false, "--data-dir", dir, "checkpoint", "restore", "--yes", "last")
	if r.code != 0 || readFile(t, root, "a.go") != "package a\n\nfunc A() {}\n" {
		t.Fatalf("restore: %+v; a.go %q", r, readFile(t, root, "a.go"))
	}
}
