package workflow

import (
	"context"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestValidateSetupFails: when aiex cannot lay out what a check runs (its
// temp dir is gone, or the disk is full), the check is skipped, saying
// it is this machine's problem, not failed as if the change were wrong.
func TestValidateSetupFails(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not installed")
	}
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	p, err := FromDiff("refactor", "calc.Max", goodDiff, reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, TempDir: filepath.Join(t.TempDir(), "gone")})
	if !p.OK() {
		t.Fatalf("a check failed: %+v", p.Checks)
	}
	var build *Check
	for i := range p.Checks {
		if p.Checks[i].Name == "go build" {
			build = &p.Checks[i]
		}
	}
	if build == nil || build.Status != Skipped || !strings.HasPrefix(build.Detail, machineProblem) {
		t.Fatalf("go build check %+v; want skipped as a problem of this machine", build)
	}

	full := SetupFailed("mix compile", &fs.PathError{Op: "write", Path: "/tmp/aiex-overlay-1/0.go", Err: syscall.ENOSPC})
	if full.Status != Skipped || !strings.Contains(full.Detail, "is full; free some space there and run the command again") {
		t.Fatalf("a full disk: %+v", full)
	}
}
