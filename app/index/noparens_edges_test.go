package index

import "testing"

// TestNoParensEdges: a local Elixir call written without parentheses is an
// edge to the function of its arity, forwards and backwards: `fetch k do …
// end` and `fetch k, []` call fetch/2, `x = fetch k` fetch/1.
func TestNoParensEdges(t *testing.T) {
	s, p := indexedProject(t, map[string]string{"lib/two.ex": `defmodule Exproj.Two do
  def fetch(key), do: key
  def fetch(key, opts), do: {key, opts}

  def use_block(k) do
    fetch k do
      :x
    end
  end

  def use_noparen(k) do
    x = fetch k
    x
  end

  def use_noparen2(k) do
    fetch k, []
  end
end
`})
	checkEdges(t, s, p, map[string][]string{
		"Exproj.Two.use_block/1":    {"Exproj.Two.fetch/2"},
		"Exproj.Two.use_noparen/1":  {"Exproj.Two.fetch/1"},
		"Exproj.Two.use_noparen2/1": {"Exproj.Two.fetch/2"},
	}, map[string][]string{
		"Exproj.Two.fetch/1": {"Exproj.Two.use_noparen/1"},
		"Exproj.Two.fetch/2": {"Exproj.Two.use_block/1", "Exproj.Two.use_noparen2/1"},
	})
}
