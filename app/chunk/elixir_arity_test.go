package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirRefArities: a chunk's refs name the arity of each call
// (elixir_arity.go); a call of the function itself, at any arity its
// default arguments define, is not a ref, while a call of another arity of
// its name is; a defdelegate refers to its target at its own full arity;
// a function with default arguments lists its other arities as members.
func TestElixirRefArities(t *testing.T) {
	src := `defmodule Ar do
  alias MyApp.Repo

  def fetch(key) do fetch(key, nil) end
  def fetch(key, default) do Map.get(%{}, key, default) end
  def caller_of_two(k), do: fetch(k, :none)

  def get(id, opts \\ [], more \\ nil) do
    if id > 0, do: get(id - 1), else: Repo.all(id, opts) |> Enum.map(&wrap/1) |> Enum.into(%{}, & &1)
  end

  def wrap(x), do: Repo.transaction(fn -> x end) |> Repo.preload
  def blocks(x) do
    Repo.transaction(x) do
      :ok
    end
  end

  defdelegate send(e, opts \\ []), to: Repo, as: :deliver
  def loose(x), do: Repo.get x, 1
end
`
	res := chunkString(t, "lib/ar.ex", src, Options{Strategy: Semantic})
	type refsMembers struct{ Refs, Members []string }
	want := map[string]refsMembers{
		"Ar.fetch/1":         {Refs: []string{"fetch/2"}},
		"Ar.fetch/2":         {Refs: []string{"Map.get/3"}},
		"Ar.caller_of_two/1": {Refs: []string{"fetch/2"}},
		"Ar.get/3": {
			Refs:    []string{"Kernel.if/2", "MyApp.Repo.all/2", "Kernel.|>/2", "Enum.map/2", "wrap/1", "Enum.into/3"},
			Members: []string{"Ar.get/1", "Ar.get/2"},
		},
		"Ar.wrap/1":   {Refs: []string{"MyApp.Repo.transaction/1", "Kernel.|>/2", "MyApp.Repo.preload/1"}},
		"Ar.blocks/1": {Refs: []string{"MyApp.Repo.transaction/2"}},
		"Ar.send/2":   {Refs: []string{"MyApp.Repo.deliver/2"}, Members: []string{"Ar.send/1"}},
		"Ar.loose/1":  {Refs: []string{"MyApp.Repo.get/2"}},
	}
	got := map[string]refsMembers{}
	for _, c := range res.Chunks {
		if _, ok := want[c.Name]; ok {
			got[c.Name] = refsMembers{withoutDefinitions(c.Refs), c.Members}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs and members (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
}
