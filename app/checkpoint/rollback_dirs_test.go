package checkpoint_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/db"
)

// fullDiskFS is an FS on a disk that fills up while the file full is
// written: its directories are made, as a write makes them before it
// writes the content, and then the write fails.
type fullDiskFS struct {
	checkpoint.FS
	root, full string
}

func (f *fullDiskFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	if rel != f.full {
		return f.FS.WriteFile(ctx, rel, data, perm)
	}
	if err := os.MkdirAll(filepath.Join(f.root, filepath.FromSlash(path.Dir(rel))), 0o755); err != nil {
		return err
	}
	return &fs.PathError{Op: "write", Path: rel, Err: errNoSpace}
}

// TestRollbackRemovesMadeDirs: a write that fails on a new file in new
// directories, after those were made, is rolled back with them: the
// directories the write made go (deepest first), one that was there
// before stays, even empty, and so does every file.
func TestRollbackRemovesMadeDirs(t *testing.T) {
	for _, tc := range []struct {
		name, full string
		restored   int                 // files written before it (in path order), put back
		want       map[string][]string // directory → what is in it after
	}{
		{"both directories new", "newdir/sub/big.go", 1, map[string][]string{".": {"empty", "greet"}}},
		{"under an empty directory", "empty/sub/big.go", 0, map[string][]string{".": {"empty", "greet"}, "empty": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ff := &fullDiskFS{root: e.root, full: tc.full}
			e = newEnvOn(t, e.db, e.root, withFS(ff))
			ff.FS = e.dir
			e.write(map[string]string{"greet/bye.go": "package greet\n"})
			if err := os.Mkdir(filepath.Join(e.root, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			initial := e.tree()

			_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("greet/bye.go", "package greet // bye\n"), edit(tc.full, "package sub\n")},
				checkpoint.Meta{Reason: "refactor"})
			var ae *checkpoint.ApplyError
			if !errors.As(err, &ae) || ae.Path != tc.full || ae.Restored != tc.restored || len(ae.Left) != 0 {
				t.Fatalf("apply with a disk that fills up: %v (%+v)", err, ae)
			}
			if d := cmp.Diff(initial, e.tree()); d != "" {
				t.Errorf("a rolled-back apply changed files (-want +got):\n%s", d)
			}
			for dir, want := range tc.want {
				if got := entries(t, e.root, dir); !cmp.Equal(got, want) {
					t.Errorf("%s after the roll-back: %q; want %q", dir, got, want)
				}
			}
			c, err := e.cs.Show(ctx, ae.Checkpoint)
			if err != nil || c.Status != db.CheckpointRolledBack {
				t.Fatalf("checkpoint %+v, %v", c, err)
			}
		})
	}
}

// TestRestoreRolledBackRemovesMadeDirs: restoring a rolled-back
// checkpoint whose directories are still there (an older aiex rolled back
// without removing them) removes those that are empty, and nothing else.
func TestRestoreRolledBackRemovesMadeDirs(t *testing.T) {
	e := newEnv(t)
	ff := &failFS{failAt: 1, err: errNoSpace}
	e = newEnvOn(t, e.db, e.root, withFS(ff))
	ff.FS = e.dir
	e.write(map[string]string{"a.go": "a0"})
	_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("new/deeper/x.go", "x"), edit("other/y.go", "y")}, checkpoint.Meta{})
	var ae *checkpoint.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("apply: %v", err)
	}
	// What an older roll-back left: the directories, empty; and one the
	// user has put a file in since.
	e.write(map[string]string{"other/mine.go": "mine"})
	if err := os.MkdirAll(filepath.Join(e.root, "new", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	ff.failAt = 0
	r, err := e.cs.Restore(ctx, ae.Checkpoint, checkpoint.RestoreOptions{})
	if err != nil || r.Checkpoint != nil {
		t.Fatalf("restore of a rolled-back checkpoint: %+v %v", r, err)
	}
	if got := entries(t, e.root, "."); !cmp.Equal(got, []string{"a.go", "other"}) {
		t.Errorf("project after the restore: %q", got)
	}
	if d := cmp.Diff(map[string]string{"a.go": "a0", "other/mine.go": "mine"}, e.tree()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
