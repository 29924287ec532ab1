package ctxbuild

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
)

// catalog.ex is a module of many units, each called from a file of its
// own: a target in outline with many neighbours that want room.
var catalogFixture = func() map[string]string {
	var b strings.Builder
	b.WriteString("defmodule MyApp.Catalog do\n  @moduledoc \"Products.\"\n\n")
	files := map[string]string{}
	for i := range 24 {
		fmt.Fprintf(&b, "  @doc \"Looks up product %d.\"\n  def item_%d(xs) do\n%s    xs\n  end\n\n", i, i,
			strings.Repeat(fmt.Sprintf("    xs = Enum.map(xs, fn x -> {x, %d, :catalog_item} end)\n", i), 4))
		files[fmt.Sprintf("lib/use_%d.ex", i)] = fmt.Sprintf("defmodule MyApp.Use%d do\n  alias MyApp.Catalog\n\n  def run(xs) do\n%s    Catalog.item_%d(xs)\n  end\nend\n",
			i, strings.Repeat("    xs = Enum.reverse(xs) |> Enum.uniq() |> Enum.sort()\n", 4), i)
	}
	b.WriteString("end\n")
	files["lib/catalog.ex"] = b.String()
	// A module whose header (its attributes) is larger than its functions.
	var h strings.Builder
	h.WriteString("defmodule MyApp.Settings do\n")
	for i := range 40 {
		fmt.Fprintf(&h, "  @setting_%d {:value, %d, \"a setting of some length\"}\n", i, i)
	}
	h.WriteString("\n")
	for i := range 30 {
		fmt.Fprintf(&h, "  def get_%d, do: @setting_%d\n\n", i, i)
	}
	h.WriteString("end\n")
	files["lib/settings.ex"] = h.String()
	// Many small units: their gaps, counted one by one, add up.
	var m strings.Builder
	m.WriteString("defmodule MyApp.Many do\n")
	for i := range 200 {
		fmt.Fprintf(&m, "  def f%d(x) do\n    x + %d\n  end\n\n", i, i)
	}
	m.WriteString("end\n")
	files["lib/many.ex"] = m.String()
	return files
}()

// highEstimate errs high, as estimates do: by a third, and a token a
// piece.
type highEstimate struct{}

func (highEstimate) Count(s string) int { return o200k.Count(s)*4/3 + 1 }

// TestOutlineFirst: a target in outline has the room before its
// neighbours: they get only what its units cannot use, though the
// estimate it is planned with errs high.
func TestOutlineFirst(t *testing.T) {
	e := setupFiles(t, catalogFixture)
	target := filepath.Join(e.root, "lib/catalog.ex")
	for _, window := range []int{900, 1400, 2400} {
		c := e.build(t, Request{Target: target, Question: "what do the items do?", Window: window, Reserve: new(0), Estimate: highEstimate{}})
		if c.Target.Form != FormOutline {
			t.Fatalf("window %d: target is %q; want an outline", window, c.Target.Form)
		}
		// What putting back the least of a unit not in full would take.
		least := 1 << 30
		for _, u := range c.Target.Units {
			var full, sig int
			switch u.Form {
			case FormFull:
				continue
			case FormSignature:
				fmt.Sscanf(u.Reason, "%d tokens in full", &full)
				least = min(least, full-u.Tokens)
			default:
				fmt.Sscanf(u.Reason, "%d tokens in full, %d as its signature", &full, &sig)
				least = min(least, sig)
			}
		}
		neighbours := 0
		for _, it := range c.Included[1:] {
			neighbours += it.Tokens
		}
		if neighbours >= least {
			t.Errorf("window %d: neighbours take %d tokens while a unit of the target needs only %d more (%d of %d tokens used)",
				window, neighbours, least, c.Tokens, c.Budget)
		}
		if least < 1<<30 && c.Budget-c.Tokens >= least+16 {
			t.Errorf("window %d: %d tokens unused while a unit of the target needs %d more", window, c.Budget-c.Tokens, least)
		}
	}
}

// TestOutlineKeepsModuleLine: a module's opening line stays with its end,
// however little of the module fits.
func TestOutlineKeepsModuleLine(t *testing.T) {
	e := setupFiles(t, catalogFixture)
	for _, window := range []int{300, 400, 600} {
		c := e.build(t, Request{Target: filepath.Join(e.root, "lib/settings.ex"), Window: window, Reserve: new(0)})
		code := c.Target.Code
		if !strings.Contains(code, "defmodule MyApp.Settings do\n") || !strings.HasSuffix(code, "\nend") {
			t.Errorf("window %d: the module's opening line or its end is missing:\n%s", window, code)
		}
	}
}

// TestOutlineLeast: a target is refused only when its smallest outline,
// as it is shown (a run of units left out is one marker), does not fit;
// the figure the refusal gives is that outline's count.
func TestOutlineLeast(t *testing.T) {
	e := setupFiles(t, catalogFixture)
	target := filepath.Join(e.root, "lib/many.ex")
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 40, Reserve: new(0), Count: o200k})
	var least int
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "in outline take") {
		t.Fatalf("err = %v; want too long in outline", err)
	}
	fmt.Sscanf(err.Error()[strings.Index(err.Error(), " take ")+1:], "take %d tokens", &least)
	c := e.build(t, Request{Target: target, Window: least, Reserve: new(0)})
	if c.Tokens != least || !strings.Contains(c.Target.Code, "# … 200 definitions left out") {
		t.Errorf("window %d: %d tokens; want the smallest outline:\n%s", least, c.Tokens, c.Target.Code)
	}
	if _, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: least - 1, Reserve: new(0), Count: o200k}); usererr.As(err) == nil {
		t.Errorf("window %d: err = %v; want too long", least-1, err)
	}
}

// TestFileTargetChanged: a file target deleted, grown or emptied since it
// was indexed is taken as it is now, or refused saying why.
func TestFileTargetChanged(t *testing.T) {
	e := setup(t)
	repo := filepath.Join(e.root, "lib/repo.ex")
	// Code added after the file's last unit is found.
	added := fixture["lib/repo.ex"] + "\ndefmodule MyApp.Extra do\n  def extra, do: 1\nend\n"
	if err := os.WriteFile(repo, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: repo + ":8", Window: 4096, Count: o200k})
	if err != nil {
		t.Errorf("line 8: %v", err)
	} else if c.Target.Name != "MyApp.Extra.extra/0" || len(c.Stale) != 1 {
		t.Errorf("line 8 is %s, stale %v; want MyApp.Extra.extra/0 in a stale file", c.Target.Name, c.Stale)
	}
	// Emptied: there is nothing to explain.
	if err := os.WriteFile(repo, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: repo, Window: 4096, Count: o200k})
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "lib/repo.ex is empty now") {
		t.Errorf("emptied: err = %v", err)
	}
	// Deleted, and named by its path.
	if err := os.Remove(repo); err != nil {
		t.Fatal(err)
	}
	t.Chdir(e.root)
	for _, target := range []string{repo, repo + ":2", filepath.Join(e.root, "lib/../lib/repo.ex"), "lib/repo.ex", "./lib/repo.ex:2"} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if usererr.As(err) == nil || err.Error() != "lib/repo.ex was deleted since it was indexed; run aiex index" {
			t.Errorf("%s: err = %v", target, err)
		}
	}
	// Renamed: the file now named like it is offered, to look at once the
	// index has it.
	if err := os.WriteFile(filepath.Join(e.root, "lib/repository.ex"), []byte(fixture["lib/repo.ex"]), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"lib/repo.ex:2", repo} {
		_, err = e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if usererr.As(err) == nil || err.Error() != "lib/repo.ex was deleted since it was indexed; did you mean lib/repository.ex? run aiex index first" {
			t.Errorf("renamed, %s: err = %v", target, err)
		}
	}
	// Named otherwise, and the only file new to the index there: offered
	// all the same; the directory's indexed files, spelt near repo.ex or
	// not, are not what was meant.
	if err := os.Rename(filepath.Join(e.root, "lib/repository.ex"), filepath.Join(e.root, "lib/store.ex")); err != nil {
		t.Fatal(err)
	}
	_, err = e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "lib/repo.ex:2", Window: 4096, Count: o200k})
	if usererr.As(err) == nil || err.Error() != "lib/repo.ex was deleted since it was indexed; did you mean lib/store.ex? run aiex index first" {
		t.Errorf("renamed otherwise: err = %v", err)
	}
}

// TestFileWithoutUnits: a file the index has no chunks of says why:
// re-indexing is advised only where it could help, not for a file
// .gitignore leaves out.
func TestFileWithoutUnits(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"huge.go":       "package huge\n\n" + strings.Repeat("var x = \"a line of a file too large to index\"\n", 25000),
		"empty.ex":      "",
		"comments.ex":   "# Only a comment.\n# And another.\n",
		"lib/small.ex":  "defmodule Small do\n  def one, do: 1\nend\n",
		".gitignore":    "lib/secret.ex\ngen/\n",
		"lib/secret.ex": "defmodule Secret do\n  def one, do: 1\nend\n",
		"gen/g.ex":      "defmodule G do\n  def one, do: 1\nend\n",
	})
	// Written after the index, with no units: not indexed yet. (One with
	// units is read as it is now: TestNewFileTarget.)
	if err := os.WriteFile(filepath.Join(e.root, "lib/new.ex"), []byte("# Nothing yet.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"huge.go":       "huge.go is not in the index: aiex index skipped it (too large)",
		"empty.ex":      "empty.ex is empty: there is no code to show",
		"comments.ex":   "comments.ex has no code to show: the index found no definitions in it",
		"lib/secret.ex": "lib/secret.ex is not in the index: .gitignore leaves it out (aiex index leaves out what git ignores)",
		"gen/g.ex":      "gen/g.ex is not in the index: it lies in a directory .gitignore leaves out (aiex index leaves out what git ignores)",
		"lib/new.ex":    "lib/new.ex has no chunks in the index; run aiex index, or check that its language is indexed",
	} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: filepath.Join(e.root, target), Window: 4096, Count: o200k})
		if usererr.As(err) == nil || err.Error() != want {
			t.Errorf("%s: err = %v; want %q", target, err, want)
		}
	}
}

// TestFileOfKindNotIndexed: a text file of a kind the index does not
// chunk (go.mod, a .txt file) is a target taken whole, PATH:LINE too;
// "run aiex index" would never give it chunks. A binary one says it has
// no text, not to index it again.
func TestFileOfKindNotIndexed(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod":        "module example.com/m\n\ngo 1.22\n\nrequire golang.org/x/mod v0.20.0\n",
		"docs/real.txt": "How the cache expires entries.\n",
		"blob.bin":      "\x00\x01\x02",
		"main.go":       "package main\n\nfunc main() {}\n",
	})
	for target, want := range map[string]string{"go.mod": "require golang.org/x/mod", "go.mod:3": "require golang.org/x/mod", "docs/real.txt": "expires entries"} {
		c, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: filepath.Join(e.root, target), Window: 4096, Count: o200k})
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if c.Target == nil || c.Target.Kind != KindFile || !strings.Contains(c.Prompt[len(c.Prompt)-1].Content, want) {
			t.Errorf("%s: target %+v; want the file whole in the prompt", target, c.Target)
		}
	}
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: filepath.Join(e.root, "blob.bin"), Window: 4096, Count: o200k})
	if want := "blob.bin has no code to show: it is binary (it holds NUL bytes), not text"; usererr.As(err) == nil || err.Error() != want {
		t.Errorf("blob.bin: err = %v; want %q", err, want)
	}
}

// countingSearch counts the searches it passes on.
type countingSearch struct {
	Searcher
	n int
}

func (s *countingSearch) Search(ctx context.Context, project int64, query string, limit int) (*search.Result, error) {
	s.n++
	return s.Searcher.Search(ctx, project, query, limit)
}

// TestNoRoomNoLookups: a target that leaves no room for other code (an
// outline as large as the budget) is not followed by a search nor by its
// neighbours, which could not go in; with room, they are looked up.
func TestNoRoomNoLookups(t *testing.T) {
	e := setupFiles(t, catalogFixture)
	s := &countingSearch{Searcher: e.b.cfg.Search}
	e.b.cfg.Search = s
	target := filepath.Join(e.root, "lib/catalog.ex")
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Question: "what do the items do?", Window: 40, Reserve: new(0), Count: o200k})
	var least int
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "in outline take") {
		t.Fatalf("err = %v; want too long in outline", err)
	}
	fmt.Sscanf(err.Error()[strings.Index(err.Error(), " take ")+1:], "take %d tokens", &least)
	if s.n != 0 {
		t.Errorf("refused, after %d searches", s.n)
	}
	c := e.build(t, Request{Target: target, Question: "what do the items do?", Window: least, Reserve: new(0)})
	if c.Budget-c.Tokens >= minRoom || len(c.Included) != 1 || len(c.Dropped) != 0 || s.n != 0 {
		t.Errorf("%d of %d tokens; included %d, dropped %d, %d searches: want the target alone, nothing looked up",
			c.Tokens, c.Budget, len(c.Included), len(c.Dropped), s.n)
	}
	before := s.n
	c = e.build(t, Request{Target: "MyApp.Catalog.item_3/1", Question: "what do the items do?", Window: 4096})
	if s.n != before+1 || roles(c)["MyApp.Use3.run/1"] != "caller/full" {
		t.Errorf("with room: included %v, %d searches; want its caller and the hits", roles(c), s.n-before)
	}
}
