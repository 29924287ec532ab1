package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestIndexSummaryReanalysed: the first run of a new aiex over an index
// an older one made reads every file again; its summary says none
// changed, and why they were analysed again.
func TestIndexSummaryReanalysed(t *testing.T) {
	ctx := context.Background()
	st, root, ix := indexedTwoFiles(t)
	old := "index.v1/chunk.v1/hybrid-8192"
	if _, err := st.Execute(ctx,
		db.Stmt(`UPDATE code_projects SET analyzer = ?`, old+"/generic"),
		db.Stmt(`UPDATE code_files SET analyzer = replace(analyzer, ?, ?)`, index.Version(), old)); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Index(ctx, root, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printIndexSummary(&Output{Out: &out}, s); err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(out.String(), "\n")
	if !strings.Contains(first, ": 2 files, 0 changed, 2 analysed again (") {
		t.Errorf("summary line %q: want no file changed and 2 analysed again", first)
	}
	if want := "  analysed again, though their content is as indexed: 2 files indexed by another version of aiex\n"; rest != want {
		t.Errorf("after the summary line %q, want %q", rest, want)
	}
}

// indexedTwoFiles is a store holding the index of a project of two Go
// files, the project's root and its indexer.
func indexedTwoFiles(t *testing.T) (*db.Store, string, *index.Indexer) {
	t.Helper()
	st := dbtest.Open(t)
	root := t.TempDir()
	for name, src := range map[string]string{"a.go": "package a\n\nfunc A() {}\n", "b.go": "package a\n\nfunc B() { A() }\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, _ = filepath.EvalSymlinks(root)
	ix := index.New(index.Config{Store: st})
	if _, err := ix.Index(context.Background(), root, index.Options{}); err != nil {
		t.Fatal(err)
	}
	return st, root, ix
}
