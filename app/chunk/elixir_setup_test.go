package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirSetupCallbacks: `setup :name`, `setup [:a, :b]` and
// `setup_all :name` (in a describe block too) refer to the test module's
// functions of arity 1 that they name, as a local call of them does: the
// index qualifies them with the module, so the symbol graph links the
// setup to the function building the tests' context. A callback the
// module imports is the imported module's.
func TestElixirSetupCallbacks(t *testing.T) {
	src := `defmodule MyApp.AccountsTest do
  use ExUnit.Case, async: true

  setup_all :start_repo
  setup :create_user

  describe "log in" do
    setup [:create_user,
           # Needs a user.
           :log_in]

    test "works", %{conn: conn} do
      assert conn
    end
  end

  describe "tokens" do
    import MyApp.Tokens
    setup(:with_token)

    setup context do
      {:ok, context}
    end

    test "token", ctx do
      assert ctx.token
    end
  end

  defp start_repo(_context), do: :ok
  defp create_user(_context), do: %{user: %{id: 1}}
  defp log_in(%{user: user}), do: %{conn: user}
end
`
	res := chunkString(t, "test/my_app/accounts_test.exs", src, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if c.Kind == KindHeader || c.Kind == KindCode {
			got[c.Kind+" "+c.Name] = c.Refs
		}
	}
	want := map[string][]string{
		"header MyApp.AccountsTest": {"ExUnit.Case", "ExUnit.Case.__using__/1", "start_repo/1", "create_user/1"},
		`code describe "log in"`:    {"create_user/1", "log_in/1"},
		`code describe "tokens"`:    {"MyApp.Tokens", "MyApp.Tokens.with_token/1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}
