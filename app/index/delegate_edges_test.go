package index

import "testing"

// TestDelegateEdges: a defdelegate's ref resolves to the function it
// delegates to, so the symbol graph links the two both ways: through
// `as:`, through an alias, and to a module nested as __MODULE__.Inner.
func TestDelegateEdges(t *testing.T) {
	s, p := indexedProject(t, map[string]string{
		"lib/accounts.ex": `defmodule Core.Accounts do
  alias Core.Email

  defdelegate normalize(email), to: Core.Email, as: :downcase
  defdelegate valid?(email), to: Email
  defdelegate inner(x), to: __MODULE__.Inner

  defmodule Inner do
    def inner(x), do: x
  end
end
`,
		"lib/email.ex": `defmodule Core.Email do
  def downcase(e), do: String.downcase(e)
  def downcase(e, _locale), do: downcase(e)
  def valid?(e), do: String.contains?(e, "@")
end
`,
	})
	checkEdges(t, s, p, map[string][]string{
		"Core.Accounts.normalize/1": {"Core.Email.downcase/1"},
		"Core.Accounts.valid?/1":    {"Core.Email.valid?/1"},
		"Core.Accounts.inner/1":     {"Core.Accounts.Inner.inner/1"},
	}, map[string][]string{
		"Core.Email.downcase/1":       {"Core.Accounts.normalize/1", "Core.Email.downcase/2"},
		"Core.Email.valid?/1":         {"Core.Accounts.valid?/1"},
		"Core.Accounts.Inner.inner/1": {"Core.Accounts.inner/1"},
	})
}
