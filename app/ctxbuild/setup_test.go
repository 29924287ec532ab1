package ctxbuild

import (
	"strings"
	"testing"
)

// TestTestSetupCallees: a test's context carries the functions its
// describe block's and its module's setup name (`setup [:attach_payment]`,
// `setup :create_user`), as what the test calls: they make its context,
// and its own code never names them.
func TestTestSetupCallees(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"test/big_test.exs": `defmodule Shop.BigTest do
  use ExUnit.Case

  setup :create_user

  def create_user(_ctx) do
    {:ok, user: %{id: 1}}
  end

  def attach_payment(%{user: user}) do
    {:ok, card: %{user: user.id, number: "4242"}}
  end

  def unrelated(x), do: x

  describe "checkout" do
    setup [:attach_payment]

    test "charges the card", %{card: card} do
      assert Shop.charge(card) == :ok
    end
  end
end
`,
		"lib/shop.ex": "defmodule Shop do\n  def charge(card), do: if(card.number, do: :ok, else: :error)\nend\n",
	})
	c := e.build(t, Request{Target: "test/big_test.exs:20", Window: 3000})
	r := roles(c)
	for _, name := range []string{"Shop.BigTest.attach_payment/1", "Shop.BigTest.create_user/1", "Shop.charge/1"} {
		if r[name] != RoleCallee+"/"+FormFull {
			t.Errorf("%s: %q; want a callee in full (%v)", name, r[name], r)
		}
	}
	if strings.HasPrefix(r["Shop.BigTest.unrelated/1"], RoleCallee) {
		t.Errorf("a function no setup names came as a callee: %v", r)
	}
}
