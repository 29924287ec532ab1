package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
)

// TestCheckpointDiffAndRestoreJSONNames: the checkpoints that diff and
// restore print name themselves id and the objects they refer to
// <kind>_id, as every command's output does: the session whose turn made
// one (session_id), the checkpoint a restore undid, the checkpoint a
// refusal is of and the later one that left a file changed
// (checkpoint_id, with the role in front where one object names two).
func TestCheckpointDiffAndRestoreJSONNames(t *testing.T) {
	dir, root, id := checkpointProject(t)
	// A later checkpoint changes b.go again: a restore of the first is
	// refused, naming it.
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := a.Checkpoints(root, nil, app.CheckpointOptions{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	later, err := cs.Apply(ctx, []checkpoint.Change{{Path: "b.go", Data: []byte("package a\n\nvar B = 1\n")}}, checkpoint.Meta{Reason: "refactor"})
	if err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)

	obj := func(args ...string) (map[string]any, run) {
		t.Helper()
		r := runIn(nil, false, append([]string{"--data-dir", dir, "--json", "checkpoint"}, args...)...)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("checkpoint %v --json: %v\n%+v", args, err, r)
		}
		return m, r
	}
	field := func(m map[string]any, keys ...string) any {
		var v any = m
		for _, k := range keys {
			o, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = o[k]
		}
		return v
	}
	has := func(m map[string]any, keys ...string) bool {
		o, _ := field(m, keys[:len(keys)-1]...).(map[string]any)
		_, ok := o[keys[len(keys)-1]]
		return ok
	}

	d, r := obj("diff", id)
	if r.code != 0 || field(d, "checkpoint", "id") != id || field(d, "checkpoint", "session_id") != "5e5510" || has(d, "checkpoint", "session") {
		t.Errorf("diff --json: want checkpoint.id %s, checkpoint.session_id 5e5510 and no checkpoint.session\n%s", id, r.stdout)
	}

	p, r := obj("restore", id, "--dry-run")
	files, _ := field(p, "refused", "files").([]any)
	var f0 map[string]any
	if len(files) == 1 {
		f0, _ = files[0].(map[string]any)
	}
	if r.code != 1 || field(p, "from", "session_id") != "5e5510" || has(p, "from", "session") ||
		field(p, "refused", "checkpoint_id") != id || has(p, "refused", "checkpoint") ||
		f0 == nil || f0["path"] != "b.go" || f0["by_checkpoint_id"] != later.Checkpoint.ID || has(f0, "by") {
		t.Errorf("restore --dry-run --json: want from.session_id, refused.checkpoint_id %s and b.go's by_checkpoint_id %s\n%s",
			id, later.Checkpoint.ID, r.stdout)
	}

	rr, r := obj("restore", id, "--yes", "--force")
	if r.code != 0 || field(rr, "from", "id") != id || field(rr, "checkpoint", "restored_checkpoint_id") != id ||
		has(rr, "checkpoint", "restore_of") {
		t.Errorf("restore --json: want the restore's checkpoint with restored_checkpoint_id %s and no restore_of\n%s", id, r.stdout)
	}
}
