package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestApplyIndexesWritten: after a write, the code it wrote can be named
// at once (as aiex context names a target), without an aiex index first;
// the code it deleted no longer can. A write of many files is indexed
// too. A project never indexed is left without an index.
func TestApplyIndexesWritten(t *testing.T) {
	ctx := context.Background()
	a := taskApp(t, providertest.Unreachable(t))
	root := writeProject(t, map[string]string{"mix.exs": shopMix,
		"lib/shop.ex":     "defmodule Shop do\n  def hello, do: :world\nend\n",
		"lib/shop/old.ex": "defmodule Shop.Old do\n  def gone, do: true\nend\n"})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	coupon := "defmodule Shop.Coupon do\n  def valid?(code), do: code != \"\"\nend\n"
	if _, err := a.Apply(ctx, app.ApplyRequest{Root: root, Actor: "test", Reason: "gen module", Changes: []parse.Change{
		{Path: "lib/shop/coupon.ex", Content: []byte(coupon), Base: parse.NoFile},
		{Path: "lib/shop/old.ex", OldPath: "lib/shop/old.ex", Delete: true, Base: base("defmodule Shop.Old do\n  def gone, do: true\nend\n")},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := resolveIn(t, a, root, "Shop.Coupon.valid?/1"); err != nil {
		t.Errorf("the written function, named after the write: %v", err)
	}
	if err := resolveIn(t, a, root, "Shop.Old.gone/0"); err == nil {
		t.Error("the deleted function can still be named")
	}

	// Many files at once.
	var many []parse.Change
	for i := range 5 {
		many = append(many, parse.Change{Path: fmt.Sprintf("lib/shop/m%d.ex", i), Base: parse.NoFile,
			Content: fmt.Appendf(nil, "defmodule Shop.M%d do\n  def f, do: %d\nend\n", i, i)})
	}
	if _, err := a.Apply(ctx, app.ApplyRequest{Root: root, Actor: "test", Changes: many}); err != nil {
		t.Fatal(err)
	}
	if err := resolveIn(t, a, root, "Shop.M4.f/0"); err != nil {
		t.Errorf("a function of a 5-file write: %v", err)
	}

	// Never indexed: still not.
	bare := writeProject(t, map[string]string{"mix.exs": shopMix})
	if _, err := a.Apply(ctx, app.ApplyRequest{Root: bare, Actor: "test", Changes: []parse.Change{
		{Path: "lib/shop/coupon.ex", Content: []byte(coupon), Base: parse.NoFile},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Store.FindCodeProject(ctx, bare); err != nil || ok {
		t.Errorf("a project never indexed has an index after a write (%v)", err)
	}
}

// TestRestoreIndexesRestored: a checkpoint restore is a write too: the
// code it deletes (what the undone write created) can no longer be named,
// and the code it puts back can again, without an aiex index first.
func TestRestoreIndexesRestored(t *testing.T) {
	ctx := context.Background()
	a := taskApp(t, providertest.Unreachable(t))
	old := "defmodule Shop.Old do\n  def gone, do: true\nend\n"
	root := writeProject(t, map[string]string{"mix.exs": shopMix, "lib/shop/old.ex": old})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	named := func(target string) bool {
		t.Helper()
		return resolveIn(t, a, root, target) == nil
	}
	res, err := a.Apply(ctx, app.ApplyRequest{Root: root, Actor: "test", Reason: "refactor", Changes: []parse.Change{
		{Path: "lib/shop/coupon.ex", Content: []byte("defmodule Shop.Coupon do\n  def valid?(c), do: c != \"\"\nend\n"), Base: parse.NoFile},
		{Path: "lib/shop/old.ex", OldPath: "lib/shop/old.ex", Delete: true, Base: base(old)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !named("Shop.Coupon.valid?/1") || named("Shop.Old.gone/0") {
		t.Fatal("the write was not indexed")
	}
	if _, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: root, Ref: res.Checkpoint.ID, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if named("Shop.Coupon.valid?/1") {
		t.Error("the function the restore deleted can still be named")
	}
	if !named("Shop.Old.gone/0") {
		t.Error("the function the restore put back cannot be named")
	}
}

// resolveIn resolves target in the project at root as aiex context names a
// target, with what a's index holds now.
func resolveIn(t *testing.T, a *app.App, root, target string) error {
	t.Helper()
	ctx := context.Background()
	s, err := a.Searcher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ctxbuild.New(ctxbuild.Config{Store: a.Store, Search: s}).Resolve(ctx, root, target)
	return err
}
