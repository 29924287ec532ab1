package checkpoint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
)

// Dropping the checkpoint projections and replaying the log rebuilds them
// byte for byte, whatever happened: writes, restores, a roll-back, tags,
// a prune — and again after retention deleted the pruned streams' events.
func TestReplayRebuildsProjection(t *testing.T) {
	e := newEnv(t)
	ff := &failFS{failAt: 0, failN: 1, err: errNoSpace}
	e = newEnvOn(t, e.db, e.root, withFS(ff))
	ff.FS = e.dir
	e.write(map[string]string{"a.go": "a0\n", "b.go": "b0\n", "bin": "\x00\x01"})
	one := e.apply(checkpoint.Meta{Session: "s1", Turn: 1, Reason: "refactor"}, edit("a.go", "a1\n"), remove("b.go"), edit("new/n.go", "n\n"))
	e.clock.Advance(time.Hour)
	two := e.apply(checkpoint.Meta{Session: "s1", Turn: 2, Reason: "gen module", Label: "it's \"quoted\""},
		edit("a.go", strings.Repeat("a2\n", 500)), edit("bin", "\x00\x02\xff"))
	if _, err := e.cs.Restore(ctx, one.ID, checkpoint.RestoreOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.Tag(ctx, two.ID, "good"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.Tag(ctx, one.ID, "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.Untag(ctx, one.ID, "first"); err != nil {
		t.Fatal(err)
	}
	ff.failAt = ff.writes + 2
	if _, err := e.cs.Apply(ctx, []checkpoint.Change{edit("x1", "1"), edit("x2", "2"), edit("x3", "3")}, checkpoint.Meta{}); err == nil {
		t.Fatal("apply did not fail")
	}
	e.clock.Advance(48 * time.Hour)
	if rep, err := e.cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{KeepLast: 1}}); err != nil || len(rep.Pruned) != 2 {
		t.Fatalf("prune: %+v %v", rep, err)
	}
	checkReplay(t, e)

	// Retention deletes the pruned (ended) streams' events whole.
	pr, err := e.log.Prune(ctx, e.clock.Now().Add(time.Hour), checkpoint.Projection())
	if err != nil || pr.Ended != 2 {
		t.Fatalf("events prune: %+v %v", pr, err)
	}
	checkReplay(t, e)
}

func checkReplay(t *testing.T, e *env) {
	t.Helper()
	live := dump(t, e.db)
	if _, err := e.db.Execute(ctx, checkpoint.Projection().Reset()...); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT COUNT(*) FROM checkpoints`); n != 0 {
		t.Fatalf("%d rows left after the reset", n)
	}
	rep, err := e.log.Replay(ctx, events.ReplayOptions{}, checkpoint.Projection())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events == 0 {
		t.Fatal("replay folded no event")
	}
	if replayed := dump(t, e.db); replayed != live {
		t.Errorf("replay differs (-live +replayed):\n%s", cmp.Diff(live, replayed))
	}
}
