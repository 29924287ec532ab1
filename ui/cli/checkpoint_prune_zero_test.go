package cli_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckpointPruneConfigZero: keep = 0 and max_age = "0s" in the
// [checkpoints] table mean unset, as leaving them out does (a node applies
// that table hourly, and a 0 read as "keep none" would delete every
// untagged checkpoint within the hour). The refusal says so, and says how
// to delete every untagged checkpoint on purpose (--keep 0), rather than
// asking for keep = N as if the file said nothing. Where the file does not
// exist, it says that instead.
func TestCheckpointPruneConfigZero(t *testing.T) {
	for _, body := range []string{"[checkpoints]\nkeep = 0\n", "[checkpoints]\nmax_age = \"0s\"\n", "[checkpoints]\nkeep = 0\nmax_age = \"0s\"\n"} {
		cfg := filepath.Join(t.TempDir(), "c.toml")
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "data")
		r := runCLI(t, false, nil, "--config", cfg, "--data-dir", dir, "checkpoint", "prune", "--dry-run")
		usageLine(t, r, "in the [checkpoints] table of "+cfg+" (keep and max_age are 0 or unset there, and 0 there means unset: --keep 0 deletes every untagged checkpoint)")
		noDataDir(t, dir)
	}
	dir := filepath.Join(t.TempDir(), "data")
	r := runCLI(t, false, nil, "--data-dir", dir, "checkpoint", "prune", "--dry-run")
	usageLine(t, r, "config.toml (the file does not exist yet: create it with a [checkpoints] table holding keep = N or max_age)")
}
