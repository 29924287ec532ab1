package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A project that is not a repository with a remote is shown by its root,
// in checkpoint list --json and in the --all-projects table, as session
// list shows it: the store's key for it ("path:ROOT") stays inside.
func TestCheckpointListShowsProjectByRoot(t *testing.T) {
	dataDir, root, id := checkpointProject(t)
	r := runCLI(t, false, nil, "--data-dir", dataDir, "--json", "checkpoint", "list")
	var list []struct{ ID, Project, Root string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != 0 || len(list) != 1 {
		t.Fatalf("checkpoint list --json: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if list[0].ID != id || list[0].Project != root {
		t.Errorf("checkpoint list --json: project %q, want the root %q", list[0].Project, root)
	}
	r = runCLI(t, false, nil, "--data-dir", dataDir, "--json", "checkpoint", "show", id)
	if r.code != 0 || strings.Contains(r.stdout, "path:") || !strings.Contains(r.stdout, `"project": "`+root+`"`) {
		t.Errorf("checkpoint show --json: exit %d; want the project as its root %s\n%s%s", r.code, root, r.stdout, r.stderr)
	}
	r = runCLI(t, false, nil, "--data-dir", dataDir, "checkpoint", "list", "--all-projects")
	if r.code != 0 || strings.Contains(r.stdout, "path:") || !strings.Contains(r.stdout, root) {
		t.Errorf("checkpoint list --all-projects: exit %d; want the PROJECT column to show %s\n%s%s", r.code, root, r.stdout, r.stderr)
	}
}
