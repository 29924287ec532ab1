package checkpoint_test

import (
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/google/go-cmp/cmp"
)

// statuses are the project's checkpoints' statuses, with what undid
// each one undone, by id.
func (e *env) statuses() map[string]string {
	e.t.Helper()
	list, err := e.cs.List(ctx, checkpoint.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range list {
		out[c.ID] = c.Status
		if c.UndoneBy != "" {
			out[c.ID] += " by " + c.UndoneBy
		}
		show, err := e.cs.Show(ctx, c.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		if show.Status != c.Status || show.UndoneBy != c.UndoneBy {
			e.t.Errorf("show %s: %s by %q; list: %s by %q", c.ID, show.Status, show.UndoneBy, c.Status, c.UndoneBy)
		}
	}
	return out
}

// Restoring a checkpoint undoes the later writes of its files too (with
// --force), and List and Show say so; restoring the restore writes them
// again, and restoring that undoes them again.
func TestRestoreMarksLaterWritesUndone(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"calc.go": "0", "other.go": "o0"})
	a := e.apply(checkpoint.Meta{}, edit("calc.go", "1"))
	b := e.apply(checkpoint.Meta{}, edit("calc.go", "2"))
	o := e.apply(checkpoint.Meta{}, edit("other.go", "o1"))
	restore := func(id string) string {
		t.Helper()
		r, err := e.cs.Restore(ctx, id, checkpoint.RestoreOptions{Force: true})
		if err != nil || r.Checkpoint == nil {
			t.Fatalf("restore %s: %v", id, err)
		}
		return r.Checkpoint.ID
	}
	r1 := restore(a.ID)
	want := map[string]string{a.ID: "undone by " + r1, b.ID: "undone by " + r1, o.ID: "applied", r1: "applied"}
	if d := cmp.Diff(want, e.statuses()); d != "" {
		t.Fatalf("after restoring the first (-want +got):\n%s", d)
	}
	r2 := restore(r1) // redo: calc.go is as b left it
	want = map[string]string{a.ID: "applied", b.ID: "applied", o.ID: "applied", r1: "undone by " + r2, r2: "applied"}
	if d := cmp.Diff(want, e.statuses()); d != "" {
		t.Fatalf("after restoring the restore (-want +got):\n%s", d)
	}
	r3 := restore(r2) // undo again: calc.go is as r1 left it
	want = map[string]string{a.ID: "undone by " + r3, b.ID: "undone by " + r3, o.ID: "applied", r1: "applied",
		r2: "undone by " + r3, r3: "applied"}
	if d := cmp.Diff(want, e.statuses()); d != "" {
		t.Fatalf("after restoring that (-want +got):\n%s", d)
	}
	// Restoring only the later write leaves the earlier one applied.
	e2 := newEnv(t)
	e2.write(map[string]string{"calc.go": "0"})
	a2 := e2.apply(checkpoint.Meta{}, edit("calc.go", "1"))
	b2 := e2.apply(checkpoint.Meta{}, edit("calc.go", "2"))
	r, err := e2.cs.Restore(ctx, b2.ID, checkpoint.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{a2.ID: "applied", b2.ID: "undone by " + r.Checkpoint.ID, r.Checkpoint.ID: "applied"}
	if d := cmp.Diff(want, e2.statuses()); d != "" {
		t.Fatalf("after restoring the later (-want +got):\n%s", d)
	}
}
