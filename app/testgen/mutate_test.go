package testgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sitesText describes sites as "line: from → to", in order.
func sitesText(src string, sites []site) []string {
	var out []string
	for _, s := range sites {
		out = append(out, fmt.Sprintf("%d: %s → %s", 1+strings.Count(src[:s.start], "\n"), s.from, s.to))
		if src[s.start:s.end] != s.from {
			out = append(out, "BAD RANGE "+src[s.start:s.end])
		}
	}
	return out
}

const goMutSrc = `package p

const limit = 10

func Before(a, b int) bool { return a == b }

// F is the target.
func F(xs []int, s string) (int, bool) {
	buf := make([]int, 0, 8)
	var arr [4]int
	s = s + "!"
	n := 0
	for i := 0; i < len(xs) && n != 3; i++ {
		n += xs[i] - 1 // i++ above is a for clause's: not flipped
	}
	_, _ = buf, arr
	return n * 2, n >= 0x10 || false
}

func After(a, b int) bool { return a < b }
`

func TestGoSites(t *testing.T) {
	tg := unitOf(t, goMutSrc, "// F is the target.", "}")
	start, end, note := unitRange([]byte(goMutSrc), tg)
	if note != "" {
		t.Fatal(note)
	}
	sites, err := goSites("p.go", []byte(goMutSrc), start, end)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		// Operators first, in order; then constants; then integers (not
		// make's sizes nor the array length).
		"13: < → >=", "13: && → ||", "13: != → ==", "14: += → -=", "14: - → +", "17: >= → <", "17: || → &&",
		"17: false → true",
		"12: 0 → 1", "13: 0 → 1", "13: 3 → 4", "14: 1 → 2", "17: 2 → 3", "17: 0x10 → 17",
	}
	if d := cmp.Diff(want, sitesText(goMutSrc, order(sites))); d != "" {
		t.Errorf("sites (-want +got):\n%s", d)
	}
	if _, err := goSites("p.go", []byte("package p\nfunc {"), 0, 10); err == nil {
		t.Error("no error for Go that does not parse")
	}
}

const exMutSrc = `defmodule M do
  @doc false
  def before(a), do: a == 1

  @doc """
  Adds one: ` + "`x + 1 > 0`" + `.
  """
  def f(x, {:ok, y}) when x > 0 and y != 1 do
    # a comment: x - 1 == true
    z = -1 + x
    {:ok, w} = g("a + b #{x - 1}", ~s(c - d), 'e + f', ?+)
    case h(z) do
      {:ok, v} -> {:ok, v - w}
      {:error, _} = e -> e
    end
    with {:ok, a} <- k(), do: {:error, a && true}
    @attr || x <= 2 or false
  end

  def after_(a), do: a < 1
end
`

func TestElixirSites(t *testing.T) {
	tg := unitOf(t, exMutSrc, "  @doc \"\"\"", "  end")
	start, end, note := unitRange([]byte(exMutSrc), tg)
	if note != "" {
		t.Fatal(note)
	}
	sites, err := elixirSites([]byte(exMutSrc), start, end)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		// Not: the @doc string, the comment, the string, sigil, charlist
		// and character, the unary minus, the tuples of the head, of the
		// left of = and <-, or before ->.
		"8: > → <=", "8: and → or", "8: != → ==", "10: + → -", "13: - → +", "16: && → ||",
		"17: || → &&", "17: <= → >", "17: or → and",
		"13: :ok → :error", "16: :error → :ok", "16: true → false", "17: false → true",
	}
	if d := cmp.Diff(want, sitesText(exMutSrc, order(sites))); d != "" {
		t.Errorf("sites (-want +got):\n%s", d)
	}
}

func TestUnitRange(t *testing.T) {
	src := []byte("a\nb\nc\nd\n")
	tests := []struct {
		name       string
		target     Target
		start, end int
		note       string
	}{
		{"text found", Target{Source: "b\nc\n"}, 2, 5, ""},
		{"lines", Target{StartLine: 2, EndLine: 3}, 2, 6, ""},
		{"last line", Target{StartLine: 4, EndLine: 4}, 6, 8, ""},
		{"text not found, lines used", Target{Source: "zz", StartLine: 3, EndLine: 3}, 4, 6, "mutating lines 3-3"},
		{"text twice", Target{Source: "x"}, 0, 4, "whole file"},
		{"nothing", Target{}, 0, 8, ""},
		{"lines past the end", Target{StartLine: 9, EndLine: 9}, 0, 8, ""},
	}
	for _, tc := range tests {
		s := src
		if tc.name == "text twice" {
			s = []byte("x\nx\n")
		}
		start, end, note := unitRange(s, tc.target)
		if start != tc.start || end != tc.end || !strings.Contains(note, tc.note) || (tc.note == "") != (note == "") {
			t.Errorf("%s: %d, %d, %q; want %d, %d, %q", tc.name, start, end, note, tc.start, tc.end, tc.note)
		}
	}
}

func TestSiteApply(t *testing.T) {
	src := []byte("if a >= b {\n}\n")
	s := site{start: 5, end: 7, from: ">=", to: "<"}
	if got := string(s.apply(src)); got != "if a < b {\n}\n" {
		t.Errorf("apply = %q", got)
	}
	if got := s.mutant("x.go", src); got.Description != "x.go:1:6: `>=` → `<`" || got.Path != "x.go" || got.Line != 1 || got.Column != 6 {
		t.Errorf("mutant = %+v", got)
	}
}
