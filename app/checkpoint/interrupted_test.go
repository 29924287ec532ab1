package checkpoint_test

import (
	"context"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// killFS is an FS whose process dies at its at-th write: the goroutine
// writing stops there (runtime.Goexit), as kill -9 stops a process, with
// no roll-back and no closing event.
type killFS struct {
	checkpoint.FS
	mu     sync.Mutex
	writes int
	at     int
}

func (k *killFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	k.mu.Lock()
	k.writes++
	die := k.writes == k.at
	k.mu.Unlock()
	if die {
		runtime.Goexit()
	}
	return k.FS.WriteFile(ctx, rel, data, perm)
}

// killedApply writes five files through cs, whose process dies at the
// third write, and returns the checkpoint it left applying.
func killedApply(t *testing.T, cs *checkpoint.Store) string {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		cs.Apply(ctx, []checkpoint.Change{edit("a.go", "a1"), edit("b.go", "b1"), edit("c.go", "c1"), edit("d.go", "d1"), edit("e.go", "e1")},
			checkpoint.Meta{Reason: "refactor"})
		t.Error("the write was not cut short")
	}()
	<-done
	list, err := cs.List(ctx, checkpoint.Filter{Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	return list[0].ID
}

func withInstance(name string) envOpt { return func(c *checkpoint.Config) { c.Instance = name } }

func withNodeAlive(f func(context.Context, string) bool) envOpt {
	return func(c *checkpoint.Config) { c.NodeAlive = f }
}

// storeAndDir is a store and a project dir to write checkpoints' files in
// (not synced: the tests kill no machine).
func storeAndDir(t *testing.T) (*db.Store, string, *checkpoint.Dir) {
	t.Helper()
	root := t.TempDir()
	dir, err := checkpoint.DirFS(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	dir.NoSync = true
	return dbtest.Open(t), root, dir
}

// TestKilledWriteReadsInterrupted: a checkpoint left applying by a process
// killed midway reads as interrupted once that process is gone — saying
// which of its files were written — and restores them; while its writer
// lives it is applying.
func TestKilledWriteReadsInterrupted(t *testing.T) {
	st, root, dir := storeAndDir(t)
	w := newEnvOn(t, st, root, withFS(&killFS{FS: dir, at: 3}), withInstance("killed"))
	w.write(map[string]string{"a.go": "a0", "b.go": "b0", "c.go": "c0", "d.go": "d0", "e.go": "e0"})
	id := killedApply(t, w.cs)

	// Its own process (still running here) is writing it.
	if c, err := w.cs.Show(ctx, id); err != nil || c.Status != db.CheckpointApplying || c.Interrupted != nil {
		t.Fatalf("show by its writer: %+v, %v", c, err)
	}

	// The next process on the node.
	next := newEnvOn(t, st, root, withInstance("next"))
	list, err := next.cs.List(ctx, checkpoint.Filter{})
	wantErr := "the process writing it (" + st.NodeID() + "/killed) ended before it finished"
	if err != nil || len(list) != 1 || list[0].Status != checkpoint.StatusInterrupted || list[0].Error != wantErr {
		t.Fatalf("list after the kill: %+v, %v", list, err)
	}
	c, err := next.cs.Show(ctx, id)
	if err != nil || c.Status != checkpoint.StatusInterrupted || c.Error != wantErr {
		t.Fatalf("show after the kill: %+v, %v", c, err)
	}
	want := &checkpoint.Interruption{Owner: st.NodeID() + "/killed", Written: []string{"a.go", "b.go"},
		NotWritten: []string{"c.go", "d.go", "e.go"}, Changed: []string{}}
	if d := cmp.Diff(want, c.Interrupted); d != "" {
		t.Fatalf("how far it got (-want +got):\n%s", d)
	}
	// A file changed since is neither.
	next.write(map[string]string{"d.go": "by hand"})
	if c, _ := next.cs.Show(ctx, id); c.Interrupted == nil || !cmp.Equal(c.Interrupted.Changed, []string{"d.go"}) {
		t.Fatalf("show with d.go edited: %+v", c.Interrupted)
	}
	next.write(map[string]string{"d.go": "d0"})

	// The rows are as recorded: a replay gives them back the same.
	before := dump(t, st)
	if _, err := next.log.Replay(ctx, events.ReplayOptions{}, checkpoint.Projection()); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, dump(t, st)); d != "" {
		t.Fatalf("replay changed the rows (-live +replayed):\n%s", d)
	}

	r, err := next.cs.Restore(ctx, id, checkpoint.RestoreOptions{})
	if err != nil || len(r.Files) != 2 || !cmp.Equal(r.Unchanged, []string{"c.go", "d.go", "e.go"}) {
		t.Fatalf("restore: %+v, %v", r, err)
	}
	if d := cmp.Diff(map[string]string{"a.go": "a0", "b.go": "b0", "c.go": "c0", "d.go": "d0", "e.go": "e0"}, next.tree()); d != "" {
		t.Fatalf("after the restore (-want +got):\n%s", d)
	}
}

// TestOtherNodesWriteInterrupted: another node's checkpoint left applying
// lives while that node is up, and for MaxApply at most.
func TestOtherNodesWriteInterrupted(t *testing.T) {
	st, root, dir := storeAndDir(t)
	reg, err := events.NewRegistry(checkpoint.Types()...)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	logB := events.New(events.Config{Store: st, Registry: reg, Node: "node-b", Now: c.Now})
	csB, err := checkpoint.New(checkpoint.Config{Log: logB, Store: st, FS: &killFS{FS: dir, at: 2}, Project: checkpoint.ProjectOf(root)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { csB.Close() })
	if err := dir.WriteFile(ctx, "a.go", []byte("a0"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := killedApply(t, csB)

	here := newEnvOn(t, st, root, withNodeAlive(func(context.Context, string) bool { return true }))
	status := func() string {
		t.Helper()
		c, err := here.cs.Show(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	if s := status(); s != db.CheckpointApplying {
		t.Fatalf("node-b up: %s", s)
	}
	here.clock.Advance(16 * time.Minute)
	if s := status(); s != checkpoint.StatusInterrupted {
		t.Fatalf("node-b up, 16 minutes on: %s", s)
	}

	// Without NodeAlive, only the time tells.
	young := newEnvOn(t, st, root)
	if c, _ := young.cs.Show(ctx, id); c.Status != db.CheckpointApplying {
		t.Fatalf("no NodeAlive: %s", c.Status)
	}
	down := newEnvOn(t, st, root, withNodeAlive(func(_ context.Context, node string) bool { return node != "node-b" }))
	c2, err := down.cs.Show(ctx, id)
	if err != nil || c2.Status != checkpoint.StatusInterrupted || !strings.Contains(c2.Error, "(node-b/") {
		t.Fatalf("node-b down: %+v, %v", c2, err)
	}
}
