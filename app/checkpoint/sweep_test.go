package checkpoint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// killedWrite writes a/a.go (there) and big/new.go (new, in a new
// directory) through a sandbox whose process dies in the middle of the
// second write, as kill -9 would stop it, and returns the checkpoint left
// applying and the temporary file left in big/. The file's time is set
// to an hour ago: the killed process ended before the one that finds it
// started.
func killedWrite(t *testing.T, w *env) (id, temp string) {
	t.Helper()
	w.write(map[string]string{"a/a.go": "package a\n"})
	body := strings.Repeat("generated line\n", 400)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.cs.Apply(ctx, []checkpoint.Change{edit("a/a.go", "package a // edited\n"), edit("big/new.go", body)}, checkpoint.Meta{Reason: "refactor"})
		t.Error("the write was not cut short")
	}()
	<-done
	list, err := w.cs.List(ctx, checkpoint.Filter{Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	big := entries(t, w.root, "big")
	if len(big) != 1 || !strings.HasPrefix(big[0], ".aiex-new.go-") {
		t.Fatalf("big/ holds %q; want only the killed write's temporary file", big)
	}
	temp = "big/" + big[0]
	backdate(t, w.root, temp)
	return list[0].ID, temp
}

// backdate sets a file's times to an hour ago.
func backdate(t *testing.T, root, rel string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(rel)), old, old); err != nil {
		t.Fatal(err)
	}
}

// put makes a file rel of root holding s.
func put(t *testing.T, root, rel, s string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exists(root, rel string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil
}

// TestApplyRemovesInterruptedLeftovers: the temporary file a killed write
// left is removed by the next write in the project, which says so once;
// the interrupted checkpoint still restores. What is not that write's is
// kept: a file of another name, another file's temporary file, and one of
// its files' temporary files written since this process started (a live
// writer's, at work).
func TestApplyRemovesInterruptedLeftovers(t *testing.T) {
	st, root, _ := storeAndDir(t)
	w := newEnvOn(t, st, root, withFS(&midWriteFS{Sandbox: openSandbox(t, root), at: 2}), withInstance("killed"))
	id, temp := killedWrite(t, w)
	kept := []string{"big/notes.tmp", "big/.aiex-other.go-0123456789abcdef.tmp", "a/.a.go.aiex-0123456789ab"}
	for _, k := range kept {
		put(t, root, k, "x")
	}
	backdate(t, root, kept[0])
	backdate(t, root, kept[1])
	// kept[2] is new: a write of a/a.go at work, in another process.

	next := newEnvOn(t, st, root, withFS(openSandbox(t, root)), withInstance("next"))
	show, err := next.cs.Show(ctx, id)
	if err != nil || show.Interrupted == nil || !slices.Contains(show.Interrupted.TempFiles, temp) {
		t.Fatalf("show: %+v, %v; want %s listed as left", show.Interrupted, err, temp)
	}
	res, err := next.cs.Apply(ctx, []checkpoint.Change{edit("c.go", "package c\n")}, checkpoint.Meta{Reason: "refactor"})
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(res.TempFiles, []string{temp}) {
		t.Errorf("the next write removed %q; want %q", res.TempFiles, temp)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], temp) || !strings.Contains(res.Notes[0], id) {
		t.Errorf("notes %q; want one naming %s and checkpoint %s", res.Notes, temp, id)
	}
	if exists(root, temp) {
		t.Errorf("%s is still there", temp)
	}
	for _, k := range kept {
		if !exists(root, k) {
			t.Errorf("%s, not the interrupted write's, was removed", k)
		}
	}

	again, err := next.cs.Apply(ctx, []checkpoint.Change{edit("c.go", "package c // again\n")}, checkpoint.Meta{Reason: "refactor"})
	if err != nil || len(again.TempFiles) != 0 || len(again.Notes) != 0 {
		t.Fatalf("a later write: %+v, %v; want nothing more removed or said", again, err)
	}

	// The live writer's file is its own to remove.
	if err := osRemove(root, kept[2]); err != nil {
		t.Fatal(err)
	}
	r, err := next.cs.Restore(ctx, id, checkpoint.RestoreOptions{})
	if err != nil || r.From.Status != checkpoint.StatusInterrupted || len(r.Files) != 1 || r.Files[0].Path != "a/a.go" {
		t.Fatalf("restore of the interrupted checkpoint: %+v, %v; want a/a.go put back", r, err)
	}
	got, err := os.ReadFile(filepath.Join(root, "a", "a.go"))
	if err != nil || string(got) != "package a\n" {
		t.Errorf("a/a.go after the restore: %q, %v", got, err)
	}
	if got := entries(t, root, "big"); !cmp.Equal(got, []string{".aiex-other.go-0123456789abcdef.tmp", "notes.tmp"}) {
		t.Errorf("big/ after the restore: %q", got)
	}
}

// TestApplyLeavesOtherRootsLeftovers: an interrupted write of the same
// project made in another checkout left its temporary files there; a
// file of the same name in this checkout is not its, and stays.
func TestApplyLeavesOtherRootsLeftovers(t *testing.T) {
	st, root, _ := storeAndDir(t)
	w := newEnvOn(t, st, root, withFS(&midWriteFS{Sandbox: openSandbox(t, root), at: 2}), withInstance("killed"), withKey("git:example.com/p"))
	_, temp := killedWrite(t, w)

	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	put(t, other, temp, "x")
	backdate(t, other, temp)
	next := newEnvOn(t, st, other, withFS(openSandbox(t, other)), withInstance("next"), withKey("git:example.com/p"))
	res, err := next.cs.Apply(ctx, []checkpoint.Change{edit("c.go", "package c\n")}, checkpoint.Meta{Reason: "refactor"})
	if err != nil || len(res.TempFiles) != 0 {
		t.Fatalf("apply in the other checkout: %+v, %v; want nothing removed", res, err)
	}
	if !exists(other, temp) {
		t.Errorf("%s of the other checkout was removed", temp)
	}
	if !exists(root, temp) {
		t.Errorf("%s of the checkout the write was made in was removed by a write elsewhere", temp)
	}
}

// BenchmarkApplyAfterInterrupted: a one-file write in a project with 0 or
// sweptCheckpoints (16) interrupted writes, each of five files: what
// looking for their leftovers adds to every write.
func BenchmarkApplyAfterInterrupted(b *testing.B) {
	for _, n := range []int{0, 16} {
		b.Run(fmt.Sprintf("interrupted=%d", n), func(b *testing.B) {
			st, root := dbtest.Open(b), b.TempDir()
			for i := range n {
				dir, err := checkpoint.DirFS(root)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { dir.Close() })
				w := newEnvOn(b, st, root, withFS(&killFS{FS: dir, at: 3}), withInstance(fmt.Sprintf("killed%d", i)))
				done := make(chan struct{})
				go func() {
					defer close(done)
					var changes []checkpoint.Change
					for f := range 5 {
						changes = append(changes, edit(fmt.Sprintf("d%d/f%d.go", f%2, f), fmt.Sprintf("v%d", i)))
					}
					w.cs.Apply(ctx, changes, checkpoint.Meta{Reason: "refactor"})
				}()
				<-done
			}
			e := newEnvOn(b, st, root, withInstance("next"))
			b.ResetTimer()
			for i := range b.N {
				if _, err := e.cs.Apply(ctx, []checkpoint.Change{edit("c.go", fmt.Sprint(i))}, checkpoint.Meta{Reason: "edit"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRestoreRemovesOtherInterruptedLeftovers: a restore is a write too:
// once done, it removes the temporary file another, interrupted, write of
// the project left, and says so, as Apply does (restoring an earlier
// checkpoint again left it there for good).
func TestRestoreRemovesOtherInterruptedLeftovers(t *testing.T) {
	st, root, _ := storeAndDir(t)
	before := newEnvOn(t, st, root, withFS(openSandbox(t, root)), withInstance("before"))
	done, err := before.cs.Apply(ctx, []checkpoint.Change{edit("c.go", "package c\n")}, checkpoint.Meta{Reason: "refactor"})
	if err != nil {
		t.Fatal(err)
	}
	w := newEnvOn(t, st, root, withFS(&midWriteFS{Sandbox: openSandbox(t, root), at: 2}), withInstance("killed"))
	_, temp := killedWrite(t, w)

	next := newEnvOn(t, st, root, withFS(openSandbox(t, root)), withInstance("next"))
	r, err := next.cs.Restore(ctx, done.Checkpoint.ID, checkpoint.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], temp) || !strings.Contains(r.Notes[0], "an interrupted write left") {
		t.Errorf("notes %q; want one naming %s, left by an interrupted write", r.Notes, temp)
	}
	if exists(root, temp) {
		t.Errorf("%s is still there after the restore", temp)
	}
}
