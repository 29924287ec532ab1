package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
)

// TestSessionShowPrunedCheckpoint: once the checkpoint of a turn's write
// is pruned, the session no longer offers to undo the write with it, and
// says it was pruned.
func TestSessionShowPrunedCheckpoint(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	ctx := context.Background()
	a, root, res, w := writtenTurn(t)
	if _, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointPrune, Root: root, KeepNone: true, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{app.SessionShow, app.SessionResume} {
		r, err := a.Session(ctx, app.SessionRequest{Op: op, Ref: res.Answer.Session, Project: root, Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var md strings.Builder
		if err := r.Document.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(md.String(), "undo: aiex checkpoint restore") ||
			!strings.Contains(md.String(), "**Proposal:** written (checkpoint "+w.Checkpoint.ID+", pruned since: it can no longer be undone)") {
			t.Errorf("%s of a session whose checkpoint was pruned:\n%s", op, md.String())
		}
	}
}
