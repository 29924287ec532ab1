package index

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestIndexFileDropsVanishedSiblings: a run narrowed to one file (an
// editor's save) drops the rows of the files of its directory that are
// gone, so that after `git mv store/fsm.go store/fsm_renamed.go` and a
// save of the new name, search finds (*FSM).Apply in fsm_renamed.go only.
// Files gone from other directories, a subdirectory or one whose name
// extends the directory's (store2/) included, keep their rows until a run
// covers them; files of the directory still there keep theirs.
func TestIndexFileDropsVanishedSiblings(t *testing.T) {
	ctx := context.Background()
	fsm := "package store\n\ntype FSM struct{}\n\n// Apply applies a log entry.\nfunc (f *FSM) Apply() {}\n"
	root := writeTree(t, map[string]string{
		"go.mod":                "module example.com/s\n",
		"main.go":               "package main\n\nfunc main() {}\n",
		"old_main.go":           "package main\n\nfunc old() {}\n",
		"store/fsm.go":          fsm,
		"store/store.go":        "package store\n\nfunc Open() *FSM { return &FSM{} }\n",
		"store/gone.go":         "package store\n\nfunc Gone() {}\n",
		"store/sub/deep.go":     "package sub\n\nfunc Deep() {}\n",
		"store2/other.go":       "package store2\n\nfunc Other() {}\n",
		"store.d/elsewhere.go":  "package store\n\nfunc Elsewhere() {}\n",
		"store/lib/accounts.ex": "defmodule Accounts do\nend\n",
	})
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})

	if err := os.Rename(filepath.Join(root, "store", "fsm.go"), filepath.Join(root, "store", "fsm_renamed.go")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"store/gone.go", "store/sub/deep.go", "store2/other.go", "store.d/elsewhere.go"} {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	sum := index(t, ix, root, Options{Under: "store/fsm_renamed.go"})
	if sum.Changed != 1 || sum.Removed != 2 {
		t.Errorf("index store/fsm_renamed.go: %d changed, %d removed; want 1 and 2 (fsm.go, gone.go)", sum.Changed, sum.Removed)
	}
	hits, err := ix.Search(ctx, root, "(*FSM).Apply", 10)
	if err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, h := range hits {
		if h.Name == "store.(*FSM).Apply" {
			where = append(where, h.Path)
		}
	}
	if !slices.Equal(where, []string{"store/fsm_renamed.go"}) {
		t.Errorf("search (*FSM).Apply found it in %q, want [store/fsm_renamed.go]", where)
	}
	files, err := s.CodeFiles(ctx, mustProject(t, s, root))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"main.go", "old_main.go", "store.d/elsewhere.go", "store/fsm_renamed.go", "store/lib/accounts.ex",
		"store/store.go", "store/sub/deep.go", "store2/other.go"}
	if got := slices.Sorted(maps.Keys(files)); !cmp.Equal(got, want) {
		t.Errorf("file rows after the one-file run (-want +got):\n%s", cmp.Diff(want, got))
	}

	// A file at the root: the root's own files are its directory's.
	if err := os.Rename(filepath.Join(root, "old_main.go"), filepath.Join(root, "new_main.go")); err != nil {
		t.Fatal(err)
	}
	if sum := index(t, ix, root, Options{Under: "main.go"}); sum.Removed != 1 || sum.Unchanged != 1 {
		t.Errorf("index main.go: %d removed, %d unchanged; want 1 (old_main.go) and 1", sum.Removed, sum.Unchanged)
	}
	files, err = s.CodeFiles(ctx, mustProject(t, s, root))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["old_main.go"]; ok {
		t.Errorf("old_main.go's row outlived a run over main.go, its directory's")
	}
	if _, ok := files["store/sub/deep.go"]; !ok {
		t.Errorf("store/sub/deep.go's row went in a run over main.go")
	}
}
