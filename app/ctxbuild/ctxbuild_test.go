package ctxbuild

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// fixture: an Elixir module whose function calls a helper and is called
// by a controller, a big unrelated module, and a Go package.
var fixture = map[string]string{
	"lib/accounts.ex": `defmodule MyApp.Accounts do
  @moduledoc "Users."
  alias MyApp.Repo

  @doc "Gets a user by id."
  @spec get_user(integer()) :: map() | nil
  def get_user(id) do
    id
    |> Repo.fetch()
    |> normalize()
  end

  defp normalize(nil), do: nil
  defp normalize(user), do: Map.put(user, :ok, true)
end
`,
	"lib/repo.ex": `defmodule MyApp.Repo do
  def fetch(id) do
    %{id: id}
  end
end
`,
	"lib/controller.ex": `defmodule MyApp.Controller do
  alias MyApp.Accounts

  def show(conn, id) do
    user = Accounts.get_user(id)
    {conn, user}
  end
end
`,
	"lib/big.ex": "defmodule MyApp.Big do\n  @doc \"Users in bulk, rendered at length.\"\n  def users_report(users) do\n" +
		strings.Repeat("    users |> Enum.map(fn user -> {user.id, user.name, :report} end) |> Enum.into([])\n", 120) + "  end\nend\n",
	"go/cache.go": `package cache

// Cache keeps users.
type Cache struct{ m map[int]string }

// Get returns a cached user.
func (c *Cache) Get(id int) string { return c.m[id] }
`,
}

type env struct {
	s    *db.Store
	b    *Builder
	root string
	set  *prompt.Set
}

func setup(t *testing.T) *env {
	t.Helper()
	return setupFiles(t, fixture)
}

// writeTree writes files (relative path → content) under root, with the
// directories they need; a content "symlink:TO" makes a symlink to TO.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, src := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if to, ok := strings.CutPrefix(src, "symlink:"); ok {
			if err := os.Symlink(to, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// setupFiles indexes a project of files; a file "symlink:TARGET" is a
// symlink to TARGET.
func setupFiles(t *testing.T, files map[string]string) *env {
	t.Helper()
	s := dbtest.Open(t)
	root := t.TempDir()
	writeTree(t, root, files)
	root, _ = filepath.EvalSymlinks(root)
	if _, err := index.New(index.Config{Store: s}).Index(context.Background(), root, index.Options{}); err != nil {
		t.Fatal(err)
	}
	set, err := prompt.Load("")
	if err != nil {
		t.Fatal(err)
	}
	b := New(Config{Store: s, Search: search.New(search.Config{Store: s}), Prompts: set, Chunk: index.ChunkOptions("")})
	return &env{s: s, b: b, root: root, set: set}
}

var o200k = tokens.FamilyO200k.Counter()

func (e *env) build(t *testing.T, req Request) *Context {
	t.Helper()
	req.Root = e.root
	if req.Task == "" {
		req.Task = "explain"
	}
	if req.Count == nil {
		req.Count = o200k
	}
	c, err := e.b.Build(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// It fits, counted over the whole prompt with the model's tokenizer.
	total := 0
	for _, m := range c.Prompt {
		total += req.Count.Count(m.Content) + messageOverhead
	}
	if total != c.Tokens || total > c.Budget {
		t.Errorf("prompt takes %d tokens (reported %d), budget %d", total, c.Tokens, c.Budget)
	}
	return c
}

func roles(c *Context) map[string]string {
	out := map[string]string{}
	for _, it := range c.Included {
		out[it.Name] = it.Role + "/" + it.Form
	}
	return out
}

func TestTargetAndNeighbours(t *testing.T) {
	e := setup(t)
	for _, target := range []string{
		"MyApp.Accounts.get_user/1",
		"Accounts.get_user/1",
		filepath.Join(e.root, "lib/accounts.ex") + ":8",
	} {
		t.Run(target, func(t *testing.T) {
			c := e.build(t, Request{Target: target, Question: "what does it return?", Window: 32000})
			if c.Target == nil || c.Target.Name != "MyApp.Accounts.get_user/1" {
				t.Fatalf("target %+v", c.Target)
			}
			if c.Included[0].Role != RoleTarget || !strings.Contains(c.Included[0].Code, "@spec get_user") {
				t.Errorf("first item %+v: want the target with its @spec", c.Included[0])
			}
			r := roles(c)
			for name, want := range map[string]string{
				"MyApp.Repo.fetch/1":         "callee/full",
				"MyApp.Accounts.normalize/1": "callee/full",
				"MyApp.Controller.show/2":    "caller/full",
				"MyApp.Accounts.get_user/1":  "target/full",
			} {
				if r[name] != want {
					t.Errorf("%s: %q, want %q (all: %v)", name, r[name], want, r)
				}
			}
			// Callees come before callers, and both before search hits.
			last := 0
			order := map[string]int{RoleTarget: 0, RoleCallee: 1, RoleCaller: 2, RoleHit: 3}
			for _, it := range c.Included {
				if order[it.Role] < last {
					t.Errorf("%s (%s) after a later role", it.Name, it.Role)
				}
				last = order[it.Role]
			}
			// The prompt holds the question and the target in full.
			p := c.Prompt[len(c.Prompt)-1].Content
			if !strings.Contains(p, "what does it return?") || !strings.Contains(p, "|> normalize()") {
				t.Errorf("prompt lacks the question or the target:\n%s", p)
			}
		})
	}
}

// TestSameCodeOnce: a symlink to a file of the project is indexed under
// both paths; a context carries its code once, at the real file's path,
// whether it is the target, a neighbour or a search hit. Code alike under
// another name (MyApp.Twin.fetch/1) is not carried twice either.
func TestSameCodeOnce(t *testing.T) {
	files := maps.Clone(fixture)
	files["lib/shared/repo.ex"] = "symlink:../repo.ex"
	files["lib/twin.ex"] = strings.ReplaceAll(fixture["lib/repo.ex"], "MyApp.Repo", "MyApp.Twin") // fetch/1 alike
	e := setupFiles(t, files)
	for _, target := range []string{"MyApp.Repo.fetch/1", "MyApp.Accounts.get_user/1", filepath.Join(e.root, "lib/repo.ex"),
		filepath.Join(e.root, "lib/shared/repo.ex")} {
		c := e.build(t, Request{Target: target, Question: "how does fetch work?", Window: 32000})
		seen := map[string]string{}
		for _, it := range c.Included {
			if it.Role != RoleTarget && strings.Contains(c.Target.Code, it.Code) {
				t.Errorf("%s: %s %s:%d is the target's code again", target, it.Role, it.Path, it.StartLine)
			}
			if prev, ok := seen[it.Code]; ok {
				t.Errorf("%s: %s %s:%d carries the code of %s again", target, it.Role, it.Path, it.StartLine, prev)
			}
			seen[it.Code] = it.Role + " " + it.Path
			if it.Role != RoleTarget && it.Path == "lib/shared/repo.ex" && c.Target.Path != it.Path {
				t.Errorf("%s: %s %s from the link, not lib/repo.ex", target, it.Role, it.Name)
			}
		}
	}
}

// TestSmallWindow: in a window too small for everything, lower-ranked
// code is reduced to signatures or left out, never the target.
func TestSmallWindow(t *testing.T) {
	e := setup(t)
	full := e.build(t, Request{Target: "MyApp.Accounts.get_user/1", Question: "users report", Window: 32000})
	if roles(full)["MyApp.Big.users_report/1#1"] != "hit/full" {
		t.Fatalf("with room, the big hit is in full: %v", roles(full))
	}
	small := e.build(t, Request{Target: "MyApp.Accounts.get_user/1", Question: "users report", Window: 1200, Reserve: new(300)})
	if small.Target == nil || small.Included[0].Form != FormFull {
		t.Fatalf("target %+v", small.Target)
	}
	if f := roles(small)["MyApp.Big.users_report/1#2"]; f == "hit/full" {
		t.Errorf("the big hit fits a 900-token budget in full? %v", roles(small))
	}
	reduced := false
	for _, it := range append(append([]Item{}, small.Included...), small.Dropped...) {
		if it.Name == "MyApp.Big.users_report/1#2" {
			reduced = it.Form != FormFull
			if it.Form == FormSignature && (!strings.Contains(it.Code, "def users_report(users) do") || strings.Contains(it.Code, "Enum.map")) {
				t.Errorf("signature %q", it.Code)
			}
			if it.Reason == "" {
				t.Error("no reason given for reducing it")
			}
		}
	}
	if !reduced {
		t.Errorf("big hit not reduced: included %v, dropped %d", roles(small), len(small.Dropped))
	}
}

func TestTooSmall(t *testing.T) {
	e := setup(t)
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Big.users_report/1",
		Window: 600, Reserve: new(100), Count: o200k})
	var ue *usererr.Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "larger window") {
		t.Fatalf("err = %v; want a user error asking for a larger window", err)
	}
}

func TestResolveErrors(t *testing.T) {
	e := setup(t)
	for target, want := range map[string]string{
		"NoSuch.thing/9":                         "no file or symbol",
		filepath.Join(e.root, "lib/repo.ex:400"): "no code at line 400",
		// Misspelt: the index's names that look like it are offered.
		"MyApp.Accounts.get_usr/1":          `did you mean MyApp.Accounts.get_user/1`,
		"MyApp.Repo.fetsh":                  `did you mean MyApp.Repo.fetch/1`,
		filepath.Join(e.root, "lib/rep.ex"): "did you mean lib/repo.ex?",
		// With a line: the path is looked for, and offered with the line.
		filepath.Join(e.root, "lib/rep.ex:3"): "did you mean lib/repo.ex:3?",
		"repo.ex:3":                           "did you mean lib/repo.ex:3?",
	} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		var ue *usererr.Error
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want a user error with %q", target, err, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"http.(*Server).Serve", "http.(*Server).ServeTLS", "http.ListenAndServe", "MyApp.Accounts.get_user/1",
		"MyApp.Accounts.get_users/0", "MyApp.Accounts.delete_user/1", "lib/my_app/accounts.ex", "net.Dial"}
	for target, want := range map[string][]string{
		"http.(*Server).Serv":   {"http.(*Server).Serve", "http.(*Server).ServeTLS", "http.ListenAndServe"},
		"Accounts.get_usr/1":    {"MyApp.Accounts.get_user/1", "MyApp.Accounts.get_users/0"},
		"lib/my_app/acounts.ex": {"lib/my_app/accounts.ex"},
		"Dail":                  {"net.Dial"},
		"zzzzzz":                nil,
		"":                      nil,
	} {
		if got := Suggest(target, names); !slices.Equal(got, want) {
			t.Errorf("Suggest(%q) = %q; want %q", target, got, want)
		}
	}
}

// editRepo edits lib/repo.ex after it was indexed and returns its new
// content.
func editRepo(t *testing.T, e *env) string {
	t.Helper()
	src := strings.Replace(fixture["lib/repo.ex"], "def fetch(id) do", "# fetch now logs\n  def fetch(id) do\n    IO.inspect(id)", 1)
	if err := os.WriteFile(filepath.Join(e.root, "lib/repo.ex"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestStale: a file edited since it was indexed is read as it is now.
func TestStale(t *testing.T) {
	e := setup(t)
	editRepo(t, e)
	c := e.build(t, Request{Target: "MyApp.Repo.fetch/1", Window: 8000})
	if len(c.Stale) != 1 || c.Stale[0] != "lib/repo.ex" {
		t.Errorf("stale = %q", c.Stale)
	}
	if !strings.Contains(c.Target.Code, "IO.inspect(id)") {
		t.Errorf("target code is the indexed one:\n%s", c.Target.Code)
	}
}

// TestFileNowLinksOutside: a file replaced, since it was indexed, by a
// symlink to a file outside the project (the same code, or anything) is
// not read: the context fails, saying to index again, which skips it.
func TestFileNowLinksOutside(t *testing.T) {
	e := setup(t)
	outside := filepath.Join(t.TempDir(), "repo.ex")
	if err := os.WriteFile(outside, []byte(fixture["lib/repo.ex"]), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.root, "lib/repo.ex")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, path); err != nil {
		t.Fatal(err)
	}
	_, err := e.b.Build(context.Background(), Request{Root: e.root, Task: "explain", Target: "MyApp.Repo.fetch/1", Window: 8000, Count: o200k})
	if err == nil || !strings.Contains(err.Error(), "lib/repo.ex is now a symlink to a file outside the project; run aiex index") {
		t.Fatalf("err = %v", err)
	}
}

// TestStaleKeepsTree: with kept trees (a long-running process), the edited
// file's tree is kept under its absolute path, the index's key, so that
// the next chunking of it is incremental; the context is the same.
func TestStaleKeepsTree(t *testing.T) {
	e := setup(t)
	src := editRepo(t, e)
	want := e.build(t, Request{Target: "MyApp.Repo.fetch/1", Window: 8000})
	trees := chunk.NewTrees(chunk.DefaultTreeBytes)
	defer trees.Close()
	e.b.cfg.Chunk.Trees = trees
	for i := range 2 {
		got := e.build(t, Request{Target: "MyApp.Repo.fetch/1", Window: 8000})
		if got.Target.Code != want.Target.Code || got.Tokens != want.Tokens {
			t.Errorf("build %d with kept trees: target %q, %d tokens; without: %q, %d tokens", i, got.Target.Code, got.Tokens, want.Target.Code, want.Tokens)
		}
	}
	if trees.Len() != 1 {
		t.Errorf("%d trees kept, want lib/repo.ex's", trees.Len())
	}
	if _, err := chunk.File("lib/repo.ex", []byte(src), chunk.Options{Trees: trees, TreeKey: filepath.Join(e.root, "lib/repo.ex")}); err != nil || trees.Len() != 1 {
		t.Errorf("the tree is not under the file's absolute path: %d trees kept, %v", trees.Len(), err)
	}
}

func TestNoTarget(t *testing.T) {
	e := setup(t)
	c := e.build(t, Request{Task: "ask", Question: "where are users cached?", Window: 8000})
	if c.Target != nil {
		t.Errorf("target %+v", c.Target)
	}
	if roles(c)["cache.(*Cache).Get"] != "hit/full" && roles(c)["cache.Cache"] != "hit/full" {
		t.Errorf("no cache hit: %v", roles(c))
	}
}

func TestSignature(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"// Get returns.\nfunc (c *C) Get(id int) string {\n\treturn c.m[id]\n}", "func (c *C) Get(id int) string {\n\t// …\n}"},
		{"@doc \"\"\"\nLong.\n\"\"\"\n@spec f(integer()) :: integer()\ndef f(x) do\n  x + 1\nend", "@spec f(integer()) :: integer()\ndef f(x) do\n  # …\nend"},
		{"def f(x), do: x", ""}, // nothing to leave out
	} {
		if got := signature(tt.in); got != tt.want {
			t.Errorf("signature(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestModuleHeaderHit: a question that matches a module's header (its
// @moduledoc) finds the module, which search shows once with its header
// attached: the header's text goes into the prompt as a hit, though the
// module's own text is its children's.
func TestModuleHeaderHit(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/billing.ex": `defmodule MyApp.Billing do
  @moduledoc """
  Invoices are settled through the ledger after reconciliation.
  """
  alias MyApp.Ledger

  def total(x), do: Ledger.sum(x)
end
`,
		"lib/other.ex": `defmodule MyApp.Other do
  def run, do: :ok
end
`,
	})
	c := e.build(t, Request{Target: "MyApp.Other.run/0", Question: "how does billing settle invoices after reconciliation?", Window: 32000})
	var hit *Item
	for _, it := range c.Included {
		if it.Role == RoleHit && strings.Contains(it.Code, "reconciliation") {
			hit = &it
		}
	}
	if hit == nil {
		t.Fatalf("no hit carries the module's header; included: %v", roles(c))
	}
}
