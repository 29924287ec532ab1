package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestIndexSummaryForced: index --force over files that did not change
// says they were rewritten, not that they changed.
func TestIndexSummaryForced(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	root := t.TempDir()
	for name, src := range map[string]string{"a.go": "package a\n\nfunc A() {}\n", "b.go": "package a\n\nfunc B() { A() }\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, _ = filepath.EvalSymlinks(root)
	ix := index.New(index.Config{Store: st})
	if _, err := ix.Index(ctx, root, index.Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Index(ctx, root, index.Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printIndexSummary(&Output{Out: &out}, s); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(first, ": 2 files, 0 changed, 2 rewritten (--force) (") {
		t.Errorf("summary line %q: want no file changed and 2 rewritten", first)
	}
}
