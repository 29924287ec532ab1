package ctxbuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// attrFixture: a module whose attributes are set between its functions,
// one of them twice, the second time below the function that reads it.
var attrFixture = map[string]string{
	"mix.exs": headerFixture["mix.exs"],
	"lib/mini.ex": `defmodule Mini do
  @moduledoc "Mini."
  @retries 1
  @table ~w(` + strings.Repeat("alpha beta gamma delta epsilon ", 80) + `)

  def first(x), do: x

  @timeout 1_000
  @timeout 5_000
  @unused :never_read

  def fetch(opts), do: {Keyword.get(opts, :timeout, @timeout), @retries}

  @timeout 9_000
  def later(opts), do: Keyword.get(opts, :timeout, @timeout)
end
`,
}

// TestAttributesBetweenUnits: a function reading attributes set between
// the module's functions goes with them, as the header's lines: the
// latest assignment of each above it, not the others, nor those below it.
func TestAttributesBetweenUnits(t *testing.T) {
	e := setupFiles(t, attrFixture)
	for _, window := range []int{8000, 700} {
		c := e.build(t, Request{Target: "Mini.fetch/1", Question: "what is the timeout?", Window: window})
		h := included(c, RoleHeader)
		if len(h) != 1 {
			t.Fatalf("window %d: included %v: want Mini's header", window, roles(c))
		}
		if form := map[int]string{8000: FormFull, 700: FormSignature}[window]; h[0].Form != form {
			t.Errorf("window %d: header goes %s, want %s:\n%s", window, h[0].Form, form, h[0].Code)
		}
		for _, want := range []string{"defmodule Mini do", "@retries 1", "  @timeout 5_000"} {
			if !strings.Contains(h[0].Code, want) {
				t.Errorf("window %d: header lacks %q:\n%s", window, want, h[0].Code)
			}
		}
		for _, not := range []string{"@timeout 1_000", "@timeout 9_000", "@unused"} {
			if strings.Contains(h[0].Code, not) {
				t.Errorf("window %d: header has %q:\n%s", window, not, h[0].Code)
			}
		}
	}
}

// TestAttributesWithoutHeader: a module with nothing before its first
// function has no header chunk; the attributes the target reads between
// its functions still go, as a header item of their own, and the code
// chunk they are in does not go again as a hit.
func TestAttributesWithoutHeader(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"mix.exs": headerFixture["mix.exs"],
		"lib/bare.ex": `defmodule Bare do
  def first(x), do: x

  @timeout 5_000
  alias Bare.Clock

  def fetch(opts), do: Clock.after(Keyword.get(opts, :timeout, @timeout))
end
`,
	})
	c := e.build(t, Request{Target: "Bare.fetch/1", Question: "what is the timeout?", Window: 8000})
	h := included(c, RoleHeader)
	want := "defmodule Bare do\n  # …\n  @timeout 5_000\n  alias Bare.Clock"
	if len(h) != 1 || h[0].Code != want || h[0].StartLine != 1 || h[0].EndLine != 5 {
		t.Fatalf("included %v, header %+v: want one header item, lines 1-5:\n%s", roles(c), h, want)
	}
	for _, it := range c.Included {
		if it.Role == RoleHit && strings.Contains(it.Code, "@timeout 5_000") {
			t.Errorf("the code chunk carried in the header goes again as a hit: %+v", it)
		}
	}

	// Changed since indexing: read from the file's chunks as it is now.
	src, err := os.ReadFile(filepath.Join(e.root, "lib/bare.ex"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.root, "lib/bare.ex"), []byte(strings.Replace(string(src), "5_000", "7_000", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c = e.build(t, Request{Target: "Bare.fetch/1", Question: "what is the timeout?", Window: 8000})
	if h := included(c, RoleHeader); len(c.Stale) != 1 || len(h) != 1 || h[0].Code != strings.Replace(want, "5_000", "7_000", 1) {
		t.Errorf("stale %v, header %+v: want\n%s", c.Stale, h, strings.Replace(want, "5_000", "7_000", 1))
	}
}
