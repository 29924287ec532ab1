package cli

import (
	"encoding/json"
	"testing"

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
