package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestSearchSaysIndexIncomplete: until one run over the whole project has
// finished (the first was interrupted, or only a file was indexed), a
// search and a context say the index is incomplete; after one, they do
// not.
func TestSearchSaysIndexIncomplete(t *testing.T) {
	ctx := context.Background()
	a := taskApp(t, providertest.Unreachable(t))
	root := writeProject(t, map[string]string{"mix.exs": shopMix,
		"lib/shop.ex":      "defmodule Shop do\n  def hello, do: :world\nend\n",
		"lib/shop/cart.ex": "defmodule Shop.Cart do\n  def total(items), do: Enum.sum(items)\nend\n"})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root, Under: "lib/shop.ex"}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := a.Search(ctx, root, "total", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Incomplete || len(res.Hits) != 0 {
		t.Fatalf("after a run over one file: incomplete %v, %d hits", res.Incomplete, len(res.Hits))
	}
	built := func() bool {
		t.Helper()
		b, err := a.BuildContext(ctx, app.ContextRequest{Root: root, Question: "what is the total?", Window: 4096})
		if err != nil {
			t.Fatal(err)
		}
		return b.Incomplete
	}
	if !built() {
		t.Error("a context after a run over one file does not say the index is incomplete")
	}
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	if res, err = a.Search(ctx, root, "total", 5); err != nil || res.Incomplete || len(res.Hits) == 0 {
		t.Fatalf("after a whole run: %v, incomplete %v, %d hits", err, res.Incomplete, len(res.Hits))
	}
	if built() {
		t.Error("a context after a whole run says the index is incomplete")
	}
}

// TestIndexOfAnotherVersion: an index another version of aiex made (its
// analyzer names another index or chunker version) is said to be so by a
// context, until aiex index makes it again; that run says the files were
// analysed again because aiex changed, not that they changed.
func TestIndexOfAnotherVersion(t *testing.T) {
	ctx := context.Background()
	a := taskApp(t, providertest.Unreachable(t))
	root := writeProject(t, map[string]string{"mix.exs": shopMix,
		"lib/shop.ex":      "defmodule Shop do\n  def hello, do: :world\nend\n",
		"lib/shop/cart.ex": "defmodule Shop.Cart do\n  def total(items), do: Enum.sum(items)\nend\n"})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	built := func() *app.BuiltContext {
		t.Helper()
		b, err := a.BuildContext(ctx, app.ContextRequest{Root: root, Question: "what is the total?", Window: 4096})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := built(); b.OtherVersion || b.Incomplete {
		t.Fatalf("a context of a fresh index: other version %v, incomplete %v", b.OtherVersion, b.Incomplete)
	}
	// The rows as an older aiex left them: its analyzer's name, for the
	// project and for each file.
	old := "index.v1/chunk.v1/hybrid-8192"
	if _, err := a.Store.Execute(ctx,
		db.Stmt(`UPDATE code_projects SET analyzer = ?`, old+"/generic"),
		db.Stmt(`UPDATE code_files SET analyzer = replace(analyzer, ?, ?)`, index.Version(), old)); err != nil {
		t.Fatal(err)
	}
	if b := built(); !b.OtherVersion || b.Incomplete {
		t.Errorf("a context of an older aiex's index: other version %v, incomplete %v", b.OtherVersion, b.Incomplete)
	}
	res, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary; s.Files != 3 || s.Changed != 3 || s.Reanalyzed != 3 || !strings.Contains(s.Note, "3 files indexed by another version of aiex") {
		t.Errorf("the run after the upgrade: %d files, %d changed, %d re-analysed, note %q; want 3 files, all re-analysed as indexed by another version",
			s.Files, s.Changed, s.Reanalyzed, s.Note)
	}
	if b := built(); b.OtherVersion {
		t.Error("a context after aiex index still says the index is another version's")
	}
	res, err = a.IndexProject(ctx, app.IndexRequest{Root: root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary; s.Changed != 0 || s.Reanalyzed != 0 || s.Note != "" {
		t.Errorf("the next run: %d changed, %d re-analysed, note %q; want none", s.Changed, s.Reanalyzed, s.Note)
	}
}
