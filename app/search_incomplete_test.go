package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
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
