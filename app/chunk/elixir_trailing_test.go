package chunk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirTrailingComments: the comments after the last expression of a
// module or describe body, before its `end` (a TODO, a function commented
// out), are in a leaf, so that search and context see them. After a unit
// they are a code chunk of their own, named after the module (the
// function's chunk ends where the compiler says it does); after a header or
// code they end it; a body of comments alone is the module's header, as an
// empty module's is. After a module's `end`, at the top of the file, a
// comment stays in no chunk, as one after a Go file's last declaration.
func TestElixirTrailingComments(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            []string
	}{
		{"after a function", "lib/r/c.ex",
			"defmodule R.C do\n  def c, do: 1\n\n  # TODO: handle timeouts\n  # def old(x), do: x\nend\n",
			[]string{"module R.C 1-6", "function R.C.c/0 2-2", "code R.C 4-5"}},
		{"right below a function", "lib/r/c.ex",
			"defmodule R.C do\n  def c do\n    1\n  end\n  # def old(x), do: x\nend\n",
			[]string{"module R.C 1-6", "function R.C.c/0 2-4", "code R.C 5-5"}},
		{"after the header", "lib/r/c.ex",
			"defmodule R.C do\n  use R.Base\n\n  # Functions to come.\nend\n",
			[]string{"module R.C 1-5", "header R.C 1-4"}},
		{"after code", "lib/r/c.ex",
			"defmodule R.C do\n  def c, do: 1\n  @compile {:inline, c: 0}\n  # Inlined for speed.\nend\n",
			[]string{"module R.C 1-5", "function R.C.c/0 2-2", "code R.C 3-4"}},
		{"comments alone", "lib/r/c.ex",
			"defmodule R.C do\n  # Nothing yet.\nend\n",
			[]string{"module R.C 1-3", "header R.C 1-3"}},
		{"nested", "lib/r/c.ex",
			"defmodule R.C do\n  defmodule D do\n    def d, do: 1\n    # Inner TODO.\n  end\n\n  # Outer TODO.\nend\n# After the module.\n",
			[]string{"module R.C 1-8", "module R.C.D 2-5", "function R.C.D.d/0 3-3", "code R.C.D 4-4", "code R.C 7-7"}},
		{"describe", "test/r_test.exs",
			"defmodule R.CTest do\n  use ExUnit.Case\n\n  describe \"c\" do\n    test \"one\", do: assert 1\n\n    # test \"two\", do: assert 2\n  end\nend\n",
			[]string{"module R.CTest 1-9", "header R.CTest 1-2", `describe describe "c" 4-8`, `test describe "c" / test "one" 5-5`, `code describe "c" 7-7`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, tt.path, tt.src, Options{Strategy: Semantic})
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings %q", res.Warnings)
			}
			commentsInLeaves(t, tt.src, res.Chunks, func(line string) bool { return !strings.Contains(line, "After the module") })
		})
	}
}
