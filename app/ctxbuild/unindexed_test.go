package ctxbuild

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestUnindexedDefinitionNamed: a name the index does not have, defined
// in a file edited or added since the index was made, is said to be
// there, with what to run; a name defined nowhere is not.
func TestUnindexedDefinitionNamed(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod":               "module example.com/un\n\ngo 1.22\n",
		"store/store.go":       "package store\n\n// Get returns k.\nfunc Get(k string) string { return k }\n",
		"lib/shop/cart.ex":     "defmodule Shop.Cart do\n  def new, do: %{}\nend\n",
		"lib/shop/checkout.ex": "defmodule Shop.Checkout do\n  def run(c), do: c\nend\n",
	})
	write := func(rel, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(e.root, rel), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Edited since: a function added to an indexed file.
	write("store/store.go", "package store\n\n// Get returns k.\nfunc Get(k string) string { return k }\n\n// Put stores v.\nfunc Put(k, v string) {}\n")
	// New since: a file the index never saw, in a directory it has.
	write("lib/shop/item.ex", "defmodule Shop.Item do\n  defstruct [:sku]\n  def price(i), do: i\nend\n")
	// Edited since, in Elixir: a clause of a new function.
	write("lib/shop/cart.ex", "defmodule Shop.Cart do\n  def new, do: %{}\n  def add_item(c, i), do: Map.put(c, i, 1)\nend\n")
	for target, want := range map[string]string{
		"store.Put":            "store/store.go has it, changed since the index was made",
		"Put":                  "store/store.go has it, changed since the index was made",
		"Shop.Item.price/1":    "lib/shop/item.ex has it, new since the index was made",
		"Shop.Item":            "lib/shop/item.ex has it, new since the index was made",
		"Shop.Cart.add_item/2": "lib/shop/cart.ex has it, changed since the index was made",
		"Shop.Cart.add_item":   "lib/shop/cart.ex has it, changed since the index was made",
	} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		var ue *usererr.Error
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "run aiex index") {
			t.Errorf("%s: err = %v; want a user error with %q and what to run", target, err, want)
		}
	}
	// Defined nowhere: no file is said to have it.
	for _, target := range []string{"store.Delete", "Shop.Cart.remove/2", "Shop.Missing"} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if err == nil || strings.Contains(err.Error(), "has it") {
			t.Errorf("%s: err = %v; want not found, with no file said to have it", target, err)
		}
	}
}

// TestNewFileTarget: a file new since the index was made, as PATH or
// PATH:LINE, is read as it is now, as a file edited since is, and listed
// stale; not refused for having no chunks in the index.
func TestNewFileTarget(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/shop/cart.ex": "defmodule Shop.Cart do\n  def new, do: %{}\nend\n",
		".gitignore":       "lib/gen/\n",
	})
	for rel, src := range map[string]string{
		"lib/shop/item.ex": "defmodule Shop.Item do\n  defstruct [:sku]\n\n  def price(i), do: i\n\n  def sku(i), do: i.sku\nend\n",
		"lib/gen/out.ex":   "defmodule Gen.Out do\n  def x, do: 1\nend\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(e.root, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.root, rel), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := e.build(t, Request{Target: "lib/shop/item.ex:6", Window: 4096})
	if c.Target == nil || c.Target.Name != "Shop.Item.sku/1" || !strings.Contains(c.Target.Code, "def sku(i)") {
		t.Errorf("new file PATH:LINE: target %+v; want Shop.Item.sku/1 as it is now", c.Target)
	}
	if !slices.Contains(c.Stale, "lib/shop/item.ex") {
		t.Errorf("stale = %v; want the new file listed", c.Stale)
	}
	c = e.build(t, Request{Target: "lib/shop/item.ex", Window: 4096})
	if c.Target == nil || !strings.Contains(c.Target.Code, "def price(i)") || !strings.Contains(c.Target.Code, "def sku(i)") {
		t.Errorf("new file PATH: target %+v; want the whole file", c.Target)
	}
	// A file git ignores is still not the index's: said so.
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "lib/gen/out.ex:2", Window: 4096, Count: o200k})
	if err == nil || !strings.Contains(err.Error(), "not in the index") {
		t.Errorf("ignored new file: err = %v; want it said to be left out", err)
	}
}

// TestSymlinkOutTarget: a link of the project to a file outside it is
// said to be one, with where it leads, not "no file or symbol".
func TestSymlinkOutTarget(t *testing.T) {
	e := setupFiles(t, map[string]string{"lib/a.ex": "defmodule A do\n  def a, do: 1\nend\n"})
	outside := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(outside, []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.root, "hostslink.go")); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"hostslink.go", "hostslink.go:1", filepath.Join(e.root, "hostslink.go")} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if err == nil || !strings.Contains(err.Error(), "is a symlink to "+outside+", outside the project") {
			t.Errorf("%s: err = %v; want it said to be a link out of the project", target, err)
		}
	}
}
