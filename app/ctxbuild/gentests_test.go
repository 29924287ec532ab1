package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// genTestsElixir is a Mix project whose Shop.Cart has tests of its own
// (Shop.CartTest, with a module setup and a describe block's), a test
// elsewhere that calls the target, and a struct its functions take.
var genTestsElixir = map[string]string{
	"lib/shop/cart.ex": `defmodule Shop.Cart do
  @moduledoc "A cart."

  alias Shop.Item

  defstruct items: []

  @type t :: %__MODULE__{items: [Item.t()]}

  @spec new() :: t()
  def new, do: %__MODULE__{}

  @spec add_item(t(), Item.t()) :: t()
  def add_item(cart, %Item{} = item), do: %{cart | items: [item | cart.items]}

  @spec remove_item(t(), String.t()) :: t()
  def remove_item(cart, sku) do
    %{cart | items: Enum.reject(cart.items, &(&1.sku == sku))}
  end

  @spec count(t()) :: non_neg_integer()
  def count(cart), do: length(cart.items)

  def far_away(x), do: x
end
`,
	"lib/shop/item.ex": `defmodule Shop.Item do
  @moduledoc "A line item."
  defstruct [:sku, price: 0]

  @type t :: %__MODULE__{sku: String.t(), price: number()}
end
`,
	"lib/shop/other.ex": `defmodule Shop.Other do
  defstruct [:unrelated]

  def make, do: %__MODULE__{}
end
`,
	"test/shop/cart_test.exs": `defmodule Shop.CartTest do
  use ExUnit.Case, async: true

  alias Shop.{Cart, Item}

  setup do
    %{item: %Item{sku: "A1", price: 10}}
  end

  describe "far_away/1" do
    test "returns its argument" do
      assert Cart.far_away(1) == 1
    end
  end

  describe "add_item/2" do
    setup %{item: item} do
      %{cart: Cart.new() |> Cart.add_item(item)}
    end

    test "adds the item", %{cart: cart} do
      assert [%Item{sku: "A1"}] = cart.items
    end

    test "adds it twice", %{cart: cart, item: item} do
      assert Cart.count(Cart.add_item(cart, item)) == 2
    end
  end

  describe "count/1" do
    test "is zero for a new cart" do
      assert Cart.count(Cart.new()) == 0
    end
  end
end
`,
	"test/shop/cart_removal_test.exs": `defmodule Shop.CartRemovalTest do
  use ExUnit.Case

  test "removes every item of the SKU" do
    cart = Shop.Cart.new() |> Shop.Cart.add_item(%Shop.Item{sku: "B2"})
    assert Shop.Cart.remove_item(cart, "B2").items == []
  end
end
`,
}

// TestGenTestsElixir: a gen-tests context for an Elixir function carries,
// after the target and its module's header, the module's existing tests
// (the test module's header with its setup, the test calling the target
// first, then those calling the functions nearest it, one of each
// describe block first, with that block's setup), the struct the tests
// build (Shop.Item's header, with its defstruct) and the module's
// constructors; the explain task carries none of them.
func TestGenTestsElixir(t *testing.T) {
	e := setupFiles(t, genTestsElixir)
	c := e.build(t, Request{Task: TaskGenTests, Target: "Shop.Cart.remove_item/2", Window: 16000})
	var got []string
	for _, it := range c.Included {
		got = append(got, it.Role+" "+it.Name)
	}
	want := []string{
		"target Shop.Cart.remove_item/2",
		"header Shop.Cart",
		"test Shop.CartRemovalTest",
		`test test "removes every item of the SKU"`,
		"test Shop.CartTest",
		`test describe "add_item/2"`,                        // its setup
		`test describe "add_item/2" / test "adds it twice"`, // calls add_item and count, nearest the target
		`test describe "count/1" / test "is zero for a new cart"`,
		"type Shop.Item",
		"constructor Shop.Cart.new/0",
		"constructor Shop.Cart.add_item/2",
	}
	if !slices.Equal(got[:min(len(got), len(want))], want) {
		t.Errorf("included:\n  %s\nwant first:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, it := range c.Included {
		switch {
		case it.Form != FormFull:
			t.Errorf("%s %s: %s (%s); want it in full in a large window", it.Role, it.Name, it.Form, it.Reason)
		case it.Name == "Shop.CartTest" && !strings.Contains(it.Code, `%Item{sku: "A1"`):
			t.Errorf("the test module's header lacks its setup:\n%s", it.Code)
		case it.Name == "Shop.Item" && !strings.Contains(it.Code, "defstruct [:sku, price: 0]"):
			t.Errorf("the struct's header lacks its defstruct:\n%s", it.Code)
		case strings.Contains(it.Name, "far_away") || it.Name == "Shop.Other":
			t.Errorf("%s %s went in: it is farthest from the target, or unrelated", it.Role, it.Name)
		}
	}

	ex := e.build(t, Request{Task: "explain", Target: "Shop.Cart.remove_item/2", Window: 16000})
	for _, it := range ex.Included {
		if it.Role == RoleTest || it.Role == RoleType || it.Role == RoleConstructor {
			t.Errorf("explain carries %s %s: only gen-tests does", it.Role, it.Name)
		}
	}
}

// TestGenTestsElixirSmallWindow: in windows that hold the target and
// less and less else, the tests' code is fitted as any candidate is —
// in full, reduced or left out with its reason — and never takes the
// target's room. The test module's header, when it does not fit whole,
// is cut to its use, alias and setup lines (not to its first lines,
// its doc and attributes), and its @moduledoc never crowds the code.
func TestGenTestsElixirSmallWindow(t *testing.T) {
	files := map[string]string{}
	for p, src := range genTestsElixir {
		files[p] = src
	}
	var attrs strings.Builder
	for i := range 40 {
		fmt.Fprintf(&attrs, "  @fixture_%d %q\n", i, strings.Repeat("x", 40))
	}
	files["test/shop/cart_test.exs"] = strings.Replace(files["test/shop/cart_test.exs"], "  use ExUnit.Case, async: true\n",
		"  @moduledoc \"\"\"\n"+strings.Repeat("  The cart's tests, described at length for no reason at all.\n", 40)+"  \"\"\"\n"+
			"  use ExUnit.Case, async: true\n"+attrs.String(), 1)
	e := setupFiles(t, files)
	forms := map[string]bool{}
	dropped := 0
	for _, window := range []int{700, 900, 1100, 1300, 1600, 3000} {
		c := e.build(t, Request{Task: TaskGenTests, Target: "Shop.Cart.remove_item/2", Window: window})
		if c.Target == nil || c.Target.Form != FormFull {
			t.Fatalf("window %d: target %+v", window, c.Target)
		}
		for _, it := range c.Included {
			if it.Name != "Shop.CartTest" {
				continue
			}
			forms[it.Form] = true
			if strings.Contains(it.Code, "at length") || !strings.Contains(it.Code, "alias Shop.{Cart, Item}") || !strings.Contains(it.Code, `%Item{sku: "A1"`) {
				t.Errorf("window %d: the test module's header went as %s (%s):\n%s", window, it.Form, it.Reason, it.Code)
			}
			if it.Form == FormSignature && (strings.Contains(it.Code, "@fixture_") || !strings.Contains(it.Reason, "cut to its use, alias")) {
				t.Errorf("window %d: the test module's header cut as %q:\n%s", window, it.Reason, it.Code)
			}
		}
		for _, it := range c.Dropped {
			dropped++
			if it.Reason == "" {
				t.Errorf("window %d: %s %s dropped without a reason", window, it.Role, it.Name)
			}
		}
	}
	if !forms[FormSignature] || !forms[FormNoDoc] || dropped == 0 {
		t.Errorf("the test module's header went as %v, %d items dropped: want it cut in one window, whole but its doc in another, and some left out", forms, dropped)
	}
}

// genTestsGo is a Go package whose method has a test file of its own,
// with a table and a helper, and whose receiver and result are the
// package's types, the receiver with a constructor.
var genTestsGo = map[string]string{
	"calc/calc.go": `package calc

import "strings"

// Parser parses sums.
type Parser struct {
	// Base is the numbers' base.
` + strings.Repeat("\t// It is explained at length, for the sake of the explanation alone.\n", 30) + `	Base int
}

// Result is a parsed sum.
type Result struct{ Terms []string }

// NewParser returns a parser of base 10.
func NewParser() *Parser { return &Parser{Base: 10} }

// Parse splits s into its terms.
func (p *Parser) Parse(s string) (Result, error) {
	return Result{Terms: strings.Split(s, "+")}, nil
}

// Add adds.
func Add(a, b int) int { return a + b }
`,
	"calc/calc_test.go": `package calc

import "testing"

type parseTest struct {
	in   string
	want int
}

var parseTests = []parseTest{{"1+2", 2}, {"3", 1}}

func mustParse(t *testing.T, s string) Result {
	t.Helper()
	r, err := NewParser().Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("1+2")
	}
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		if got := len(mustParse(t, tc.in).Terms); got != tc.want {
			t.Errorf("%s: %d terms", tc.in, got)
		}
	}
}
`,
}

// TestGenTestsGo: a gen-tests context for a Go method carries its
// package's test file (its header, the test calling the method first, and
// the table, its case type and the helper that test uses), the receiver's
// and the result's types and the receiver's constructor.
func TestGenTestsGo(t *testing.T) {
	e := setupFiles(t, genTestsGo)
	c := e.build(t, Request{Task: TaskGenTests, Target: "calc.(*Parser).Parse", Window: 16000})
	r := roles(c)
	for name, want := range map[string]string{
		"calc.TestParse":       RoleTest + "/" + FormFull,
		"calc.TestAdd":         RoleTest + "/" + FormFull,
		"calc.parseTests":      RoleTest + "/" + FormFull,
		"calc.parseTest":       RoleTest + "/" + FormFull,
		"calc.mustParse":       RoleTest + "/" + FormFull,
		"calc.Parser":          RoleType + "/" + FormFull,
		"calc.Result":          RoleType + "/" + FormFull,
		"calc.NewParser":       RoleConstructor + "/" + FormFull,
		"calc.(*Parser).Parse": RoleTarget + "/" + FormFull,
	} {
		if r[name] != want {
			t.Errorf("%s: %q, want %q (all: %v)", name, r[name], want, r)
		}
	}
	if !slices.ContainsFunc(c.Included, func(it Item) bool {
		return it.Path == "calc/calc_test.go" && it.Kind == "header" && it.Role == RoleTest && strings.Contains(it.Code, `import "testing"`)
	}) {
		t.Errorf("the test file's header is not in: %v", r)
	}
	at := map[string]int{}
	for i, it := range c.Included {
		at[it.Name] = i
	}
	if !(at["calc.TestParse"] < at["calc.TestAdd"] && at["calc.TestAdd"] < at["calc.Parser"]) {
		t.Errorf("order %v: want the test calling the target first, then the other, then the types", at)
	}
	// In a small window, a type's long comments go: its fields are what a
	// test builds.
	small := e.build(t, Request{Task: TaskGenTests, Target: "calc.(*Parser).Parse", Window: 3000})
	for _, it := range small.Included {
		if it.Name == "calc.Parser" && (it.Form != FormNoDoc || strings.Contains(it.Code, "at length") || !strings.Contains(it.Code, "Base int")) {
			t.Errorf("in a small window calc.Parser went as %s (%s):\n%s", it.Form, it.Reason, it.Code)
		}
	}
	if r := roles(small); r["calc.Parser"] == "" {
		t.Errorf("calc.Parser left out of a small window: %v", r)
	}
	ex := e.build(t, Request{Task: "explain", Target: "calc.(*Parser).Parse", Window: 16000})
	if r := roles(ex); r["calc.TestAdd"] != "" || r["calc.NewParser"] != "" {
		t.Errorf("explain carries tests or constructors: %v", r)
	}
}

// TestGenTestsGoDotImport: the tests of a Go function are found in any
// test file of its directory that names it, an external test package's
// through its dot import too — names the symbol graph does not resolve
// —, and not in a subdirectory's.
func TestGenTestsGoDotImport(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod":         "module example.com/m\n",
		"sortx/slice.go": "package sortx\n\n// Slice sorts x.\nfunc Slice(x []int) { _ = x }\n\nfunc other() {}\n",
		"sortx/sort_test.go": `package sortx_test

import (
	"testing"

	. "example.com/m/sortx"
)

func TestSlice(t *testing.T) {
	x := []int{2, 1}
	Slice(x)
}

func TestUnrelated(t *testing.T) {}
`,
		"sortx/sub/sub_test.go": "package sub\n\nimport \"testing\"\n\nfunc TestSliceSub(t *testing.T) { Slice(nil) }\n\nfunc Slice(x []int) {}\n",
	})
	c := e.build(t, Request{Task: TaskGenTests, Target: "sortx.Slice", Window: 16000})
	r := roles(c)
	if r["sortx_test.TestSlice"] != RoleTest+"/"+FormFull {
		t.Errorf("sortx_test.TestSlice: %q, want it as a test in full (%v)", r["sortx_test.TestSlice"], r)
	}
	if r["sortx_test.TestUnrelated"] != "" || strings.HasPrefix(r["sub.TestSliceSub"], RoleTest) {
		t.Errorf("a test naming none of the target, or a subdirectory's, went in: %v", r)
	}
}

func TestGoTestFuncs(t *testing.T) {
	for name, want := range map[string]bool{
		"p.TestParse": true, "p.Test": true, "p.Test_x": true, "p.FuzzParse": true,
		"p.Testify": false, "p.parseTests": false, "TestParse": false, "p.BenchmarkParse": false,
	} {
		if goTestFunc(name) != want {
			t.Errorf("goTestFunc(%q) = %v", name, !want)
		}
	}
	u := newCodeUnits(&Item{StartLine: 10, EndLine: 20}, []db.CodeChunk{{Name: "time.Parse"}})
	u.add(db.CodeChunk{Name: "time.ParseInLocation", StartLine: 30, EndLine: 40})
	u.add(db.CodeChunk{Name: "time.Parse", StartLine: 10, EndLine: 20})
	for name, want := range map[string]int{
		"time_test.TestParse": nameExact, "time_test.TestParse_errors": nameExact, "time.FuzzParse": nameExact,
		"time_test.TestParseRFC3339": namePart, "time_test.TestParseInLocation": nameNone, "time_test.TestParser": nameNone,
		"time_test.TestFormat": nameNone,
	} {
		if got := u.goTestName(name); got != want {
			t.Errorf("goTestName(%q) = %d, want %d", name, got, want)
		}
	}
	// A function and a method of one short name (url.Parse, (*URL).Parse):
	// the target's test is the target's, however often it is asked.
	uu := newCodeUnits(&Item{StartLine: 10, EndLine: 20}, []db.CodeChunk{{Name: "url.Parse"}})
	uu.add(db.CodeChunk{Name: "url.(*URL).Parse", StartLine: 30, EndLine: 40})
	uu.add(db.CodeChunk{Name: "url.Parse", StartLine: 10, EndLine: 20})
	for range 50 {
		if got := uu.goTestName("url.TestParse"); got != nameExact {
			t.Fatalf("goTestName(url.TestParse) = %d, want %d (exact) every time", got, nameExact)
		}
	}
	for name, want := range map[string]string{
		"http.(*Server).Serve": "Server", "time.Time.Format": "Time", "strconv.ParseInt": "",
	} {
		if got := goReceiver(name); got != want {
			t.Errorf("goReceiver(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestPickTests: those named after the target first, as a whole before
// in part, a short one before a long one; then the nearest, one of each
// describe block before a second of any.
func TestPickTests(t *testing.T) {
	cand := func(name string, dist, named int, group string, order, lines int) testCand {
		c := testCand{dist: dist, name: named, group: group, order: order}
		c.u.c.Name, c.u.c.StartLine, c.u.c.EndLine = name, 1, lines
		return c
	}
	for _, tc := range []struct {
		cands []testCand
		want  []string
	}{
		{[]testCand{
			cand("a1", 3, nameNone, "a", 0, 5), cand("a2", 3, nameNone, "a", 1, 5), cand("b1", 3, nameNone, "b", 2, 5),
			cand("far", 9, nameNone, "c", 3, 5), cand("part", 3, namePart, "d", 4, 5), cand("exact but long", 3, nameExact, "e", 5, 80),
			cand("exact", 3, nameExact, "f", 6, 5),
		}, []string{"exact", "exact but long", "part"}},
		{[]testCand{
			cand("a1", 3, nameNone, "a", 0, 5), cand("a2", 3, nameNone, "a", 1, 5), cand("far", 9, nameNone, "c", 2, 5),
			cand("b1", 3, nameNone, "b", 3, 5), cand("long", 3, nameNone, "d", 4, 80),
		}, []string{"a1", "b1", "a2"}},
		{[]testCand{cand("far", 9, nameNone, "c", 0, 5), cand("calls it", 0, nameNone, "", 1, 5)}, []string{"calls it", "far"}},
	} {
		var names []string
		for _, c := range pickTests(tc.cands) {
			names = append(names, c.u.c.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("picked %v, want %v", names, tc.want)
		}
	}
}

// TestGenTestsSetupBeforeItsTests: a describe block's setup goes just
// before that block's first test, after the tests ranked above it: in a
// small window the fit keeps what comes first, and the setup of a block
// whose tests are left out is of no use (it was kept while the tests that
// call the target were dropped).
func TestGenTestsSetupBeforeItsTests(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"mix.exs":     "defmodule Shop.MixProject do\n  use Mix.Project\nend\n",
		"lib/cart.ex": "defmodule Cart do\n  def add(c, x), do: [x | c]\n\n  def total(c), do: Enum.sum(c)\nend\n",
		"test/cart_test.exs": "defmodule CartTest do\n  use ExUnit.Case\n\n" +
			"  describe \"add/2\" do\n    setup do\n      %{cart: [1, 2, 3]}\n    end\n\n    test \"prepends\", %{cart: c} do\n      assert [0 | _] = Cart.add(c, 0)\n    end\n  end\n\n" +
			"  describe \"total/1\" do\n    test \"empty is zero\" do\n      assert Cart.total([]) == 0\n    end\n\n    test \"sums\" do\n      assert Cart.total([1, 2]) == 3\n    end\n  end\nend\n",
	})
	c := e.build(t, Request{Task: TaskGenTests, Target: "Cart.total/1", Window: 16000})
	var tests []string
	for _, it := range c.Included {
		if it.Role == RoleTest {
			tests = append(tests, it.Name)
		}
	}
	want := []string{"CartTest", `describe "total/1" / test "empty is zero"`, `describe "total/1" / test "sums"`, `describe "add/2"`, `describe "add/2" / test "prepends"`}
	if !slices.Equal(tests, want) {
		t.Errorf("tests:\n  %s\nwant:\n  %s", strings.Join(tests, "\n  "), strings.Join(want, "\n  "))
	}
}
