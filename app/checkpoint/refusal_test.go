package checkpoint_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/usererr"
)

// TestDryRunShowsEveryRefusal: a dry run of a restore that could not
// write some files back at all (one is now a link it would have to
// remove, one a directory) still gives the plan, with those files and why
// in Refused, Force or not; the restore itself refuses as before.
func TestDryRunShowsEveryRefusal(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "a0", "d.go": "d0", "lib/real.ex": "real"})
	cp := e.apply(checkpoint.Meta{Reason: "refactor"}, edit("a.go", "a1"), edit("d.go", "d1"), edit("lib/new.ex", "new"))
	must(t, os.Remove(filepath.Join(e.root, "lib/new.ex")))
	must(t, os.Symlink("real.ex", filepath.Join(e.root, "lib/new.ex")))
	must(t, os.Remove(filepath.Join(e.root, "d.go")))
	must(t, os.Mkdir(filepath.Join(e.root, "d.go"), 0o755))
	e.write(map[string]string{"a.go": "by hand"})

	for _, force := range []bool{false, true} {
		r, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{DryRun: true, Force: force})
		if err != nil {
			t.Fatalf("dry run (force %v): %v; want the plan", force, err)
		}
		if len(r.Files) != 1 || r.Files[0].Path != "a.go" || !r.Files[0].Overwritten {
			t.Errorf("dry run (force %v): files %+v; want a.go alone", force, r.Files)
		}
		rf := r.Refused
		if rf == nil || len(rf.Blocked) != 2 || rf.Blocked[0].Path != "d.go" || rf.Blocked[1].Path != "lib/new.ex" ||
			!strings.Contains(rf.Blocked[0].Error, "d.go is not a regular file (a directory)") ||
			!strings.Contains(rf.Blocked[1].Error, "lib/new.ex is a symbolic link") {
			t.Fatalf("dry run (force %v): refused %+v", force, rf)
		}
		if changed := len(rf.Files) == 1 && rf.Files[0].Path == "a.go"; changed == force || errors.Is(rf, checkpoint.ErrChanged) == force {
			t.Errorf("dry run (force %v): changed files %+v; want a.go unless forced", force, rf.Files)
		}
		msg := rf.Error()
		if !strings.HasPrefix(msg, "not restoring checkpoint "+cp.ID+": d.go is not a regular file") || !strings.Contains(msg, "lib/new.ex is a symbolic link") {
			t.Errorf("dry run (force %v): refusal says %q", force, msg)
		}
	}

	// The restore itself stops at the first file it cannot write, as it did.
	_, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{Force: true})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "d.go is not a regular file") {
		t.Fatalf("restore: %v", err)
	}
	if got := e.tree(); got["a.go"] != "by hand" {
		t.Fatalf("a refused restore wrote: %v", got)
	}

	// One file alone: the refusal reads as the restore's error.
	must(t, os.Remove(filepath.Join(e.root, "d.go")))
	e.write(map[string]string{"d.go": "d1", "a.go": "a1"})
	r, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{DryRun: true})
	if err != nil || r.Refused == nil || len(r.Refused.Files) != 0 || !strings.HasPrefix(r.Refused.Error(), "lib/new.ex is a symbolic link") {
		t.Fatalf("dry run with the link alone: %+v, %v", r, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
