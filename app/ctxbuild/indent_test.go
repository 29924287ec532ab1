package ctxbuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accountsModule has functions indented in their module, one calling a
// long one, and a module nested in it.
var accountsModule = `defmodule Core.Accounts do
  @moduledoc "Accounts."

  @doc "Creates a user."
  def create_user(attrs) do
    attrs
    |> then(fn a -> Map.put(a, :ok, true) end)
    |> validate()
    |> normalize()
  end

  def validate(attrs) do
` + strings.Repeat("    attrs = Map.update(attrs, :name, \"\", fn n -> String.trim(n) end)\n", 40) + `    attrs
  end

  def normalize(attrs) do
` + strings.Repeat("    attrs = Map.update(attrs, :email, \"\", fn e -> String.downcase(e) end)\n", 40) + `    attrs
  end

  defmodule Inner do
    def twice(x), do: x * 2
  end
end
`

// TestFirstLineIndented: code shown to the model keeps the indentation of
// its first line — a target, a neighbour in full or as its signature, a
// nested module, a unit of a file changed since it was indexed — and is
// counted with it: the prompt fits its budget by the model's count.
func TestFirstLineIndented(t *testing.T) {
	e := setupFiles(t, map[string]string{"lib/core/accounts.ex": accountsModule})
	c := e.build(t, Request{Target: "Core.Accounts.create_user/1", Question: "what does it do?", Window: 8000})
	code := map[string]string{}
	for _, it := range c.Included {
		code[it.Name] = it.Code
	}
	if got := code["Core.Accounts.create_user/1"]; !strings.HasPrefix(got, "  @doc \"Creates a user.\"\n  def create_user(attrs) do\n") {
		t.Errorf("target:\n%s", got)
	}
	if got := code["Core.Accounts.validate/1"]; !strings.HasPrefix(got, "  def validate(attrs) do\n") {
		t.Errorf("callee in full:\n%s", got)
	}
	if p := c.Prompt[len(c.Prompt)-1].Content; !strings.Contains(p, "```elixir\n  @doc \"Creates a user.\"\n") {
		t.Errorf("prompt:\n%s", p)
	}

	// In a window with room for one callee's start and the other's
	// signature.
	small := e.build(t, Request{Target: "Core.Accounts.create_user/1", Question: "what does it do?", Window: 420, Reserve: new(0)})
	forms := map[string]string{}
	for _, it := range small.Included {
		forms[it.Form] = it.Code
	}
	if got := forms[FormSignature]; got != "  def validate(attrs) do\n    # …\n  end" && got != "  def normalize(attrs) do\n    # …\n  end" {
		t.Errorf("a callee as its signature: %q", got)
	}
	if got := forms[FormTruncated]; !strings.HasPrefix(got, "  def validate(attrs) do\n    attrs = ") && !strings.HasPrefix(got, "  def normalize(attrs) do\n    attrs = ") {
		t.Errorf("a callee cut short: %q", got)
	}

	if got := e.build(t, Request{Target: "Core.Accounts.Inner", Question: "q", Window: 8000}).Target.Code; !strings.HasPrefix(got, "  defmodule Inner do\n") {
		t.Errorf("nested module:\n%s", got)
	}

	// Changed since it was indexed: found again, and indented.
	p := filepath.Join(e.root, "lib/core/accounts.ex")
	if err := os.WriteFile(p, []byte("# Accounts of the core.\n"+accountsModule), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := e.build(t, Request{Target: "Core.Accounts.create_user/1", Question: "q", Window: 8000})
	if len(stale.Stale) != 1 || !strings.HasPrefix(stale.Target.Code, "  @doc \"Creates a user.\"\n") {
		t.Errorf("stale %q, target:\n%s", stale.Stale, stale.Target.Code)
	}
}

// TestSignatureIndented: a unit's signature indents the lines it adds as
// the unit's first line is.
func TestSignatureIndented(t *testing.T) {
	for in, want := range map[string]string{
		"  @doc \"F.\"\n  def f(x) do\n    x + 1\n  end": "  def f(x) do\n    # …\n  end",
		"\tfunc (c *C) Get() int {\n\t\treturn 1\n\t}":   "\tfunc (c *C) Get() int {\n\t\t// …\n\t}",
	} {
		if got := signature(in); got != want {
			t.Errorf("signature(%q) = %q; want %q", in, got, want)
		}
	}
}
