package index

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// templateImportsProject: a case template whose using quote imports
// modules defined in other files (one with only:, one with except:) and
// aliases one, and tests that use it.
func templateImportsProject() map[string]string {
	return map[string]string{
		"test/support/data_case.ex": `defmodule MyApp.DataCase do
  use ExUnit.CaseTemplate

  using do
    quote do
      import MyApp.DataCase
      import MyApp.Factory
      import MyApp.ConnHelpers, only: [login: 1]
      import MyApp.Other, except: [skip: 0]
      alias MyApp.Accounts
    end
  end

  def errors_on(cs), do: cs
end
`,
		"test/support/factory.ex": `defmodule MyApp.Factory do
  def build(kind), do: kind
  def insert(kind, attrs \\ []), do: {kind, attrs}
  defp secret, do: :s
end
`,
		"test/support/conn_helpers.ex": `defmodule MyApp.ConnHelpers do
  def login(user), do: user
  def logout(user), do: user
end
`,
		"test/support/other.ex": `defmodule MyApp.Other do
  def kept, do: :kept
  def skip, do: :skip
end
`,
		"lib/my_app/accounts.ex": `defmodule MyApp.Accounts do
  def get_user(id), do: id
end
`,
		"test/user_test.exs": `defmodule MyApp.UserTest do
  use MyApp.DataCase

  test "builds" do
    build(:user)
    insert(:user)
    login(:u)
    logout(:u)
    kept()
    skip()
    secret()
    Accounts.get_user(1)
    errors_on(:cs)
  end
end
`,
		"test/plain_test.exs": `defmodule PlainTest do
  use ExUnit.Case

  test "no template" do
    build(:user)
    Accounts.get_user(1)
  end
end
`,
	}
}

// TestTemplateImportEdges: a local call in a module that uses a case
// template resolves through the template's quoted imports of modules
// defined in other files (only:/except: honoured, public functions
// only, each arity defaults give), and a call through an alias the
// quote declares to the aliased module's function; a module that does
// not use the template links none of them.
func TestTemplateImportEdges(t *testing.T) {
	s, p, g, rows := indexedGraph(t, templateImportsProject())
	checkEdges(t, s, p, map[string][]string{
		`test "no template"`: nil,
	}, map[string][]string{
		"MyApp.Factory.build/1":      {`test "builds"`},
		"MyApp.Factory.insert/2":     {`test "builds"`},
		"MyApp.Factory.secret/0":     nil,
		"MyApp.ConnHelpers.login/1":  {`test "builds"`},
		"MyApp.ConnHelpers.logout/1": nil,
		"MyApp.Other.kept/0":         {`test "builds"`},
		"MyApp.Other.skip/0":         nil,
		"MyApp.Accounts.get_user/1":  {`test "builds"`},
		"MyApp.DataCase.errors_on/1": {`test "builds"`},
	})
	// The ranks' graph finds the view's edges (by name: a module's header
	// and the code of its body share its name).
	if got, want := slices.Compact(edgeNames(g, graphMembers(g, rows))), viewEdges(t, s, p); !slices.Equal(got, want) {
		t.Errorf("Edges:\n%q\nthe view:\n%q", got, want)
	}
}

// TestTemplateImportEdgesIncremental: the edges follow the files that
// make them when later runs change some of them: the test alone, the
// imported module (a new function, moved ones), the template (a new
// import of a module no file of the run defines), and the imported
// module's file gone.
func TestTemplateImportEdgesIncremental(t *testing.T) {
	s := dbtest.Open(t)
	files := templateImportsProject()
	files["test/support/extra.ex"] = `defmodule MyApp.Extra do
  def extra(x), do: x
end
`
	files["test/user_test.exs"] = strings.Replace(files["test/user_test.exs"], "    errors_on(:cs)\n",
		"    errors_on(:cs)\n    params_for(:user)\n    extra(1)\n", 1)
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	builds := []string{`test "builds"`}
	checkEdges(t, s, p, nil, map[string][]string{"MyApp.Factory.build/1": builds, "MyApp.Extra.extra/1": nil})

	writeFile(t, root, "test/user_test.exs", files["test/user_test.exs"]+"# changed\n")
	index(t, ix, root, Options{})
	checkEdges(t, s, p, nil, map[string][]string{"MyApp.Factory.build/1": builds, "MyApp.Accounts.get_user/1": builds})

	writeFile(t, root, "test/support/factory.ex", `defmodule MyApp.Factory do
  def params_for(kind), do: kind

  def build(kind), do: kind
  def insert(kind, attrs \\ []), do: {kind, attrs}
end
`)
	index(t, ix, root, Options{})
	checkEdges(t, s, p, nil, map[string][]string{"MyApp.Factory.build/1": builds, "MyApp.Factory.params_for/1": builds,
		"MyApp.Factory.insert/2": builds, "MyApp.Accounts.get_user/1": builds})

	writeFile(t, root, "test/support/data_case.ex", strings.Replace(files["test/support/data_case.ex"],
		"      import MyApp.Factory\n", "      import MyApp.Factory\n      import MyApp.Extra\n", 1))
	index(t, ix, root, Options{})
	checkEdges(t, s, p, nil, map[string][]string{"MyApp.Extra.extra/1": builds, "MyApp.Factory.build/1": builds,
		"MyApp.Accounts.get_user/1": builds})

	if err := os.Remove(filepath.Join(root, "test/support/factory.ex")); err != nil {
		t.Fatal(err)
	}
	index(t, ix, root, Options{})
	checkEdges(t, s, p, map[string][]string{`test "builds"`: {"MyApp.Accounts.get_user/1", "MyApp.ConnHelpers.login/1",
		"MyApp.DataCase.errors_on/1", "MyApp.Extra.extra/1", "MyApp.Other.kept/0"}}, nil)
}
