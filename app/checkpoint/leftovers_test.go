package checkpoint_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// midWriteFS is the sandbox, as the app writes through it, whose process
// dies in the middle of its at-th write: the temporary file has part of
// the content when the goroutine writing stops (runtime.Goexit), as kill
// -9 stops a process — no rename, no clean-up, no closing event.
type midWriteFS struct {
	*sandbox.Sandbox
	mu     sync.Mutex
	writes int
	at     int
}

func (m *midWriteFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	m.mu.Lock()
	m.writes++
	die := m.writes == m.at
	m.mu.Unlock()
	if !die {
		return m.Sandbox.WriteFile(ctx, rel, data, perm)
	}
	return m.Sandbox.WriteFrom(ctx, rel, &dyingReader{data: data[:len(data)/2]}, perm)
}

// dyingReader yields data, then stops its goroutine.
type dyingReader struct{ data []byte }

func (r *dyingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		runtime.Goexit()
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// openSandbox is a sandbox over root. One whose write was killed is never
// closed: the killed write holds its lock, as a dead process's would
// hold nothing at all.
func openSandbox(t *testing.T, root string) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.New(root, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// entries lists what is in the directory rel of root ("<absent>" when
// there is no such directory).
func entries(t *testing.T, root, rel string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if os.IsNotExist(err) {
		return []string{"<absent>"}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestRestoreInterruptedRemovesLeftovers: a write killed midway leaves
// the temporary file of the file it was writing and the directories it
// made; restoring its checkpoint removes them — the directories it made
// only, not one that was there before, empty — and says which temporary
// files it removed (a dry run, which would).
func TestRestoreInterruptedRemovesLeftovers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		at      int      // the write that is killed
		written []string // the files it wrote before
	}{
		{"after two files", 3, []string{"gen/a.txt", "gen/b.txt"}},
		{"in the first file", 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, root, _ := storeAndDir(t)
			if err := os.Mkdir(filepath.Join(root, "keep"), 0o755); err != nil {
				t.Fatal(err)
			}
			w := newEnvOn(t, st, root, withFS(&midWriteFS{Sandbox: openSandbox(t, root), at: tc.at}), withInstance("killed"))
			w.write(map[string]string{"main.go": "package main\n"})
			body := strings.Repeat("generated line\n", 400)
			changes := []checkpoint.Change{
				edit("gen/a.txt", body), edit("gen/b.txt", body), edit("gen/c.txt", body), edit("gen/deep/d.txt", body),
				edit("keep/e.txt", body), edit("main.go", "package main // edited\n"),
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				w.cs.Apply(ctx, changes, checkpoint.Meta{Reason: "refactor"})
				t.Error("the write was not cut short")
			}()
			<-done
			list, err := w.cs.List(ctx, checkpoint.Filter{Limit: 1})
			if err != nil || len(list) != 1 {
				t.Fatalf("list: %v, %v", list, err)
			}
			id := list[0].ID
			gen := entries(t, root, "gen")
			temps := slices.DeleteFunc(slices.Clone(gen), func(n string) bool { return !strings.HasPrefix(n, ".aiex-") })
			if len(temps) != 1 {
				t.Fatalf("gen/ holds %q; want one temporary file", gen)
			}
			temp := "gen/" + temps[0]

			next := newEnvOn(t, st, root, withFS(openSandbox(t, root)), withInstance("next"))
			plan, err := next.cs.Restore(ctx, id, checkpoint.RestoreOptions{DryRun: true})
			if err != nil || !cmp.Equal(plan.TempFiles, []string{temp}) || plan.From.Status != checkpoint.StatusInterrupted {
				t.Fatalf("dry run: %+v, %v; want %s to be removed", plan, err, temp)
			}
			if _, err := os.Stat(filepath.Join(root, temp)); err != nil {
				t.Fatalf("the dry run removed %s: %v", temp, err)
			}
			r, err := next.cs.Restore(ctx, id, checkpoint.RestoreOptions{})
			if err != nil || !cmp.Equal(r.TempFiles, []string{temp}) || len(r.Files) != len(tc.written) {
				t.Fatalf("restore: %+v, %v; want %d files restored and %s removed", r, err, len(tc.written), temp)
			}
			if d := cmp.Diff(map[string]string{"main.go": "package main\n"}, next.tree()); d != "" {
				t.Errorf("after the restore (-want +got):\n%s", d)
			}
			if got := entries(t, root, "gen"); !cmp.Equal(got, []string{"<absent>"}) {
				t.Errorf("gen/, which the write made, is left holding %q", got)
			}
			if got := entries(t, root, "keep"); len(got) != 0 {
				t.Errorf("keep/, empty before the write, is %q; want it there, empty", got)
			}
		})
	}
}

// TestRestoreLeavesOthersTemps: a checkpoint that is not interrupted (its
// write finished) removes no file its own restore did not write, even
// one named as a temporary file of its files — another writer's, perhaps
// at work.
func TestRestoreLeavesOthersTemps(t *testing.T) {
	st, root, _ := storeAndDir(t)
	e := newEnvOn(t, st, root, withFS(openSandbox(t, root)))
	e.write(map[string]string{"a.go": "a0"})
	c := e.apply(checkpoint.Meta{Reason: "refactor"}, edit("a.go", "a1"), edit("gen/b.go", "b1"))
	stray := filepath.Join(root, "gen", ".aiex-b.go-0123456789abcdef.tmp")
	if err := os.WriteFile(stray, []byte("b"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{})
	if err != nil || len(r.TempFiles) != 0 {
		t.Fatalf("restore: %+v, %v", r, err)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("the restore of a finished write removed %s: %v", stray, err)
	}
}
