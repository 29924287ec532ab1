package checkpoint_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/usererr"
)

// chmod sets the mode of a file or directory of the project, and gives
// a directory its write bit back at the end of the test (t.TempDir's
// removal needs it).
func (e *env) chmod(rel string, mode fs.FileMode) {
	e.t.Helper()
	full := filepath.Join(e.root, filepath.FromSlash(rel))
	if err := os.Chmod(full, mode); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { os.Chmod(full, 0o755) })
}

// modeOf is the permission bits of a file of the project.
func (e *env) modeOf(rel string) fs.FileMode {
	e.t.Helper()
	fi, err := os.Stat(filepath.Join(e.root, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestApplyRefusesReadOnly: a change that would write over, delete or
// rename a file whose owner-write bit is clear, or write into a
// directory whose owner-write bit is clear, is refused before anything
// is written or recorded, with one line naming the file and what to do.
// The process may run as root, to which the bits are no obstacle: the
// refusal is by the bits, not by the write failing.
func TestApplyRefusesReadOnly(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(e *env)
		changes []checkpoint.Change
		want    string
	}{{
		name:    "edit of a 0444 file",
		setup:   func(e *env) { e.chmod("internal/x.go", 0o444) },
		changes: []checkpoint.Change{edit("a.go", "a1"), edit("internal/x.go", "x1")},
		want:    "refused: internal/x.go is read-only (mode 0444); make it writable (chmod u+w internal/x.go) or leave it out of the change",
	}, {
		name:    "edit of a 0555 script",
		setup:   func(e *env) { e.chmod("internal/x.go", 0o555) },
		changes: []checkpoint.Change{edit("internal/x.go", "x1"), edit("a.go", "a1")},
		want:    "refused: internal/x.go is read-only (mode 0555); make it writable (chmod u+w internal/x.go) or leave it out of the change",
	}, {
		name:    "edit of a 0000 file",
		setup:   func(e *env) { e.chmod("b.go", 0) },
		changes: []checkpoint.Change{edit("b.go", "b1")},
		want:    "refused: b.go is read-only (mode 0000); make it writable (chmod u+w b.go) or leave it out of the change",
	}, {
		name:    "deletion of a 0444 file",
		setup:   func(e *env) { e.chmod("internal/x.go", 0o444) },
		changes: []checkpoint.Change{edit("a.go", "a1"), remove("internal/x.go")},
		want:    "refused: internal/x.go is read-only (mode 0444); make it writable (chmod u+w internal/x.go) or leave it out of the change",
	}, {
		name:  "rename of a 0444 file",
		setup: func(e *env) { e.chmod("internal/x.go", 0o444) },
		changes: []checkpoint.Change{remove("internal/x.go"),
			{Path: "internal/y.go", Data: []byte("x0"), From: "internal/x.go", Expect: checkpoint.Absent}},
		want: "refused: internal/x.go is read-only (mode 0444); make it writable (chmod u+w internal/x.go) or leave it out of the change",
	}, {
		name:    "edit of a file in a 0555 directory",
		setup:   func(e *env) { e.chmod("internal", 0o555) },
		changes: []checkpoint.Change{edit("a.go", "a1"), edit("internal/x.go", "x1")},
		want:    "refused: internal/x.go is in a read-only directory, internal (mode 0555); make it writable (chmod u+w internal) or leave internal/x.go out of the change",
	}, {
		name:    "new file in a 0555 directory",
		setup:   func(e *env) { e.chmod("internal", 0o555) },
		changes: []checkpoint.Change{edit("a.go", "a1"), edit("internal/new.go", "n")},
		want:    "refused: internal/new.go is in a read-only directory, internal (mode 0555); make it writable (chmod u+w internal) or leave internal/new.go out of the change",
	}, {
		name:    "new directory in a 0555 directory",
		setup:   func(e *env) { e.chmod("internal", 0o555) },
		changes: []checkpoint.Change{edit("internal/sub/new.go", "n")},
		want:    "refused: internal/sub/new.go is in a read-only directory, internal (mode 0555); make it writable (chmod u+w internal) or leave internal/sub/new.go out of the change",
	}, {
		name: "several",
		setup: func(e *env) {
			e.chmod("a.go", 0o444)
			e.chmod("internal/x.go", 0o400)
			e.chmod("internal", 0o555)
		},
		changes: []checkpoint.Change{edit("a.go", "a1"), edit("internal/x.go", "x1"), edit("b.go", "b1")},
		want: "refused: a.go is read-only (mode 0444); internal/x.go is read-only (mode 0400), in a read-only directory, internal (mode 0555); " +
			"make them writable (chmod u+w a.go internal/x.go internal) or leave them out of the change",
	}, {
		name:    "a path to quote",
		setup:   func(e *env) { e.chmod("my dir/it's.go", 0o444) },
		changes: []checkpoint.Change{edit("my dir/it's.go", "q1")},
		want:    `refused: "my dir/it's.go" is read-only (mode 0444); make it writable (chmod u+w 'my dir/it'\''s.go') or leave it out of the change`,
	}}
	for name, fsys := range modeFSes(t) {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				e := newModeEnv(t, fsys)
				e.write(map[string]string{"a.go": "a0", "b.go": "b0", "internal/x.go": "x0", "my dir/it's.go": "q0"})
				tc.setup(e)
				before := e.tree()
				_, err := e.cs.Apply(ctx, tc.changes, checkpoint.Meta{Reason: "refactor"})
				ue := usererr.As(err)
				if ue == nil {
					t.Fatalf("apply: %v; want a refusal (tree now %v)", err, e.tree())
				}
				if ue.Msg != tc.want {
					t.Errorf("refusal:\n got %s\nwant %s", ue.Msg, tc.want)
				}
				var ro *checkpoint.ReadOnlyError
				if !errors.As(err, &ro) || len(ro.Files) == 0 {
					t.Errorf("apply: %v; want a *ReadOnlyError", err)
				}
				if d := cmp.Diff(before, e.tree()); d != "" {
					t.Errorf("a refused apply wrote (-before +after):\n%s", d)
				}
				if n := e.count(`SELECT count(*) FROM checkpoints`); n != 0 {
					t.Errorf("a refused apply recorded %d checkpoints", n)
				}
			})
		}
	}
}

// TestApplyBesideReadOnly: read-only files and directories are no
// obstacle to the files around them: a new file beside a read-only one,
// an edit of a writable file in a writable directory under a read-only
// one, a change that leaves the read-only file as it is.
func TestApplyBesideReadOnly(t *testing.T) {
	for name, fsys := range modeFSes(t) {
		t.Run(name, func(t *testing.T) {
			e := newModeEnv(t, fsys)
			e.write(map[string]string{"ro.go": "r0", "a.go": "a0", "vendor/sub/v.go": "v0"})
			e.chmod("ro.go", 0o444)
			e.chmod("vendor/sub", 0o755)
			e.chmod("vendor", 0o555)
			res, err := e.cs.Apply(ctx, []checkpoint.Change{
				edit("a.go", "a1"), edit("new.go", "n"), edit("vendor/sub/v.go", "v1"), edit("vendor/sub/w.go", "w"), edit("ro.go", "r0"),
			}, checkpoint.Meta{})
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if d := cmp.Diff([]string{"ro.go"}, res.Unchanged); d != "" {
				t.Errorf("unchanged (-want +got):\n%s", d)
			}
			want := map[string]string{"ro.go": "r0 [444]", "a.go": "a1", "new.go": "n", "vendor/sub/v.go": "v1", "vendor/sub/w.go": "w"}
			if d := cmp.Diff(want, e.tree()); d != "" {
				t.Errorf("tree (-want +got):\n%s", d)
			}
		})
	}
}

// TestApplyKeepsModes: a file written keeps the mode it has, whatever
// it is (an executable stays executable, a private file private).
func TestApplyKeepsModes(t *testing.T) {
	modes := []fs.FileMode{0o644, 0o755, 0o600, 0o700, 0o664, 0o775, 0o640}
	for name, fsys := range modeFSes(t) {
		t.Run(name, func(t *testing.T) {
			e := newModeEnv(t, fsys)
			var changes []checkpoint.Change
			for _, m := range modes {
				p := "f" + m.String()[1:]
				e.write(map[string]string{p: "0"})
				e.chmod(p, m)
				changes = append(changes, edit(p, "1"))
			}
			e.apply(checkpoint.Meta{}, changes...)
			for _, m := range modes {
				p := "f" + m.String()[1:]
				if got := e.modeOf(p); got != m {
					t.Errorf("%s: mode %o after the write; want %o", p, got, m)
				}
				if b, _ := os.ReadFile(filepath.Join(e.root, p)); string(b) != "1" {
					t.Errorf("%s: %q; want it written", p, b)
				}
			}
		})
	}
}

// TestRestoreRefusesReadOnly: a restore that would write over, delete
// or write into what became read-only since the checkpoint is refused,
// Force or not (a dry run lists it as blocked), and writes nothing; once
// it is made writable again the restore goes ahead. A file the
// checkpoint itself left read-only is no obstacle to undoing it.
func TestRestoreRefusesReadOnly(t *testing.T) {
	for name, fsys := range modeFSes(t) {
		t.Run(name, func(t *testing.T) {
			e := newModeEnv(t, fsys)
			e.write(map[string]string{"a.go": "a0", "lib/b.go": "b0"})
			cp := e.apply(checkpoint.Meta{Reason: "refactor"}, edit("a.go", "a1"), edit("lib/b.go", "b1"), edit("lib/c.go", "c1"))

			for _, tc := range []struct {
				name, path string
				mode       fs.FileMode
				want       string
			}{
				{"a file made 0444", "a.go", 0o444,
					"refused: a.go is read-only (mode 0444); make it writable (chmod u+w a.go) and restore checkpoint " + cp.ID + " again"},
				{"a created file made 0444", "lib/c.go", 0o444,
					"refused: lib/c.go is read-only (mode 0444); make it writable (chmod u+w lib/c.go) and restore checkpoint " + cp.ID + " again"},
				{"a directory made 0555", "lib", 0o555,
					"refused: lib/b.go is in a read-only directory, lib (mode 0555); make it writable (chmod u+w lib) and restore checkpoint " + cp.ID + " again"},
			} {
				e.chmod(tc.path, tc.mode)
				before := e.tree()
				for _, force := range []bool{false, true} {
					r, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{DryRun: true, Force: force})
					if err != nil || r.Refused == nil || len(r.Refused.Blocked) == 0 || r.Refused.Blocked[0].Error != tc.want {
						t.Fatalf("%s: dry run (force %v): %+v, %v; want blocked with %q", tc.name, force, r, err, tc.want)
					}
					_, err = e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{Force: force})
					var ro *checkpoint.ReadOnlyError
					if ue := usererr.As(err); ue == nil || ue.Msg != tc.want || !errors.As(err, &ro) {
						t.Fatalf("%s: restore (force %v): %v; want %q", tc.name, force, err, tc.want)
					}
					if d := cmp.Diff(before, e.tree()); d != "" {
						t.Fatalf("%s: a refused restore wrote (-before +after):\n%s", tc.name, d)
					}
				}
				e.chmod(tc.path, map[bool]fs.FileMode{true: 0o755, false: 0o644}[tc.path == "lib"])
			}
			if n := e.count(`SELECT count(*) FROM checkpoints`); n != 1 {
				t.Fatalf("refused restores recorded checkpoints: %d in all", n)
			}

			// Writable again: the restore goes ahead.
			if _, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{}); err != nil {
				t.Fatalf("restore: %v", err)
			}
			if d := cmp.Diff(map[string]string{"a.go": "a0", "lib/b.go": "b0"}, e.tree()); d != "" {
				t.Errorf("restored tree (-want +got):\n%s", d)
			}

			// The restore's own checkpoint left c.go absent; one that made
			// a file read-only itself is undone without a chmod.
			ro := e.apply(checkpoint.Meta{}, checkpoint.Change{Path: "lib/ro.txt", Data: []byte("r"), Mode: 0o444})
			if _, err := e.cs.Restore(ctx, ro.ID, checkpoint.RestoreOptions{}); err != nil {
				t.Fatalf("restore of the checkpoint that made lib/ro.txt read-only: %v", err)
			}
			if _, err := os.Stat(filepath.Join(e.root, "lib/ro.txt")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("lib/ro.txt after undoing its creation: %v", err)
			}
		})
	}
}

// TestRemoveLeavesReadOnlyDirs: removing a file removes the
// directories it leaves empty, but not out of a read-only directory.
func TestRemoveLeavesReadOnlyDirs(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"vendor/sub/v.go": "v0", "vendor/keep.go": "k"})
	e.chmod("vendor", 0o555)
	e.apply(checkpoint.Meta{}, remove("vendor/sub/v.go"))
	if _, err := os.Stat(filepath.Join(e.root, "vendor/sub")); err != nil {
		t.Errorf("vendor/sub, in a read-only directory: %v; want it left there", err)
	}
	if d := cmp.Diff(map[string]string{"vendor/keep.go": "k"}, e.tree()); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

// TestRestoreLeavesMadeDirsInReadOnly: restoring a rolled-back
// checkpoint removes the empty directories its write made, but not out
// of a directory the user has made read-only since.
func TestRestoreLeavesMadeDirsInReadOnly(t *testing.T) {
	e := newEnv(t)
	ff := &failFS{failAt: 1, err: errNoSpace}
	e = newEnvOn(t, e.db, e.root, withFS(ff))
	ff.FS = e.dir
	e.write(map[string]string{"a.go": "a0"})
	_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("new/deeper/x.go", "x")}, checkpoint.Meta{})
	var ae *checkpoint.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("apply: %v", err)
	}
	// What an older roll-back left: the directories, empty.
	if err := os.MkdirAll(filepath.Join(e.root, "new", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.chmod(".", 0o555)
	ff.failAt = 0
	if _, err := e.cs.Restore(ctx, ae.Checkpoint, checkpoint.RestoreOptions{}); err != nil {
		t.Fatalf("restore of a rolled-back checkpoint: %v", err)
	}
	if got := entries(t, e.root, "."); !cmp.Equal(got, []string{"a.go", "new"}) {
		t.Errorf("project after the restore: %q; want new left in the read-only root", got)
	}
	if got := entries(t, e.root, "new"); len(got) != 0 {
		t.Errorf("new after the restore: %q; want new/deeper removed", got)
	}
}
