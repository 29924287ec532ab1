package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirUsingForeignImports: a template's using quote that imports
// modules its file does not define, or declares aliases, records them on
// the chunk holding the quote (Imports: "T:import M" with the import's
// only:/except: list, "T:alias A" with the module A names), for the index
// to resolve across files; an import of the file's own module stays a
// member, and a quote outside using/__using__ records nothing.
func TestElixirUsingForeignImports(t *testing.T) {
	tmpl := `defmodule MyApp.DataCase do
  use ExUnit.CaseTemplate

  using opts do
    quote do
      import MyApp.DataCase
      import MyApp.Factory
      import MyApp.ConnHelpers, only: [login: 1, login: 2]
      import MyApp.Other, except: [skip: 0]
      import Ecto.Query, only: :macros
      alias MyApp.Accounts
      alias MyApp.Repo, as: R
    end
  end

  def errors_on(cs), do: cs
end

defmodule MyAppWeb.ConnCase do
  defmacro __using__(_opts) do
    quote do
      import MyAppWeb.Helpers
    end
  end
end

defmodule NotTemplate do
  def run do
    quote do
      import Elsewhere
      alias Else.Where
    end
  end
end
`
	res := chunkString(t, "test/support/data_case.ex", tmpl, Options{Strategy: Semantic})
	got := map[string]map[string]string{}
	for _, c := range res.Chunks {
		if len(c.Imports) > 0 {
			got[c.Name] = c.Imports
		}
	}
	want := map[string]map[string]string{
		"MyApp.DataCase": {
			"MyApp.DataCase:import MyApp.Factory":     "",
			"MyApp.DataCase:import MyApp.ConnHelpers": "only login/1 login/2",
			"MyApp.DataCase:import MyApp.Other":       "except skip/0",
			"MyApp.DataCase:import Ecto.Query":        "", // only: :macros reads as all
			"MyApp.DataCase:alias Accounts":           "MyApp.Accounts",
			"MyApp.DataCase:alias R":                  "MyApp.Repo",
		},
		"MyAppWeb.ConnCase.__using__/1": {"MyAppWeb.ConnCase:import MyAppWeb.Helpers": ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
	var members []string
	for _, c := range res.Chunks {
		members = append(members, c.Members...)
	}
	if want := []string{"MyApp.DataCase:errors_on/1"}; !cmp.Equal(members, want) {
		t.Errorf("members %q, want %q", members, want)
	}

	// A remote call whose head no alias of the user's module expands
	// refers to Template:Head.f/N too, for each template used above it.
	user := `defmodule MyApp.UserTest do
  use MyApp.DataCase
  alias MyApp.Local

  test "builds" do
    build(:user)
    Accounts.get_user(1)
    Local.f(1)
    Enum.map([], & &1)
  end
end

defmodule MyApp.Plain do
  def g, do: Accounts.get_user(1)
end
`
	res = chunkString(t, "test/user_test.exs", user, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		`test "builds"`: {"build/1", "MyApp.DataCase:build/1", "Accounts.get_user/1", "MyApp.DataCase:Accounts.get_user/1",
			"MyApp.Local.f/1", "Enum.map/2", "MyApp.DataCase:Enum.map/2"},
		"MyApp.Plain.g/0": {"Accounts.get_user/1"},
	})
}
