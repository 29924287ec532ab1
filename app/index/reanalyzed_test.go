package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestReanalyzedForAnotherFamily: files indexed with another tokenizer
// family's counts (the default model changed) are analysed again; the run
// counts them as re-analysed and says why, not that another version of
// aiex made them, and the project's rows are this version's.
func TestReanalyzedForAnotherFamily(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.go"), []byte("package a\n\nfunc A() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ = filepath.EvalSymlinks(root)
	if _, err := New(Config{Store: st}).Index(ctx, root, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Family: tokens.FamilyO200k}).Index(ctx, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Changed != 1 || s.Reanalyzed != 1 || !strings.Contains(s.Note, "1 file counted for another tokenizer") || strings.Contains(s.Note, "version") {
		t.Errorf("%d changed, %d re-analysed, note %q; want the file re-analysed for another tokenizer", s.Changed, s.Reanalyzed, s.Note)
	}
	p, _, err := st.FindCodeProject(ctx, root)
	if err != nil || ByOtherVersion(p) {
		t.Errorf("project %+v (%v): made by this version", p, err)
	}
}
