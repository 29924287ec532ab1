package workflow

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestModuleFileNoProject: in a directory that is neither a Mix project
// nor a Go module, gen module says how to start either, not only to run
// it from a project's root, which there may not be.
func TestModuleFileNoProject(t *testing.T) {
	root := t.TempDir()
	_, err := ModuleFile(root, "internal/cache")
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitFailure {
		t.Fatalf("ModuleFile in an empty directory: %v; want a user error", err)
	}
	for _, want := range []string{root + " is neither a Mix project (mix.exs) nor a Go module (go.mod)", "go mod init", "mix new"} {
		if !strings.Contains(ue.Msg, want) {
			t.Errorf("message %q lacks %q", ue.Msg, want)
		}
	}
	if strings.Contains(ue.Msg, "\n") {
		t.Errorf("message %q is more than one line", ue.Msg)
	}
}
