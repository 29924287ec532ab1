package chunk

import "testing"

// TestElixirDelegateRefs: a defdelegate refers to the function it
// delegates to, named as a remote call to it in a body is (the module
// through the aliases, __MODULE__ expanded), under its `as:` name or else
// its own; the module alone is not a ref of its own.
func TestElixirDelegateRefs(t *testing.T) {
	src := `defmodule Core.Accounts do
  alias Core.Email
  alias Core.Mailer, as: M

  defdelegate normalize(email), to: Core.Email, as: :downcase
  defdelegate downcase(e), to: Email
  defdelegate send(e, opts \\ default_opts()), to: M, as: :"deliver!"
  defdelegate inner(x), to: __MODULE__.Inner
  defdelegate same(x), to: __MODULE__, as: :other
  defdelegate reverse(l), to: :lists
  defdelegate computed(x), to: @impl_module
  defdelegate [a(x), b()], to: Email
  defdelegate [c(x), d()], to: @impl_module

  def call(x), do: Core.Email.downcase(x)
end
`
	res := chunkString(t, "lib/accounts.ex", src, Options{Strategy: Semantic})
	want := map[string][]string{
		"Core.Accounts.normalize/1": {"Core.Email.downcase/1"},
		"Core.Accounts.downcase/1":  {"Core.Email.downcase/1"},
		"Core.Accounts.send/2":      {"default_opts/0", "Core.Mailer.deliver!/2"},
		"Core.Accounts.inner/1":     {"Core.Accounts.Inner.inner/1"},
		"Core.Accounts.same/1":      {"Core.Accounts.other/1"},
		"Core.Accounts.reverse/1":   {":lists.reverse/1"},
		// Not a module written out: the refs stay as the lexer finds them.
		"Core.Accounts.computed/1": nil,
		// The list form: each function its own target; the other heads
		// are not calls.
		"Core.Accounts.a/1": {"Core.Email.a/1"},
		"Core.Accounts.b/0": {"Core.Email.b/0"},
		"Core.Accounts.c/1": nil,
		"Core.Accounts.d/0": nil,
		// The same name a delegate's ref takes.
		"Core.Accounts.call/1": {"Core.Email.downcase/1"},
	}
	checkRefs(t, res, want)
}
