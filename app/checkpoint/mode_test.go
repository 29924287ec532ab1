package checkpoint_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// modeFSes are the FSs a write's mode must come out right through: Dir,
// whose WriteFile sets the mode it is given; the sandbox, whose WriteFile
// keeps an existing file's mode (so a mode change removes and rewrites
// the file); and the sandbox with a ModeSetter.
func modeFSes(t *testing.T) map[string]func(root string) checkpoint.FS {
	t.Helper()
	open := func(root string) *sandbox.Sandbox {
		sb, err := sandbox.New(root, sandbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Close(context.Background()) })
		return sb
	}
	return map[string]func(string) checkpoint.FS{
		"dir":           nil,
		"sandbox":       func(root string) checkpoint.FS { return open(root) },
		"sandbox+chmod": func(root string) checkpoint.FS { return chmodFS{open(root), root} },
	}
}

// chmodFS adds a ModeSetter to an FS over root.
type chmodFS struct {
	checkpoint.FS
	root string
}

func (c chmodFS) Chmod(_ context.Context, rel string, mode fs.FileMode) error {
	return os.Chmod(filepath.Join(c.root, filepath.FromSlash(rel)), mode)
}

func newModeEnv(t *testing.T, fsys func(string) checkpoint.FS) *env {
	t.Helper()
	if fsys == nil {
		return newEnv(t)
	}
	root := t.TempDir()
	return newEnvOn(t, dbtest.Open(t), root, withFS(fsys(root)))
}

// TestRestoreModeChanged: a chmod since a checkpoint is a change, as an
// edit is: a restore (and its dry run) says so and needs Force, the
// current diff shows it, and the restore puts back the mode the
// checkpoint recorded; undoing the restore brings the chmod back.
func TestRestoreModeChanged(t *testing.T) {
	for name, fsys := range modeFSes(t) {
		t.Run(name, func(t *testing.T) {
			e := newModeEnv(t, fsys)
			e.write(map[string]string{"main.go": "v0\n"})
			c := e.apply(checkpoint.Meta{}, edit("main.go", "v1\n"))
			if err := os.Chmod(filepath.Join(e.root, "main.go"), 0o755); err != nil {
				t.Fatal(err)
			}

			r, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{DryRun: true})
			if err != nil || r.Refused == nil || len(r.Files) != 1 || !r.Files[0].Overwritten {
				t.Fatalf("dry run after a chmod: %+v %v", r, err)
			}
			if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}); !errors.Is(err, checkpoint.ErrChanged) {
				t.Fatalf("restore after a chmod: %v", err)
			}
			d, err := e.cs.Diff(ctx, c.ID, checkpoint.DiffOptions{Current: true})
			if err != nil {
				t.Fatal(err)
			}
			want := "diff --git a/main.go b/main.go\nold mode 100644\nnew mode 100755\n--- a/main.go\n+++ b/main.go\n@@ -1 +1 @@\n-v0\n+v1\n"
			if got := d.Text(); got != want {
				t.Errorf("current diff (-want +got):\n%s", cmp.Diff(want, got))
			}
			if f := d.Files[0]; f.OldMode != "100644" || f.NewMode != "100755" {
				t.Errorf("modes %q → %q", f.OldMode, f.NewMode)
			}

			if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(map[string]string{"main.go": "v0\n"}, e.tree()); d != "" {
				t.Fatalf("after the restore (-want +got):\n%s", d)
			}
			if _, err := e.cs.Restore(ctx, checkpoint.RefLast, checkpoint.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(map[string]string{"main.go": "v1\n [755]"}, e.tree()); d != "" {
				t.Fatalf("after undoing the restore (-want +got):\n%s", d)
			}
		})
	}
}

// TestModeOnlyDiff: a checkpoint that changed only a file's mode shows it
// as git does.
func TestModeOnlyDiff(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"run.sh": "echo\n"})
	c := e.apply(checkpoint.Meta{}, checkpoint.Change{Path: "run.sh", Data: []byte("echo\n"), Mode: 0o755})
	d, err := e.cs.Diff(ctx, c.ID, checkpoint.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want, got := "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n", d.Text(); got != want || d.Files[0].Kind != "mode" {
		t.Errorf("diff %q (%s), want %q", got, d.Files[0].Kind, want)
	}
}

// TestRenameKeepsMode: a file renamed (deleted, and written under a new
// name From it) keeps its mode, as git keeps it; a restore brings the old
// name back with it.
func TestRenameKeepsMode(t *testing.T) {
	for name, fsys := range modeFSes(t) {
		t.Run(name, func(t *testing.T) {
			e := newModeEnv(t, fsys)
			e.write(map[string]string{"secret.go": "package s\n"})
			if err := os.Chmod(filepath.Join(e.root, "secret.go"), 0o600); err != nil {
				t.Fatal(err)
			}
			c := e.apply(checkpoint.Meta{}, remove("secret.go"),
				checkpoint.Change{Path: "private.go", Data: []byte("package s // renamed\n"), From: "secret.go"})
			if d := cmp.Diff(map[string]string{"private.go": "package s // renamed\n [600]"}, e.tree()); d != "" {
				t.Fatalf("after the rename (-want +got):\n%s", d)
			}
			if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(map[string]string{"secret.go": "package s\n [600]"}, e.tree()); d != "" {
				t.Fatalf("after the restore (-want +got):\n%s", d)
			}
		})
	}
}

// TestLabelRelative: a label that names a file by its absolute path in
// the project (as a client passes a task's target to a node) is recorded
// relative to the project's root, as it is without a node.
func TestLabelRelative(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"main.go": "v0\n"})
	c := e.apply(checkpoint.Meta{Label: filepath.Join(e.root, "main.go") + ":3"}, edit("main.go", "v1\n"))
	list, err := e.cs.List(ctx, checkpoint.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Label != "main.go:3" || len(list) != 1 || list[0].Label != "main.go:3" {
		t.Fatalf("label %q, listed %q", c.Label, list[0].Label)
	}
	c = e.apply(checkpoint.Meta{Label: "MyApp.Cache"}, edit("main.go", "v2\n"))
	if c.Label != "MyApp.Cache" || strings.Contains(c.Label, e.root) {
		t.Fatalf("label %q", c.Label)
	}
}
