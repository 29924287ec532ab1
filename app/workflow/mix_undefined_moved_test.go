package workflow

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// A module with calls of functions that do not exist, and a function a
// change puts above them, which moves them down.
const (
	mixCallsGone2 = "defmodule A do\n  def a(x), do: Gone.f(x, 1)\nend\n"
	mixCallsBoth  = "defmodule A do\n  def a(x), do: Gone.f(x)\n  def b(x), do: Gone.f(x, 1)\nend\n"
	mixAddedFirst = "defmodule A do\n"
)

// TestMixUndefinedCallMoved: a call of an undefined function the project
// had before the change is not the change's at whatever line the change
// moves it to, and a call the change adds is the one the failure names
// (its headline), also when it calls the same function, or one of the
// same name and another arity, as an old call below it. A call of
// another arity than the old one is a new call.
func TestMixUndefinedCallMoved(t *testing.T) {
	needMix(t)
	above := func(code, fn string) string { return strings.Replace(code, mixAddedFirst, mixAddedFirst+fn+"\n", 1) }
	for name, tc := range map[string]struct {
		was, code string
		status    string
		headline  string // the failure's headline starts with it
		detail    string // in the detail
	}{
		"moved down": {mixCallsGone2, above(mixCallsGone2, "  @moduledoc false\n\n  def n(x), do: x + 1\n"), OK,
			"", "calls of undefined functions already there before the change: 1"},
		"both arities moved down": {mixCallsBoth, above(mixCallsBoth, "  def n(x), do: x + 1\n"), OK,
			"", "calls of undefined functions already there before the change: 2"},
		"same name, other arity added above": {mixCallsGone2, above(mixCallsGone2, "  def n(x), do: Gone.f(x)\n"), Failed,
			"lib/a.ex:2: Gone.f/1 is undefined (module Gone is not available or is yet to be defined) (A.n/1)", "already there before the change: 1"},
		"same call added above": {mixCallsGone, above(mixCallsGone, "  def n(x), do: Gone.f(x)\n"), Failed,
			"lib/a.ex:2: Gone.f/1 is undefined (module Gone is not available or is yet to be defined) (A.n/1)", "already there before the change: 1"},
		"arity changed": {mixCallsGone, strings.Replace(mixCallsGone, "Gone.f(x)", "Gone.f(x, 2)", 1), Failed,
			"lib/a.ex:2: Gone.f/2 is undefined", ""},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/a.ex": tc.was, "lib/b.ex": mixTimeoutB})
			p, err := FromFile("refactor", "", "```elixir lib/a.ex\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			c := p.Checks[len(p.Checks)-1]
			if c.Name != "mix compile" || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("%s %s %q; want %s with %q", c.Name, c.Status, c.Detail, tc.status, tc.detail)
			}
			if h := Headline(c.Detail); c.Status == Failed && !strings.HasPrefix(h, tc.headline) {
				t.Errorf("headline %q; want it to start with %q", h, tc.headline)
			}
		})
	}
}

// TestUnchangedLines maps the lines a change leaves alone to their old
// numbers, and no line it adds or changes.
func TestUnchangedLines(t *testing.T) {
	for name, tc := range map[string]struct {
		old, new string
		want     map[int]int
	}{
		"same":             {"a\nb\n", "a\nb\n", map[int]int{1: 1, 2: 2}},
		"added above":      {"a\nb\n", "x\ny\na\nb\n", map[int]int{3: 1, 4: 2}},
		"changed, removed": {"a\nb\nc\nd\n", "a\nB\nd\n", map[int]int{1: 1, 3: 4}},
		"no last newline":  {"a\nb", "a\nx\nb", map[int]int{1: 1, 3: 2}},
		"added at the end": {"a\n", "a\nb", map[int]int{1: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := unchangedLines(tc.old, tc.new); !maps.Equal(got, tc.want) {
				t.Errorf("unchangedLines(%q, %q) = %v; want %v", tc.old, tc.new, got, tc.want)
			}
		})
	}
}
