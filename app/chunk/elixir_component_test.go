package chunk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirComponentAttrs: a Phoenix function component's `attr` and
// `slot` declarations (with @doc among them, and a slot with attributes of
// its own) are part of the function that follows them, not of the
// module's header; those not directly above a def stay where they are.
func TestElixirComponentAttrs(t *testing.T) {
	src := `defmodule AppWeb.CoreComponents do
  use Phoenix.Component

  attr :flash, :map, required: true
  @doc "Shows the flash."
  attr :kind, :atom, values: [:info, :error]
  slot :inner_block

  def flash(assigns) do
    ~H"""
    <div><%= msg %></div>
    """
  end

  slot :col, required: true do
    attr :label, :string
  end

  # The table.
  attr(:rows, :list)
  defp table(assigns), do: ~H""

  attr :dangling, :string
  embed_templates "pages/*"
end
`
	res := chunkString(t, "lib/app_web/core_components.ex", src, Options{Strategy: Semantic})
	want := []string{
		"module AppWeb.CoreComponents 1-25",
		"header AppWeb.CoreComponents 1-2",
		"function AppWeb.CoreComponents.flash/1 4-13",
		"function AppWeb.CoreComponents.table/1 15-21 private",
		"code AppWeb.CoreComponents 23-24",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	if h := res.Chunks[1]; strings.Contains(src[h.StartByte:h.EndByte], "attr") {
		t.Errorf("header holds an attr: %q", src[h.StartByte:h.EndByte])
	}
}
