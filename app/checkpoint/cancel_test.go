package checkpoint_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/db"
)

// cancelFS cancels a context at its first write, as Ctrl-C does when it
// comes while an apply writes; like the sandbox, whose audit record a
// cancelled context cannot make, it refuses to write under a cancelled
// context.
type cancelFS struct {
	checkpoint.FS
	cancel context.CancelFunc
	once   sync.Once
}

func (f *cancelFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	f.once.Do(f.cancel)
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.FS.WriteFile(ctx, rel, data, perm)
}

// TestApplyCancelled: a cancel before the checkpoint is recorded writes
// nothing and records nothing; one that comes once the writing has begun
// does not stop it: every file is written and the checkpoint is applied,
// not left "applying".
func TestApplyCancelled(t *testing.T) {
	e := newEnv(t)
	cctx, cancel := context.WithCancel(context.Background())
	cf := &cancelFS{FS: e.dir, cancel: cancel}
	e = newEnvOn(t, e.db, e.root, withFS(cf))
	e.write(map[string]string{"a.go": "a", "b.go": "b", "c.go": "c"})
	changes := []checkpoint.Change{edit("a.go", "A"), edit("b.go", "B"), edit("c.go", "C"), edit("d.go", "D")}

	done, stop := context.WithCancel(context.Background())
	stop()
	before := e.tree()
	if _, err := e.cs.Apply(done, changes, checkpoint.Meta{Reason: "refactor"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("apply under a cancelled context: %v", err)
	}
	if d := cmp.Diff(before, e.tree()); d != "" {
		t.Fatalf("a cancelled apply wrote (-want +got):\n%s", d)
	}
	if n := e.count(`SELECT count(*) FROM checkpoints`); n != 0 {
		t.Fatalf("a cancelled apply recorded %d checkpoints", n)
	}

	res, err := e.cs.Apply(cctx, changes, checkpoint.Meta{Reason: "refactor"})
	if err != nil {
		t.Fatalf("apply cancelled while writing: %v", err)
	}
	if cctx.Err() == nil {
		t.Fatal("the test's context was not cancelled by the first write")
	}
	want := map[string]string{"a.go": "A", "b.go": "B", "c.go": "C", "d.go": "D"}
	if d := cmp.Diff(want, e.tree()); d != "" {
		t.Fatalf("files after an apply cancelled while writing (-want +got):\n%s", d)
	}
	c, err := e.cs.Show(ctx, res.Checkpoint.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != db.CheckpointApplied || res.Checkpoint.Status != db.CheckpointApplied {
		t.Fatalf("checkpoint status %q (result %q); want %q", c.Status, res.Checkpoint.Status, db.CheckpointApplied)
	}
	// It undoes as any other.
	if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, e.tree()); d != "" {
		t.Fatalf("restore (-want +got):\n%s", d)
	}
}
