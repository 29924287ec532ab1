package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// TestIndexSummaryForced: index --force over files that did not change
// says they were rewritten, not that they changed.
func TestIndexSummaryForced(t *testing.T) {
	ctx := context.Background()
	_, root, ix := indexedTwoFiles(t)
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
