package cli_test

import (
	"strings"
	"testing"
)

// TestCheckpointListSaysUndone: once restored, a checkpoint lists as
// undone, and show names the restore that undid it and how to write it
// again.
func TestCheckpointListSaysUndone(t *testing.T) {
	dir, _, id := checkpointProject(t)
	cp := func(args ...string) run {
		return runIn(nil, false, append([]string{"--data-dir", dir, "checkpoint"}, args...)...)
	}
	if r := cp("restore", "--yes", id); r.code != 0 {
		t.Fatalf("restore: %+v", r)
	}
	r := cp("list")
	var undo string
	undone := false
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 5 && f[0] == id:
			undone = f[5] == "undone"
		case len(f) > 5 && f[3] == "restore":
			undo = f[0]
		}
	}
	if undo == "" || !undone {
		t.Fatalf("list shows no restore, or %s not undone:\n%s", id, r.stdout)
	}
	r = cp("show", id)
	if want := "undone   by the restore that made checkpoint " + undo + " (aiex checkpoint restore " + undo + " writes it again)"; !strings.Contains(r.stdout, want) {
		t.Errorf("show lacks %q:\n%s", want, r.stdout)
	}
}
