package checkpoint_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/usererr"
)

// TestRestorePrunedSaysPruned: restoring a checkpoint pruned since, by
// its id or a prefix, says it was pruned, not that there are none yet.
func TestRestorePrunedSaysPruned(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "0"})
	c := e.apply(checkpoint.Meta{}, edit("a.go", "1"))
	if _, err := e.cs.Prune(ctx, checkpoint.PruneOptions{KeepNone: true}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{c.ID, c.ID[:4]} {
		_, err := e.cs.Restore(ctx, ref, checkpoint.RestoreOptions{})
		ue := usererr.As(err)
		if ue == nil || !errors.Is(err, checkpoint.ErrNotFound) || !errors.Is(err, checkpoint.ErrPruned) ||
			!strings.Contains(ue.Msg, "checkpoint "+c.ID+" was pruned") || strings.Contains(ue.Msg, "none yet") {
			t.Errorf("restore %s: %v", ref, err)
		}
	}
	if ok, err := checkpoint.WasPruned(ctx, e.db, c.ID); err != nil || !ok {
		t.Errorf("WasPruned = %v, %v", ok, err)
	}
	if ok, err := checkpoint.WasPruned(ctx, e.db, "0123456789ab"); err != nil || ok {
		t.Errorf("WasPruned(never made) = %v, %v", ok, err)
	}
}
