package ctxbuild

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// headerFixture: an Elixir module whose functions use its alias, import
// and attribute, an ExUnit test module with setup blocks at each level,
// and a Go file with imports.
var headerFixture = map[string]string{
	"mix.exs": "defmodule R.MixProject do\n  use Mix.Project\n  def project, do: [app: :r]\nend\n",
	"lib/r.ex": `defmodule R.A do
  alias R.{Util, B}
  import R.Util, only: [split: 1]
  @limit 99
  def parse(s), do: split(s)
  def ok?(n), do: n <= @limit
  def other(x), do: B.go(x)
end
`,
	"lib/util.ex": "defmodule R.Util do\n  def split(s), do: String.split(s)\nend\n",
	"test/cart_test.exs": `defmodule R.CartTest do
  use ExUnit.Case, async: true
  alias R.A

  setup_all do
    {:ok, shop: :the_shop}
  end

  describe "add/3" do
    setup %{shop: shop} do
      {:ok, cart: [shop]}
    end

    test "refuses too many", %{cart: cart, mug: mug} do
      assert A.ok?(length(cart) + 100) == false
      assert mug.sku == "MUG"
    end
  end

  setup do
    {:ok, mug: %{sku: "MUG"}}
  end

  describe "remove/2" do
    setup do
      {:ok, empty: []}
    end

    test "empties", %{empty: empty} do
      assert empty == []
    end
  end
end
`,
	"go.mod": "module example.com/r\n\ngo 1.22\n",
	"web/fetch.go": `// Package web fetches pages; its doc says a great deal about the
// package that a unit of it does not need.
package web

import (
	"errors"
	"net/url"
	"strings"
	yaml "example.com/r/vendored/yaml.v3"
)

// Host returns the host of a URL.
func Host(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.Join(err, errors.New("bad URL"))
	}
	return u.Host, nil
}

// Twice doubles n.
func Twice(n int) int { return 2 * n }

var _ = strings.ToLower
var _ = yaml.Marshal
`,
}

// included returns the items of c of role, in order.
func included(c *Context, role string) []Item {
	var out []Item
	for _, it := range c.Included {
		if it.Role == role {
			out = append(out, it)
		}
	}
	return out
}

// TestHeaderOfModule: a function of an Elixir module goes with its
// module's header — the attribute it reads, the import it calls through —
// right after it.
func TestHeaderOfModule(t *testing.T) {
	e := setupFiles(t, headerFixture)
	c := e.build(t, Request{Target: "R.A.ok?/1", Question: "why is 100 refused?", Window: 16000})
	if len(c.Included) < 2 || c.Included[1].Role != RoleHeader || c.Included[1].Name != "R.A" || c.Included[1].Form != FormFull {
		t.Fatalf("included %v: want R.A's header in full right after the target", roles(c))
	}
	p := c.Prompt[len(c.Prompt)-1].Content
	for _, want := range []string{"@limit 99", "import R.Util, only: [split: 1]", "alias R.{Util, B}"} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %q:\n%s", want, p)
		}
	}
}

// TestSetupOfTest: an ExUnit test goes with the setup blocks that make
// its context — its module's (in the header when before the first unit,
// or code after it) and its describe block's — and not another block's.
func TestSetupOfTest(t *testing.T) {
	e := setupFiles(t, headerFixture)
	c := e.build(t, Request{Target: `describe "add/3" / test "refuses too many"`, Question: "where does the cart come from?", Window: 16000})
	if h := included(c, RoleHeader); len(h) != 1 || !strings.Contains(h[0].Code, "setup_all do") {
		t.Errorf("header %+v: want the test module's, with its setup_all", h)
	}
	var got []string
	for _, it := range included(c, RoleSetup) {
		got = append(got, fmt.Sprintf("%s:%d", it.Name, it.StartLine))
	}
	// The module's setup, then the describe block's: the order ExUnit
	// runs them in.
	if want := []string{"R.CartTest:20", `describe "add/3":10`}; strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("setup blocks %q, want %q (all: %v)", got, want, roles(c))
	}
	for i, it := range c.Included[1:4] {
		if it.Role != RoleHeader && it.Role != RoleSetup {
			t.Errorf("item %d is %s %s: the header and setup blocks come right after the target", i+1, it.Role, it.Name)
		}
	}
	p := c.Prompt[len(c.Prompt)-1].Content
	for _, want := range []string{"{:ok, cart: [shop]}", "{:ok, mug: %{sku: \"MUG\"}}", "{:ok, shop: :the_shop}"} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %q:\n%s", want, p)
		}
	}

	// The other block's setup is not this test's.
	other := e.build(t, Request{Target: `describe "remove/2" / test "empties"`, Window: 16000})
	for _, it := range included(other, RoleSetup) {
		if strings.Contains(it.Code, "cart:") {
			t.Errorf("describe \"remove/2\"'s test got describe \"add/3\"'s setup: %+v", it)
		}
	}
	if s := included(other, RoleSetup); len(s) != 2 || !strings.Contains(s[1].Code, "empty: []") {
		t.Errorf("setup blocks of remove/2's test: %+v", s)
	}
}

// TestHugeHeaderIsCut: a module's header too long for the room the
// target leaves goes cut to what the target uses of it — its aliases and
// the attributes it reads, without the doc text —; the target goes in
// full.
func TestHugeHeaderIsCut(t *testing.T) {
	var attrs strings.Builder
	for i := range 400 {
		fmt.Fprintf(&attrs, "  @limit_%d %d\n", i, i*7)
	}
	files := map[string]string{
		"mix.exs": headerFixture["mix.exs"],
		"lib/big.ex": "defmodule R.Big do\n  @moduledoc \"\"\"\n" + strings.Repeat("  Limits for everything, described at length.\n", 200) +
			"  \"\"\"\n  alias R.Util\n" + attrs.String() +
			"\n  @doc \"Whether n is within the first limit.\"\n  def ok?(n) do\n    n <= @limit_1 and n >= 0 and is_integer(n)\n  end\nend\n",
	}
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "R.Big.ok?/1", Question: "what is the limit?", Window: 2048})
	if c.Target.Form != FormFull || c.Included[0].Role != RoleTarget {
		t.Fatalf("target %s: want it in full, first", c.Target.Form)
	}
	var h *Item
	for _, it := range append(append([]Item{}, c.Included...), c.Dropped...) {
		if it.Role == RoleHeader {
			h = &it
		}
	}
	if h == nil {
		t.Fatalf("no header considered: %v", roles(c))
	}
	want := "defmodule R.Big do\n  alias R.Util\n  # …\n  @limit_1 7\n  # …"
	if h.Form != FormSignature || h.Code != want || !strings.Contains(h.Reason, "cut to what the target uses") {
		t.Errorf("header %s (%s):\n%s\nwant it cut to its alias and the attribute the target reads:\n%s", h.Form, h.Reason, h.Code, want)
	}
	if p := c.Prompt[len(c.Prompt)-1].Content; !strings.Contains(p, "n <= @limit_1 and n >= 0") {
		t.Errorf("prompt lacks the target:\n%s", p)
	}
}

// TestGoImportsHeader: a Go unit goes with its file's package clause and
// the imports it uses, not the package's doc nor the other imports; a
// unit that uses none gets no header.
func TestGoImportsHeader(t *testing.T) {
	e := setupFiles(t, headerFixture)
	// The question finds the header chunk (its package doc): it is not
	// carried again, whole, as a hit.
	c := e.build(t, Request{Target: "web.Host", Question: "which package fetches pages?", Window: 16000})
	for _, it := range c.Included {
		if it.Kind == "header" && it.Role != RoleHeader {
			t.Errorf("the file's header again, as a %s:\n%s", it.Role, it.Code)
		}
	}
	h := included(c, RoleHeader)
	if len(h) != 1 || c.Included[1].Role != RoleHeader {
		t.Fatalf("included %v: want the header right after the target", roles(c))
	}
	want := "package web\n\nimport (\n\t\"errors\"\n\t\"net/url\"\n)"
	if h[0].Code != want || h[0].StartLine != 3 || h[0].EndLine != 10 {
		t.Errorf("header at lines %d-%d:\n%s\nwant at lines 3-10:\n%s", h[0].StartLine, h[0].EndLine, h[0].Code, want)
	}
	c = e.build(t, Request{Target: "web.Twice", Window: 16000})
	if h := included(c, RoleHeader); len(h) != 0 {
		t.Errorf("Twice uses no import, yet got %+v", h)
	}
}

// TestGoImportsUsed: the imports a unit names, by the name the path
// suggests or the one it is renamed to.
func TestGoImportsUsed(t *testing.T) {
	header := "// Package p.\npackage p\n\nimport \"gopkg.in/yaml.v3\"\n"
	for _, tt := range []struct{ header, code, want string }{
		{header, "yaml.Marshal(x)", "package p\n\nimport \"gopkg.in/yaml.v3\""},
		{header, "myyaml.Marshal(x)", ""},
		{"package p\n\nimport (\n\t\"github.com/mattn/go-sqlite3\"\n\tv \"example.com/m/v2\"\n\t_ \"embed\"\n)\n", "sqlite3.Open(); v.X; m.Y", "package p\n\nimport (\n\t\"github.com/mattn/go-sqlite3\"\n\tv \"example.com/m/v2\"\n)"},
		{"package p\n\nimport \"example.com/m/v2\"\n", "m.Y()", "package p\n\nimport \"example.com/m/v2\""},
	} {
		if got, _ := goImportsUsed(tt.header, tt.code); got.code != tt.want {
			t.Errorf("goImportsUsed(%q, %q) = %q, want %q", tt.header, tt.code, got.code, tt.want)
		}
	}
}

// TestElixirHeaderCut: a header cut to what a unit uses: its use, alias
// and import lines, the attributes it reads (a multi-line one whole, a
// heredoc one whole), its defstruct when it builds the struct.
func TestElixirHeaderCut(t *testing.T) {
	header := `  # The cart.
  defmodule Shop.Cart do
    @moduledoc """
    A cart.
      @max_quantity 1 in the doc is not code
    """
    use Ecto.Schema
    alias Shop.{Product, Sku}
    @max_quantity 99
    @max_quantity_total 500
    @fields [
      :sku,
      :qty
    ]
    @query """
    SELECT 1
    """
    defstruct items: [],
      total: 0
    @type t :: %__MODULE__{}`
	for _, tt := range []struct{ code, want string }{
		{"def add(c, sku, n) when n <= @max_quantity, do: c", `  defmodule Shop.Cart do
    use Ecto.Schema
    alias Shop.{Product, Sku}
    @max_quantity 99
    # …`},
		{"def new(f), do: %__MODULE__{items: @fields, total: @max_quantity_total}", `  defmodule Shop.Cart do
    use Ecto.Schema
    alias Shop.{Product, Sku}
    # …
    @max_quantity_total 500
    @fields [
      :sku,
      :qty
    ]
    # …
    defstruct items: [],
      total: 0
    # …`},
		{"def q, do: @query", `  defmodule Shop.Cart do
    use Ecto.Schema
    alias Shop.{Product, Sku}
    # …
    @query """
    SELECT 1
    """
    # …`},
	} {
		if got := elixirHeaderCut(header, "Shop.Cart", tt.code); got != tt.want {
			t.Errorf("cut for %q:\n%s\nwant:\n%s", tt.code, got, tt.want)
		}
	}
}

// TestHeaderStale: a header edited since the file was indexed is sent as
// it is now.
func TestHeaderStale(t *testing.T) {
	e := setupFiles(t, headerFixture)
	p := filepath.Join(e.root, "lib/r.ex")
	// The same length (the target's bytes are where they were), then
	// longer (they moved).
	for _, limit := range []string{"@limit 98", "@limit 100"} {
		if err := os.WriteFile(p, []byte(strings.Replace(headerFixture["lib/r.ex"], "@limit 99", limit, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		c := e.build(t, Request{Target: "R.A.ok?/1", Window: 16000})
		if h := included(c, RoleHeader); len(h) != 1 || !strings.HasSuffix(h[0].Code, limit) || strings.Contains(h[0].Code, "def ") {
			t.Errorf("header %+v: want R.A's as it is now, with %s", h, limit)
		}
		if !slices.Equal(c.Stale, []string{"lib/r.ex"}) {
			t.Errorf("stale %q", c.Stale)
		}
	}
}

// nestedFixture: modules nested two deep, whose outer modules alias,
// import and require what their nested modules call, some of it shadowed
// by a nested module's own alias, some written after the nested module;
// a module nested above the one of the target is left out.
var nestedFixture = map[string]string{
	"mix.exs": headerFixture["mix.exs"],
	"lib/outer.ex": `defmodule R.Outer do
  @moduledoc "The outer module, documented at length."
  alias R.Store.Cache
  alias R.{Util, Clock}
  import R.Format, only: [pad: 2]
  require Logger
  alias R.Old.Limiter
  @outer_attr 1

  def top, do: :ok

  alias R.Late

  defmodule Helper do
    def h, do: 1
  end

  defmodule Inner do
    alias R.Other.Clock
    @limit 3
    def fetch(k), do: Cache.get(k) |> pad(@limit) |> Limiter.check()

    defmodule Deep do
      alias R.New.Limiter
      def now, do: Clock.now() + Late.at() + Limiter.left()
    end
  end

  alias R.TooLate
end
`,
}

// TestHeaderOfNestedModule: a unit of a nested module goes with the
// alias, import and require lines of each module enclosing it that apply
// to it (Elixir carries them into nested modules), outermost first, then
// its own module's header: not those written after the nested module, nor
// those a nested module's own alias shadows, nor the outer modules' doc
// and attributes.
func TestHeaderOfNestedModule(t *testing.T) {
	e := setupFiles(t, nestedFixture)
	type head struct {
		name, code  string
		first, last int
	}
	outer := head{"R.Outer", `defmodule R.Outer do
  alias R.Store.Cache
  alias R.{Util, Clock}
  import R.Format, only: [pad: 2]
  require Logger
  alias R.Old.Limiter
  # …
  alias R.Late
  # …`, 1, 16}
	for _, tt := range []struct {
		target string
		want   []head
	}{
		{"R.Outer.Inner.fetch/1", []head{outer, {"R.Outer.Inner", "  defmodule Inner do\n    alias R.Other.Clock\n    @limit 3", 18, 20}}},
		// Limiter is Deep's own: the outer alias of it is left out. Inner
		// aliases Clock too, but Util, on the same line, is the outer's.
		{"R.Outer.Inner.Deep.now/0", []head{
			{"R.Outer", strings.Replace(outer.code, "  alias R.Old.Limiter\n", "", 1), 1, 16},
			{"R.Outer.Inner", "  defmodule Inner do\n    alias R.Other.Clock\n    # …", 18, 21},
			{"R.Outer.Inner.Deep", "    defmodule Deep do\n      alias R.New.Limiter", 23, 24}}},
		{"R.Outer.top/0", []head{{"R.Outer", "", 1, 8}}},
	} {
		t.Run(tt.target, func(t *testing.T) {
			c := e.build(t, Request{Target: tt.target, Window: 16000})
			if len(c.Stale) > 0 {
				t.Errorf("stale %q: the index's chunks are the file's", c.Stale)
			}
			var got []head
			for _, it := range included(c, RoleHeader) {
				got = append(got, head{it.Name, it.Code, it.StartLine, it.EndLine})
			}
			if len(got) == 1 && len(tt.want) == 1 && tt.want[0].code == "" {
				got[0].code = "" // the module's own header, whole
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("headers:\n%+v\nwant:\n%+v", got, tt.want)
			}
			for i := range got {
				if it := c.Included[1+i]; it.Role != RoleHeader || it.Form != FormFull {
					t.Errorf("item %d is %s %s (%s): the headers come right after the target, in full", i+1, it.Role, it.Name, it.Form)
				}
			}
		})
	}
}

// TestHeaderOfNestedModuleStale: the enclosing module's lines of a file
// edited since it was indexed are read from the file as it is now.
func TestHeaderOfNestedModuleStale(t *testing.T) {
	e := setupFiles(t, nestedFixture)
	edited := strings.Replace(nestedFixture["lib/outer.ex"], "  alias R.Store.Cache\n", "  alias R.Store.Cache\n  alias R.Added\n", 1)
	if err := os.WriteFile(filepath.Join(e.root, "lib/outer.ex"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	c := e.build(t, Request{Target: "R.Outer.Inner.fetch/1", Window: 16000})
	h := included(c, RoleHeader)
	if len(h) != 2 || h[0].Name != "R.Outer" || !strings.Contains(h[0].Code, "  alias R.Store.Cache\n  alias R.Added\n") || h[0].EndLine != 17 {
		t.Errorf("headers %+v: want R.Outer's lines as they are now, to line 17", h)
	}
	if !slices.Equal(c.Stale, []string{"lib/outer.ex"}) {
		t.Errorf("stale %q", c.Stale)
	}
}

// TestDeclared: what an alias, import or require expression declares,
// for telling whether a nested module's own shadows it.
func TestDeclared(t *testing.T) {
	for _, tt := range []struct {
		code string
		want []string
	}{
		{"alias B.C", []string{"alias C"}},
		{"alias B.C, as: D", []string{"alias D"}},
		{"alias(B.C)", []string{"alias C"}},
		{"alias B.{C, D.E}", []string{"alias C", "alias E"}},
		{"alias B.{\n  # The cart.\n  Cart,\n  Orders.Order\n}", []string{"alias Cart", "alias Order"}},
		{"import B.C, only: [f: 1]", []string{"import B.C"}},
		{"require Logger", []string{"require Logger"}},
		{"aliases = 1", nil},
		{"@limit 3", nil},
	} {
		lines := strings.Split("  "+strings.ReplaceAll(tt.code, "\n", "\n  "), "\n")
		es := elixirExprs(lines)
		if len(es) != 1 {
			t.Fatalf("%q: %d expressions", tt.code, len(es))
		}
		if got := declared(es[0]); !slices.Equal(got, tt.want) {
			t.Errorf("declared(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
