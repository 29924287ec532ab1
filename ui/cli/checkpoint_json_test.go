package cli

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

// TestCheckpointJSONNamesItsSession: a checkpoint is an object (id), and
// the session whose turn made it a reference to another (session_id), as
// in every command's output.
func TestCheckpointJSONNamesItsSession(t *testing.T) {
	b, err := json.Marshal(newCheckpointJSON(&checkpoint.Checkpoint{ID: "c1", Session: "s1", Turn: 2}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["session"]; ok || got["session_id"] != "s1" || got["id"] != "c1" || got["turn"] != 2.0 {
		t.Errorf("checkpoint --json %s; want id c1, session_id s1, turn 2 and no session", b)
	}
}

// TestPruneJSONNamesCheckpointIDs: the checkpoints prune deleted are
// references, named as every reference to a checkpoint is (_id); the
// policy's age names its unit.
func TestPruneJSONNamesCheckpointIDs(t *testing.T) {
	b, err := json.Marshal(checkpoint.PruneReport{Pruned: []string{"c1", "c2"}, Policy: checkpoint.Policy{OlderThan: 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	ids, ok := got["pruned_checkpoint_ids"].([]any)
	if _, old := got["pruned"]; old || !ok || len(ids) != 2 || ids[0] != "c1" {
		t.Errorf("checkpoint prune --json %s; want pruned_checkpoint_ids [c1 c2]", b)
	}
	// A duration names its unit, as testgen's duration_ns does.
	if p, _ := got["policy"].(map[string]any); p["older_than_ns"] != float64(24*time.Hour) {
		t.Errorf("checkpoint prune --json %s; want the policy's older_than_ns", b)
	}
}
