package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExLexRemoteWithoutParens: a remote call without parentheses has its
// arity, read as tree-sitter and Elixir's parser read it (each case was
// checked against both): its arguments up to the end of the expression, a
// trailing keyword list as one, a do block and a pipe one more each; no
// argument is arity 0, whatever follows (an access, a call of what it
// returns, an operator).
func TestExLexRemoteWithoutParens(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"arguments", `Mod.f a, b; Logger.info "x"; :ets.insert t, {k, v}; __MODULE__.g a`,
			[]string{"Mod.f/2", "Logger.info/1", ":ets.insert/2", "__MODULE__.g/1"}},
		{"fn argument", `Enum.map list, fn x -> x end`, []string{"Enum.map/2"}},
		{"trailing keyword list", `Mod.f a, b: 1, c: 2; Mod.g do: 1`, []string{"Mod.f/2", "Mod.g/1"}},
		{"do block", "Mod.f a do\n  1\nend\nMod.g do\n  2\nend", []string{"Mod.f/2", "Mod.g/1"}},
		{"pipe", `x |> Mod.f b; x |> Mod.g; x |> Mod.h + 1`, []string{"Mod.f/2", "Mod.g/1", "Mod.h/0"}},
		{"multi-line arguments", "Mod.f a,\n  b\nMod.g a\n|> h\nMod.i a\n-b",
			[]string{"Mod.f/2", "Mod.g/1", "h()/1", "Mod.i/1"}},
		{"no argument", "Mod.f\nMod.g[1]\nMod.h.(x)\nMod.i - 1\nMod.j.k\nMod.l :: t",
			[]string{"Mod.f/0", "Mod.g/0", "Mod.h/0", "Mod.i/0", "Mod.j/0", "Mod.l/0"}},
		{"unary operators and brackets", "Mod.f -1\nMod.g [1]\nMod.h (a), b\nMod.i ! x\nMod.j ^x\nMod.k not x\nMod.l @x\nMod.m ...",
			[]string{"Mod.f/1", "Mod.g/1", "Mod.h/2", "Mod.i/1", "Mod.j/1", "Mod.k/1", "Mod.l/1", "Mod.m/1"}},
		{"unary operators with white space", `Enum.map list, & &1.id; fetch & &1; Mod.f ^ x`, []string{"Enum.map/2", "fetch()/1", "Mod.f/1"}},
		{"nested", `if Mod.f a, do: 1
case Mod.g x do _ -> 1 end
assert Mod.h x == y, "m"`, []string{"if()/1", "Mod.f/2", "case()/2", "Mod.g/1", "assert()/1", "Mod.h/2"}},
		{"a field called takes its commas", `Mod.f x.y a, b; Mod.g Mod.h.i a, b; Mod.j f(a).k b, c`,
			[]string{"Mod.f/1", "Mod.g/1", "Mod.h/0", "Mod.j/1", "f()/1"}},
		{"types", `@spec f(Mod.t) :: Mod.t | nil`, []string{"f()/1", "Mod.t/0", "Mod.t/0"}},
		{"do block of the call around a pipe", "Mod.f x |> helper do\n  1\nend\nfetch x |> Mod.g do\n  2\nend",
			[]string{"Mod.f/2", "helper()/1", "fetch()/2", "Mod.g/1"}},
		{"capture of an arity not written as a number", "&Mod.f/unquote(n)\n&Mod.g/n\n&Mod.h/2", []string{"Mod.f", "unquote()/1", "Mod.g", "Mod.h/2"}},
		{"do block inside an interpolation", `@doc "#{if x do 1 end} #{Mod.f x do 2 end}"`, []string{"if()/2", "Mod.f/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lexRefStrings(tt.src)); diff != "" {
				t.Errorf("refs of %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// TestElixirRemoteRefsWithoutParens: a chunk's ref to a remote call
// without parentheses names the arity called, its module expanded
// through the aliases, so the symbol graph links it to that function
// only.
func TestElixirRemoteRefsWithoutParens(t *testing.T) {
	src := `defmodule Exproj.Users do
  alias Exproj.Repo
  require Logger

  def get(id, opts) do
    Logger.debug "get"
    Repo.get User, id, opts
  end

  def all, do: Repo.all User

  def names(users) do
    users
    |> Enum.map(& &1.name)
    |> Enum.sort_by & &1, :desc
  end

  def version, do: Repo.version
end
`
	res := chunkString(t, "lib/users.ex", src, Options{Strategy: Semantic})
	want := map[string][]string{
		"Exproj.Users.get/2":     {"Logger.debug/1", "Exproj.Repo.get/3", "User"},
		"Exproj.Users.all/0":     {"Exproj.Repo.all/1", "User"},
		"Exproj.Users.names/1":   {"Kernel.|>/2", "Enum.map/2", "Enum.sort_by/3"},
		"Exproj.Users.version/0": {"Exproj.Repo.version/0"},
	}
	checkRefs(t, res, want)
}
