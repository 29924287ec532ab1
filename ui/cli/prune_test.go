package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

// TestCheckpointPruneKeepZero: --keep 0 keeps no checkpoint by count, so
// every untagged one goes — it is not the flag left out, which means the
// config's [checkpoints] retention (here keep = 1), or a question for one.
func TestCheckpointPruneKeepZero(t *testing.T) {
	dir, _, id := checkpointProject(t)
	prune := func(args ...string) run {
		return runIn(nil, false, append([]string{"--data-dir", dir, "checkpoint", "prune"}, args...)...)
	}

	// No retention configured: --keep 0 alone is a whole policy.
	r := runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "prune", "--keep", "0", "--dry-run")
	var rep checkpoint.PruneReport
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Policy.KeepLast != 0 || !slices.Equal(rep.Pruned, []string{id}) {
		t.Fatalf("--keep 0 --dry-run without a configured retention: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if r := prune("--keep", "-1"); r.code != 2 || !strings.Contains(r.stderr, "--keep: must be 0 or more, not -1") {
		t.Errorf("--keep -1: %+v", r)
	}

	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "aiex", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[checkpoints]\nkeep = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Left out, --keep is the config's.
	if r := prune("--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "would prune 0 checkpoints (kept 1, and 0 tagged)") {
		t.Errorf("prune --dry-run with keep = 1 configured: %+v", r)
	}
	r = runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "prune", "--keep", "0", "--dry-run")
	rep = checkpoint.PruneReport{}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Policy.KeepLast != 0 || !slices.Equal(rep.Pruned, []string{id}) {
		t.Errorf("--keep 0 --dry-run with keep = 1 configured: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if r := prune("--keep", "0"); r.code != 0 || !strings.Contains(r.stdout, "pruned 1 checkpoint (kept 0, and 0 tagged)") {
		t.Errorf("prune --keep 0: %+v", r)
	}
	if r := runIn(nil, false, "--data-dir", dir, "checkpoint", "show", id); r.code != 1 {
		t.Errorf("the checkpoint is still there after prune --keep 0: %+v", r)
	}
}
