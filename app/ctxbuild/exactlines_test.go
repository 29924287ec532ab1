package ctxbuild

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/usererr"
)

// exactGo is a Go project of several files: a header with an import group
// of which a unit uses only part, a var group of errors, a struct, its
// constructor and methods, and a command calling them.
var exactGo = map[string]string{
	"go.mod": "module example.com/inv\n\ngo 1.22\n",
	"inventory/item.go": `// Package inventory keeps stock.
package inventory

import (
	"errors"
	"fmt"
)

// Errors a store returns.
var (
	// ErrNoStock is returned when an item runs out.
	ErrNoStock = errors.New("no stock")
	// ErrUnknown is returned for an item never added.
	ErrUnknown = errors.New("unknown item")
	ErrClosed  = errors.New("closed")
	ErrFull    = errors.New("full")
)

// Item is a stock line.
type Item struct {
	SKU string
	Qty int
}

// String shows the item.
func (i Item) String() string {
	return fmt.Sprintf("%s×%d", i.SKU, i.Qty)
}
`,
	"inventory/store.go": `package inventory

import (
	"fmt"
	"sort"
	"strings"
)

// Store holds items by SKU.
type Store struct {
	items map[string]*Item
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{items: map[string]*Item{}} }

// Add puts qty of sku into the store.
func (s *Store) Add(sku string, qty int) {
	it, ok := s.items[sku]
	if !ok {
		it = &Item{SKU: sku}
		s.items[sku] = it
	}
	it.Qty += qty
}

// Get returns the item of sku.
func (s *Store) Get(sku string) (Item, bool) {
	it, ok := s.items[sku]
	if !ok {
		return Item{}, false
	}
	return *it, true
}

// Remove takes qty of sku out of the store.
func (s *Store) Remove(sku string, qty int) error {
	it, ok := s.items[sku]
	if !ok {
		return fmt.Errorf("remove %s: %w", sku, ErrUnknown)
	}
	if it.Qty < qty {
		return fmt.Errorf("remove %d of %s: %w", qty, it, ErrNoStock)
	}
	it.Qty -= qty
	return nil
}

// SKUs lists the store's SKUs in order.
func (s *Store) SKUs() string {
	var out []string
	for k := range s.items {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
`,
	"cmd/inv/main.go": `package main

import (
	"fmt"
	"os"

	"example.com/inv/inventory"
)

func main() {
	s := inventory.NewStore()
	s.Add("a", 2)
	if err := s.Remove("a", 3); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s.SKUs())
}
`,
}

// exactElixir is a Mix project: a module whose header has a long
// @moduledoc, @typedoc and attributes, an attribute between functions, a
// nested module and a test module with setup blocks.
var exactElixir = map[string]string{
	"lib/shop/cart.ex": `defmodule Shop.Cart do
  @moduledoc """
  A cart holds items.

` + strings.Repeat("  It is described at length here, so that its header is long enough to be cut to fit.\n", 30) + `  """

  alias Shop.Item

  @typedoc """
  A cart.

` + strings.Repeat("  The type is described at length too.\n", 20) + `  """
  @type t :: %__MODULE__{items: [Item.t()]}

  @limit 10
  @other 3

  defstruct items: []

  @spec new() :: t()
  def new, do: %__MODULE__{}

  @timeout 5_000

  @doc "Adds an item."
  @spec add_item(t(), Item.t()) :: t()
  def add_item(cart, %Item{} = item) do
    if length(cart.items) >= @limit do
      cart
    else
      %{cart | items: [item | cart.items]}
    end
  end

  @doc "Counts the items."
  def count(cart), do: length(cart.items)

  defmodule Line do
    @moduledoc "A line."
    alias Shop.Cart

    def total(cart), do: Cart.count(cart) * @timeout
  end
end
`,
	"lib/shop/item.ex": `defmodule Shop.Item do
  @moduledoc "A line item."
  defstruct [:sku, price: 0]

  @type t :: %__MODULE__{sku: String.t(), price: number()}
end
`,
	"lib/shop/checkout.ex": `defmodule Shop.Checkout do
  alias Shop.{Cart, Item}

  def run(items) do
    Enum.reduce(items, Cart.new(), fn i, c -> Cart.add_item(c, %Item{sku: i}) end)
    |> Cart.count()
  end
end
`,
	"test/shop/cart_test.exs": `defmodule Shop.CartTest do
  use ExUnit.Case, async: true

  alias Shop.{Cart, Item}

  setup do
    %{item: %Item{sku: "A1", price: 10}}
  end

  describe "add_item/2" do
    setup %{item: item} do
      %{cart: Cart.new() |> Cart.add_item(item)}
    end

    test "adds the item", %{cart: cart} do
      assert Cart.count(cart) == 1
    end
  end
end
`,
}

// shownSnippet is a piece of code as a prompt shows it: the path and the
// lines its heading claims (0 when none), its name and its code.
type shownSnippet struct {
	heading, path, name, code string
	start, end                int
}

var (
	contextHeading = regexp.MustCompile(`^(\S+?)(?::(\d+)(?:-(\d+))?)?(?: \((.*)\))?:$`)
	targetHeading  = regexp.MustCompile(`^The code to change, (\S+?)(?:, starting at line (\d+))?:$`)
)

// shownSnippets parses the snippets of a rendered refactor prompt: each is
// a heading line and a fenced block.
func shownSnippets(t *testing.T, text string) []shownSnippet {
	t.Helper()
	lines := strings.Split(text, "\n")
	var out []shownSnippet
	for i := 0; i+1 < len(lines); i++ {
		fence := lines[i+1]
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		ticks := fence[:len(fence)-len(strings.TrimLeft(fence, "`"))]
		s := shownSnippet{heading: lines[i]}
		if m := targetHeading.FindStringSubmatch(lines[i]); m != nil {
			s.path, s.start = m[1], 1 // the whole code, from its first line
			if m[2] != "" {
				s.start, _ = strconv.Atoi(m[2])
			}
		} else if m := contextHeading.FindStringSubmatch(lines[i]); m != nil {
			s.path, s.name = m[1], m[4]
			s.start, _ = strconv.Atoi(m[2])
			s.end, _ = strconv.Atoi(m[3])
		} else {
			t.Fatalf("no snippet heading: %q", lines[i])
		}
		j := i + 2
		for j < len(lines) && lines[j] != ticks {
			j++
		}
		s.code = strings.Join(lines[i+2:j], "\n")
		out = append(out, s)
		i = j
	}
	return out
}

// checkExact checks every snippet of a prompt: one whose heading gives
// lines is the file's exact text for them (a cut's, followed by a line
// saying how many more lines there are); one without is marked as not the
// file's text (or is the whole file).
func checkExact(t *testing.T, root, what string, snippets []shownSnippet) {
	t.Helper()
	for _, s := range snippets {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(s.path)))
		if err != nil {
			t.Errorf("%s: %q: %v", what, s.heading, err)
			continue
		}
		file := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
		shown, _ := cutMarked(s.code) // a cut's last line says how many more there are
		code := strings.Split(shown, "\n")
		if s.start == 0 {
			if !strings.Contains(s.name, notFileText) && s.code != strings.Join(file, "\n") {
				t.Errorf("%s: %q has no lines and is not marked as shortened:\n%s", what, s.heading, s.code)
			}
			continue
		}
		if s.end != 0 && s.end-s.start+1 != len(code) {
			t.Errorf("%s: %q claims %d lines, shows %d:\n%s", what, s.heading, s.end-s.start+1, len(code), s.code)
			continue
		}
		last := s.start - 1 + len(code)
		if last > len(file) {
			t.Errorf("%s: %q runs past the file's end (%d lines):\n%s", what, s.heading, len(file), s.code)
			continue
		}
		if want := strings.Join(file[s.start-1:last], "\n"); want != shown {
			t.Errorf("%s: %q is not the file's lines %d-%d:\n%s\nthe file has:\n%s", what, s.heading, s.start, last, s.code, want)
		}
	}
}

// TestRefactorShowsExactLines: every snippet of a refactor context, over
// windows small enough to reduce its neighbours and large enough to show
// them whole, is either the file's exact text for the lines its heading
// names or marked as not the file's text: a diff built on a rewritten
// header failed to apply.
func TestRefactorShowsExactLines(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		targets []string
	}{
		{"go", exactGo, []string{"inventory.(*Store).Remove", "inventory.Item.String", "inventory.(*Store).SKUs", "main.main", "inventory/store.go:40", "inventory/item.go"}},
		{"elixir", exactElixir, []string{"Shop.Cart.add_item/2", "Shop.Cart.Line.total/1", "Shop.Checkout.run/1", "Shop.Cart.new/0", "test/shop/cart_test.exs:15"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setupFiles(t, tc.files)
			reduced, built := 0, 0
			for _, target := range tc.targets {
				for _, window := range []int{500, 700, 900, 1200, 1600, 2400, 4000, 8000} {
					{
						task := "refactor"
						c, err := e.b.Build(context.Background(), Request{Task: task, Root: e.root, Target: target, Data: prompt.Data{Goal: "make it safer"},
							Window: window, Reserve: new(window / 4), Count: o200k})
						if errors.As(err, new(*usererr.Error)) || errors.As(err, new(*TooLongError)) {
							continue // the target does not fit this window
						}
						if err != nil {
							t.Fatalf("%s in %d (%s): %v", target, window, task, err)
						}
						built++
						for _, it := range c.Included {
							if it.Form != FormFull {
								reduced++
							}
						}
						what := task + " " + target + " in " + strconv.Itoa(window)
						snippets := shownSnippets(t, c.Prompt[len(c.Prompt)-1].Content)
						if len(snippets) != len(c.Included) {
							t.Errorf("%s: %d snippets in the prompt, %d items included", what, len(snippets), len(c.Included))
						}
						checkExact(t, e.root, what, snippets)
					}
				}
			}
			if built == 0 || reduced == 0 {
				t.Fatalf("%d contexts built, %d items reduced: the windows test nothing", built, reduced)
			}
		})
	}
}
