package ctxbuild

import (
	"strings"
	"testing"
)

// docFixture: a module whose @moduledoc is long prose, a function whose
// header use is an alias and an attribute, and the function it calls.
var docFixture = map[string]string{
	"mix.exs": headerFixture["mix.exs"],
	"lib/coll.ex": "defmodule R.Coll do\n  import Kernel, except: [max: 2]\n\n  @moduledoc \"\"\"\n  Functions for working with collections.\n\n" +
		strings.Repeat("  In this library a collection is any data type that can be walked from its first element to its last, one at a time.\n\n", 24) +
		"  \"\"\"\n\n  alias R.Util\n  @chunk 64\n\n" +
		"  def map(coll, fun) do\n    coll\n    |> fold([], fn x, acc -> [fun.(x) | acc] end)\n    |> Enum.take(@chunk)\n    |> Util.reverse()\n  end\n\n" +
		"  def fold(coll, acc, fun) do\n" + strings.Repeat("    acc = Enum.reduce(coll, acc, fun) # walk each element once, keeping the accumulator\n", 30) + "    acc\n  end\nend\n",
	"lib/util.ex": "defmodule R.Util do\n  def reverse(l), do: Enum.reverse(l)\nend\n",
}

// TestModuledocYieldsToCode: in a small window the header of the target's
// module goes with its @moduledoc cut to its first paragraph, its import,
// alias and attribute kept, and the function the target calls gets the
// room in full; in a large window the header goes whole.
func TestModuledocYieldsToCode(t *testing.T) {
	e := setupFiles(t, docFixture)
	c := e.build(t, Request{Target: "R.Coll.map/2", Question: "how does map work?", Window: 2048})
	h := included(c, RoleHeader)
	if len(h) != 1 {
		t.Fatalf("included %v: want the module's header", roles(c))
	}
	want := "defmodule R.Coll do\n  import Kernel, except: [max: 2]\n\n  @moduledoc \"\"\"\n  Functions for working with collections.\n  … (47 more lines)\n  \"\"\"\n\n  alias R.Util\n  @chunk 64"
	if h[0].Form != FormCut || h[0].Code != want || !strings.Contains(h[0].Reason, "cut to its first paragraph") {
		t.Errorf("header %s (%s):\n%s\nwant its @moduledoc cut to its first paragraph:\n%s", h[0].Form, h[0].Reason, h[0].Code, want)
	}
	var fold *Item
	for _, it := range c.Included {
		if it.Name == "R.Coll.fold/3" {
			fold = &it
		}
	}
	if fold == nil || fold.Form != FormFull {
		t.Errorf("included %v: want the callee fold/3 in full", roles(c))
	}

	c = e.build(t, Request{Target: "R.Coll.map/2", Question: "how does map work?", Window: 32000})
	if h := included(c, RoleHeader); len(h) != 1 || h[0].Form != FormFull || !strings.Contains(h[0].Code, "walked from its first element") {
		t.Errorf("in a 32k window the header goes whole, doc included; got %+v", h)
	}
}

// TestModuledocForms: the header with its @moduledoc cut to its first
// paragraph, and without it, for each way a doc is written.
func TestModuledocForms(t *testing.T) {
	for _, tt := range []struct {
		name, header, para, none string
		ok                       bool
	}{
		{"paragraphs", "defmodule A do\n  @moduledoc ~S\"\"\"\n\n  First, on\n  two lines.\n\n  More.\n\n  And more.\n\n  \"\"\"\n  alias B\nend",
			"defmodule A do\n  @moduledoc ~S\"\"\"\n\n  First, on\n  two lines.\n  … (3 more lines)\n  \"\"\"\n  alias B\nend",
			"defmodule A do\n  # …\n  alias B\nend", true},
		{"one paragraph", "defmodule A do\n  @moduledoc \"\"\"\n  Only this.\n  \"\"\"\n  @x 1",
			"", "defmodule A do\n  # …\n  @x 1", true},
		{"one line", "defmodule A do\n  @moduledoc \"A module.\"\n  # …\n  @x 1", "", "defmodule A do\n  # …\n  @x 1", true},
		{"a string on lines", "defmodule A do\n  @moduledoc \"A module,\n  on two lines.\"\n  @x 1", "", "defmodule A do\n  # …\n  @x 1", true},
		{"false", "defmodule A do\n  @moduledoc false\n  @x 1", "", "defmodule A do\n  # …\n  @x 1", true},
		{"not closed in the header", "defmodule A do\n  @moduledoc \"\"\"\n  First.\n\n  More.", "", "defmodule A do\n  # …", true},
		{"in another heredoc", "defmodule A do\n  @query \"\"\"\n  @moduledoc in SQL\n  \"\"\"\nend", "", "", false},
		{"none", "defmodule A do\n  @moduledocs 1\nend", "", "", false},
	} {
		para, none, ok := moduledocForms(tt.header)
		if para != tt.para || none != tt.none || ok != tt.ok {
			t.Errorf("%s: got %v\n%s\n--\n%s\nwant %v\n%s\n--\n%s", tt.name, ok, para, none, tt.ok, tt.para, tt.none)
		}
	}
}

// TestModuledocOfHit: a module header found by the search goes with its
// long @moduledoc cut to its first paragraph, within 1/8 of the budget,
// rather than whole, labelled a cut (some doc is left); named as the
// target, the module goes whole.
func TestModuledocOfHit(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"mix.exs": headerFixture["mix.exs"],
		"lib/catalog.ex": "defmodule App.Catalog do\n  @moduledoc \"\"\"\n  The catalog of products and their prices.\n\n" +
			strings.Repeat("  Every product has a price in the catalog, kept in cents, and a currency it is priced in.\n\n", 30) +
			"  \"\"\"\n  alias App.Repo\n\n  def all, do: Repo.all(:products)\nend\n",
		"lib/pricing.ex": "defmodule App.Pricing do\n  def price(product), do: product.cents\nend\n",
	})
	c := e.build(t, Request{Target: "App.Pricing.price/1", Question: "where does the price of a product in the catalog come from?", Window: 4096})
	var hit *Item
	for i, it := range c.Included {
		if it.Role == RoleHit && it.Name == "App.Catalog" {
			hit = &c.Included[i]
		}
	}
	if hit == nil {
		t.Fatalf("included %v: want App.Catalog's header as a hit", roles(c))
	}
	// Its doc's first paragraph is left: a cut, not no-doc.
	if hit.Form != FormCut || hit.Tokens > c.Budget/8 || !strings.Contains(hit.Code, "The catalog of products and their prices.\n  … (59 more lines)") ||
		!strings.Contains(hit.Code, "alias App.Repo") {
		t.Errorf("hit %s (%s), %d tokens of a budget of %d:\n%s\nwant its @moduledoc cut to its first paragraph", hit.Form, hit.Reason, hit.Tokens, c.Budget, hit.Code)
	}
	c = e.build(t, Request{Target: "App.Catalog", Question: "what is the catalog?", Window: 4096})
	if !strings.Contains(c.Included[0].Code, "kept in cents") {
		t.Errorf("the module as the target lacks its doc:\n%s", c.Included[0].Code)
	}
}
