package ctxbuild

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// stats.ex is a module of many functions, each with a long doc and a body
// of some length: too large for a small window whole.
var statsModule = func() string {
	var b strings.Builder
	b.WriteString("defmodule MyApp.Stats do\n  @moduledoc \"Statistics over lists of numbers.\"\n\n")
	for _, name := range []string{"mean", "median", "variance", "spread", "total", "count_all", "peak", "trough"} {
		fmt.Fprintf(&b, "  @doc \"\"\"\n%s  \"\"\"\n  @spec %s([number()]) :: number()\n  def %s(xs) do\n%s    xs\n  end\n\n",
			strings.Repeat("  Computes the "+name+" of the numbers given, in one pass over them.\n", 6),
			name, name, strings.Repeat("    xs = Enum.map(xs, fn x -> x * 2 + 1 end) |> Enum.filter(&is_number/1)\n", 6))
	}
	b.WriteString("  defp helper(xs), do: xs\nend\n")
	return b.String()
}()

// statsGo is a Go file like stats.ex.
var statsGo = func() string {
	var b strings.Builder
	b.WriteString("// Package stats computes statistics.\npackage stats\n\nimport \"sort\"\n\n")
	for _, name := range []string{"Mean", "Median", "Variance", "Spread", "Total", "Peak"} {
		fmt.Fprintf(&b, "// %s computes the %s.\n%sfunc %s(xs []float64) float64 {\n%s\treturn xs[0]\n}\n\n",
			name, name, strings.Repeat("// It does so in one pass over the numbers given, with no allocation.\n", 4), name,
			strings.Repeat("\tsort.Float64s(xs)\n\txs = append(xs[:0:0], xs...)\n", 6))
	}
	return b.String()
}()

var outlineFixture = map[string]string{
	"lib/stats.ex":   statsModule,
	"stats/stats.go": statsGo,
	"lib/small.ex":   "defmodule MyApp.Small do\n  def one, do: 1\n\n  def two, do: 2\nend\n",
	"lib/doc_heavy.ex": "defmodule MyApp.DocHeavy do\n  @doc \"\"\"\n" + strings.Repeat("  A long explanation of what run does and why, line after line.\n", 60) +
		"  \"\"\"\n  def run(x) do\n    x + 1\n  end\nend\n",
}

// TestFileTargetWhole: PATH is the whole file, not its first unit.
func TestFileTargetWhole(t *testing.T) {
	e := setupFiles(t, outlineFixture)
	c := e.build(t, Request{Target: filepath.Join(e.root, "lib/small.ex"), Window: 8000})
	if c.Target.Kind != KindFile || c.Target.Form != FormFull || c.Target.StartLine != 1 || c.Target.EndLine != 5 {
		t.Fatalf("target %+v; want the whole file in full", c.Target)
	}
	if !strings.Contains(c.Target.Code, "def one") || !strings.Contains(c.Target.Code, "def two") {
		t.Errorf("target code is not the whole file:\n%s", c.Target.Code)
	}
}

// TestOutline: a file or a module too large for the window goes in outline
// for the tasks that only read it: every unit, as its signature or in
// full, those the question names in full first; the units reduced are
// listed. Tasks that change the target still need it whole.
func TestOutline(t *testing.T) {
	e := setupFiles(t, outlineFixture)
	for _, tc := range []struct {
		target, question, named string
		units                   []string // a few units every outline must have
	}{
		{filepath.Join(e.root, "lib/stats.ex"), "how is the variance computed?", "MyApp.Stats.variance/1",
			[]string{"def mean(xs) do", "def trough(xs) do", "defp helper(xs), do: xs"}},
		{"MyApp.Stats", "what does peak do?", "MyApp.Stats.peak/1", []string{"def mean(xs) do", "def trough(xs) do"}},
		{filepath.Join(e.root, "stats/stats.go"), "why does Spread sort?", "stats.Spread", []string{"func Mean(xs []float64) float64 {", "func Peak(xs []float64) float64 {", `import "sort"`}},
	} {
		t.Run(filepath.Base(tc.target), func(t *testing.T) {
			for _, task := range []string{"explain", "ask"} {
				c := e.build(t, Request{Task: task, Target: tc.target, Question: tc.question, Window: 1400, Reserve: new(200)})
				tg := c.Target
				if tg.Form != FormOutline || !strings.Contains(tg.Reason, "units as signatures") {
					t.Fatalf("%s: target form %q (%s); want an outline", task, tg.Form, tg.Reason)
				}
				for _, want := range tc.units {
					if !strings.Contains(tg.Code, want) {
						t.Errorf("%s: outline lacks %q:\n%s", task, want, tg.Code)
					}
				}
				if strings.Contains(tg.Code, "in one pass over") && !strings.Contains(tg.Code, "xs = Enum.map") && !strings.Contains(tg.Code, "sort.Float64s") {
					t.Errorf("%s: doc text kept where no body is", task)
				}
				forms := map[string]string{}
				full, sig := 0, 0
				for _, u := range tg.Units {
					forms[u.Name] = u.Form
					switch u.Form {
					case FormFull:
						full++
					case FormSignature:
						sig++
						if u.Reason == "" {
							t.Errorf("%s: %s reduced with no reason", task, u.Name)
						}
					default:
						t.Errorf("%s: unit %s left out of an outline whose signatures fit", task, u.Name)
					}
				}
				if forms[tc.named] != FormFull {
					t.Errorf("%s: %s, which the question names, is %q; want it in full (units %v)", task, tc.named, forms[tc.named], forms)
				}
				if full < 2 || sig == 0 {
					t.Errorf("%s: %d units in full, %d as signatures; want the room used and some reduced", task, full, sig)
				}
			}
			// A task that changes the target needs it whole.
			_, err := e.b.Build(context.Background(), Request{Task: "refactor", Root: e.root, Target: tc.target, Question: tc.question,
				Window: 1400, Reserve: new(200), Count: o200k})
			if usererr.As(err) == nil || !strings.Contains(err.Error(), "larger window") {
				t.Errorf("refactor: err = %v; want too long", err)
			}
		})
	}
}

// TestOutlineLeavesOut: when not even every signature fits, the outline
// keeps those it can and marks the rest as left out, rather than failing.
func TestOutlineLeavesOut(t *testing.T) {
	e := setupFiles(t, outlineFixture)
	c := e.build(t, Request{Target: filepath.Join(e.root, "lib/stats.ex"), Window: 460, Reserve: new(150)})
	left := 0
	for _, u := range c.Target.Units {
		if u.Form == "" {
			left++
		}
	}
	if c.Target.Form != FormOutline || left == 0 || !strings.Contains(c.Target.Code, "left out") {
		t.Fatalf("form %q, %d units left out; want some, marked:\n%s", c.Target.Form, left, c.Target.Code)
	}
}

// TestNoDoc: a single unit too large only for its doc text goes in
// without it for the tasks that only read it.
func TestNoDoc(t *testing.T) {
	e := setupFiles(t, outlineFixture)
	c := e.build(t, Request{Target: "MyApp.DocHeavy.run/1", Window: 900, Reserve: new(300)})
	if c.Target.Form != FormNoDoc || strings.Contains(c.Target.Code, "A long explanation") || !strings.Contains(c.Target.Code, "x + 1") {
		t.Fatalf("target %q (%s):\n%s", c.Target.Form, c.Target.Reason, c.Target.Code)
	}
	_, err := e.b.Build(context.Background(), Request{Task: "refactor", Root: e.root, Target: "MyApp.DocHeavy.run/1", Window: 900, Reserve: new(300), Count: o200k})
	if usererr.As(err) == nil {
		t.Errorf("refactor: err = %v; want too long", err)
	}
}

// TestReserveZero: a reserve of 0 is none, not the default.
func TestReserveZero(t *testing.T) {
	e := setup(t)
	c := e.build(t, Request{Target: "MyApp.Repo.fetch/1", Window: 4096, Reserve: new(0)})
	if c.Reserve != 0 || c.Budget != 4096 {
		t.Errorf("reserve %d, budget %d; want 0 and 4096", c.Reserve, c.Budget)
	}
	if c = e.build(t, Request{Target: "MyApp.Repo.fetch/1", Window: 4096}); c.Reserve != 1024 {
		t.Errorf("no reserve given: %d; want a quarter of the window", c.Reserve)
	}
}

// TestReserveLeavesNoRoom: a reserve of the whole window or more is a
// usage error that says the window and what to pass, not a prompt too
// long for a budget of nothing.
func TestReserveLeavesNoRoom(t *testing.T) {
	e := setup(t)
	for _, reserve := range []int{4096, 5000} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Repo.fetch/1", Window: 4096, Reserve: new(reserve), Count: o200k})
		ue := usererr.As(err)
		var re *ReserveError
		if ue == nil || ue.ExitCode() != usererr.ExitUsage || !errors.As(err, &re) || re.Window != 4096 || re.Reserve != reserve {
			t.Fatalf("reserve %d: err = %v; want a usage error", reserve, err)
		}
		if msg := ue.Msg; strings.Contains(msg, "\n") || !strings.Contains(msg, "4096-token window") || !strings.Contains(msg, "pass --reserve below 4096") {
			t.Errorf("reserve %d: %q; want the window and what to pass, on one line", reserve, msg)
		}
	}
	// The most a reserve may be leaves the prompt one token: too few for
	// the question, which is no usage error.
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Repo.fetch/1", Window: 4096, Reserve: new(4095), Count: o200k})
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitFailure {
		t.Errorf("reserve 4095: err = %v; want too long", err)
	}
}

// TestTargetTokensCounted: the target's tokens are counted with the
// request's counter, as the prompt's total is, in full and in outline.
func TestTargetTokensCounted(t *testing.T) {
	e := setupFiles(t, catalogFixture)
	for _, req := range []Request{
		{Target: "MyApp.Catalog.item_3/1", Window: 4096},
		{Target: filepath.Join(e.root, "lib/catalog.ex"), Window: 1400, Reserve: new(0)},
	} {
		req.Estimate = highEstimate{}
		c := e.build(t, req)
		want := o200k.Count(snippetText(c.Target, c.Target.Code))
		if c.Target.Tokens != want || c.Included[0].Tokens != want {
			t.Errorf("%s (%s): %d tokens (included: %d); counted, %d", req.Target, c.Target.Form, c.Target.Tokens, c.Included[0].Tokens, want)
		}
	}
}

// plainPrompts renders a prompt as the question, the context's code and
// the target's code, one after the other.
type plainPrompts struct{}

func (plainPrompts) Render(task string, d prompt.Data) ([]providers.Message, error) {
	var b strings.Builder
	b.WriteString(d.Question)
	for _, s := range d.Context {
		b.WriteString("\n" + s.Code)
	}
	if d.Target != nil {
		b.WriteString("\n" + d.Target.Code)
	}
	return []providers.Message{{Role: "user", Content: b.String()}}, nil
}

// byteCount counts a token a byte; its estimate (under) counts half of
// what is marked BIG.
type byteCount struct{ under bool }

func (c byteCount) Count(s string) int {
	if c.under && strings.Contains(s, "BIG") {
		return len(s) / 2
	}
	return len(s)
}

// TestRefill: room that the last count of the whole prompt frees (an item
// the estimate planned for did not fit after all) goes to the items left
// out for want of room, and no item is said to have had no room while it
// would have fitted.
func TestRefill(t *testing.T) {
	item := func(name string, n int) *Item {
		return &Item{Role: RoleHit, Path: "x.go", Name: name, StartLine: 1, EndLine: 1, full: name + strings.Repeat("x", n-len(name))}
	}
	cands := []*Item{item("A", 400), item("BIG", 600), item("C", 480), item("D", 100)}
	b := New(Config{Prompts: plainPrompts{}})
	out := &Context{Window: 1100, Reserve: 100, Budget: 1000}
	req := Request{Task: "ask", Question: strings.Repeat("q", 40), Window: 1100, Count: byteCount{}, Estimate: byteCount{under: true}}
	if err := b.fit(req, out, nil, nil, func([]string) ([]*Item, error) { return cands, nil }); err != nil {
		t.Fatal(err)
	}
	if out.Tokens > out.Budget {
		t.Fatalf("%d tokens of %d", out.Tokens, out.Budget)
	}
	free := out.Budget - out.Tokens
	in := map[string]string{}
	for _, it := range out.Included {
		in[it.Name] = it.Form
	}
	if in["C"] != FormFull {
		t.Errorf("C is %q with %d tokens free; want it in full (included %v)", in["C"], free, in)
	}
	for _, it := range out.Dropped {
		if strings.Contains(it.Reason, "no room left") && len(snippetText(&it, it.full)) <= free {
			t.Errorf("%s (%d tokens) left out, %q, with %d tokens free", it.Name, len(snippetText(&it, it.full)), it.Reason, free)
		}
	}
}

// TestLineNumbers: a line number that is none is said to be so, as a
// mistake on the command line (exit 2); in a file
// edited since it was indexed, lines are its lines now.
func TestLineNumbers(t *testing.T) {
	e := setup(t)
	repo := filepath.Join(e.root, "lib/repo.ex")
	for _, target := range []string{repo + ":0", repo + ":abc", repo + ":-3", repo + ":"} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(err.Error(), "is not a line number of lib/repo.ex; lines are numbered from 1") {
			t.Errorf("%s: err = %v", target, err)
		}
	}
	// A compiler's PATH:LINE:COL is the line's; a directory has no lines.
	if c := e.build(t, Request{Target: repo + ":2:5", Window: 4096}); c.Target == nil || c.Target.Path != "lib/repo.ex" {
		t.Errorf("PATH:LINE:COL: target %+v; want lib/repo.ex's unit at line 2", c.Target)
	}
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: filepath.Join(e.root, "lib") + ":1", Window: 4096, Count: o200k})
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(err.Error(), "is a directory, and a line is a file's") {
		t.Errorf("DIR:1: err = %v; want a usage error", err)
	}
	// Two lines more at the top: the module now ends at line 7.
	src := "# The repo.\n# Fetches.\n" + fixture["lib/repo.ex"]
	if err := os.WriteFile(repo, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: repo + ":9", Window: 4096, Count: o200k})
	if err == nil || !strings.Contains(err.Error(), "no code at line 9 (its last unit ends at line 7)") {
		t.Errorf("err = %v; want the line figures of the file as it is now", err)
	}
	// Line 4 is now fetch's first line (it was line 2).
	c := e.build(t, Request{Target: repo + ":4", Window: 4096})
	if c.Target.Name != "MyApp.Repo.fetch/1" || c.Target.StartLine != 4 || len(c.Stale) != 1 {
		t.Errorf("target %s at %d, stale %v; want MyApp.Repo.fetch/1 at line 4", c.Target.Name, c.Target.StartLine, c.Stale)
	}
}

// TestDeletedFile: a target whose file was deleted since it was indexed
// says so, in the user's terms, offering a file named like it (renamed).
func TestDeletedFile(t *testing.T) {
	e := setup(t)
	if err := os.Remove(filepath.Join(e.root, "lib/repo.ex")); err != nil {
		t.Fatal(err)
	}
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Repo.fetch/1", Window: 4096, Count: o200k})
	var ue *usererr.Error
	if !errors.As(err, &ue) || err.Error() != "lib/repo.ex was deleted since it was indexed; run aiex index" {
		t.Errorf("err = %v", err)
	}
	// Renamed: the file now named like it is offered.
	if err := os.WriteFile(filepath.Join(e.root, "lib/repo_v2.ex"), []byte(fixture["lib/repo.ex"]), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Repo.fetch/1", Window: 4096, Count: o200k})
	if usererr.As(err) == nil || err.Error() != "lib/repo.ex was deleted since it was indexed; did you mean lib/repo_v2.ex? run aiex index first" {
		t.Errorf("renamed: err = %v", err)
	}
	// A neighbour's file gone: the context is built without it.
	c := e.build(t, Request{Target: "MyApp.Accounts.get_user/1", Window: 8000})
	if _, ok := roles(c)["MyApp.Repo.fetch/1"]; ok {
		t.Errorf("a deleted file's unit is in the context: %v", roles(c))
	}
}

// TestTooLongSuggestsReserve: of a prompt that would fit if less were
// kept for the answer, the figures (Room) say how much to keep; of one
// that would not, or would leave the answer too little, they do not. The
// message suggests neither — `aiex ask`, `aiex explain`, `aiex refactor`
// and the TUI have no way to set the reserve; `aiex context` says it —
// and both the user's error and its figures are found by errors.As.
func TestTooLongSuggestsReserve(t *testing.T) {
	for _, tc := range []struct {
		tokens, reserve int
		room            int // the TooLongError's Room
		want            string
	}{
		{1800, 1024, 248, "x.go take 1800 tokens, more than the 1024 this model allows a prompt (a 2048-token window less 1024 for the answer); use a model with a larger window or ask about a smaller target"},
		{2040, 1024, 0, "x.go take 2040 tokens"}, // 8 tokens for the answer: not worth saying
		{2100, 1024, 0, "x.go take 2100 tokens"}, // over the window itself
		{1800, 200, 0, "x.go take 1800 tokens"},  // the reserve is not what is in the way
	} {
		err := TooLong(tc.tokens, 2048-tc.reserve, 2048, tc.reserve, "x.go")
		msg := err.Error()
		if strings.Contains(msg, "--") || strings.Contains(msg, "keep less") || strings.Contains(msg, "reserve") || !strings.Contains(msg, tc.want) {
			t.Errorf("%d tokens, reserve %d: %q; want %q", tc.tokens, tc.reserve, msg, tc.want)
		}
		var ue *usererr.Error
		var tl *TooLongError
		if !errors.As(err, &ue) || ue.Msg != msg || ue.ExitCode() != usererr.ExitFailure || !errors.As(err, &tl) {
			t.Fatalf("%d tokens, reserve %d: %#v; want a *usererr.Error caused by a *TooLongError", tc.tokens, tc.reserve, err)
		}
		want := TooLongError{Tokens: tc.tokens, Budget: 2048 - tc.reserve, Window: 2048, Reserve: tc.reserve, Room: tc.room, Target: "x.go"}
		if *tl != want {
			t.Errorf("%d tokens, reserve %d: %+v; want %+v", tc.tokens, tc.reserve, *tl, want)
		}
	}
}
