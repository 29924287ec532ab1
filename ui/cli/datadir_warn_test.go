package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataDirOpenToOthersIsWarned: a data dir others can read (made by
// hand, 0755) is said once on stderr, with what to do; the command runs.
func TestDataDirOpenToOthersIsWarned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	r := runCLI(t, false, nil, "--data-dir", dir, "history")
	if r.code != 0 || strings.Count(r.stderr, "aiex: warning: ") != 1 || !strings.Contains(r.stderr, "chmod 700 "+dir) {
		t.Errorf("exit %d, stderr %q; want one warning naming chmod 700", r.code, r.stderr)
	}
	if r := runCLI(t, false, nil, "--data-dir", filepath.Join(t.TempDir(), "own"), "history"); strings.Contains(r.stderr, "warning") {
		t.Errorf("a data dir aiex made warns: %q", r.stderr)
	}
}
