package chunk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirRecoverNextModule: a bracket left open in a def, its `end`s
// then read as calls that take the rest of the file for arguments, loses
// neither the functions after it nor the modules after its own: the file
// chunks as it does with the bracket closed, and no two leaf chunks
// overlap. Each shape is tried in the first def of the first module and in
// its last, in two and three modules, with and without @moduledoc
// heredocs.
func TestElixirRecoverNextModule(t *testing.T) {
	shapes := []struct {
		name        string
		open, fixed string // the def's body, indented by 4, and as it closes
	}{
		{"paren in a fn", "Enum.map(list, fn x ->\n  x * 2\nend\n", "Enum.map(list, fn x ->\n  x * 2\nend)\n"},
		{"bracket in a fn", "[fn x ->\n  x * 2\nend\n", "[fn x ->\n  x * 2\nend]\n"},
		{"brace in a fn", "{:ok, fn x ->\n  x * 2\nend\n", "{:ok, fn x ->\n  x * 2\nend}\n"},
		{"map in a fn", "%{f: fn x ->\n  x * 2\nend\n", "%{f: fn x ->\n  x * 2\nend}\n"},
		{"paren in a pipe", "list\n|> Enum.map(fn x ->\n  x * 2\nend\n|> Enum.sum()\n", "list\n|> Enum.map(fn x ->\n  x * 2\nend)\n|> Enum.sum()\n"},
		{"bracket in a pipe", "list\n|> Enum.concat([1, 2\n|> Enum.sum()\n", "list\n|> Enum.concat([1, 2])\n|> Enum.sum()\n"},
		{"paren", "Enum.sum(list\n", "Enum.sum(list)\n"},
		{"paren with a case", "Enum.sum(case list do\n  [] -> []\n  l -> l\nend\n", "Enum.sum(case list do\n  [] -> []\n  l -> l\nend)\n"},
	}
	indent := func(s string, n int) string {
		lines := strings.SplitAfter(s, "\n")
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				lines[i] = strings.Repeat(" ", n) + l
			}
		}
		return strings.Join(lines, "")
	}
	doc := func(with bool, s string) string {
		if !with {
			return ""
		}
		return "  @moduledoc \"\"\"\n  " + s + ".\n  \"\"\"\n\n"
	}
	// file writes modules V.M1 … V.Mn; module at holds def first with body
	// and def second, before it when last is set, after it otherwise,
	// written with a do block when block is set.
	file := func(n, at int, body string, last, block, docs bool) string {
		second := "  def second(y), do: y\n"
		if block {
			second = "  def second(y) do\n    y\n  end\n"
		}
		var b strings.Builder
		for m := 1; m <= n; m++ {
			if m > 1 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "defmodule V.M%d do\n%s", m, doc(docs, fmt.Sprint("Module ", m)))
			if m == at {
				if last {
					b.WriteString(second + "\n")
				}
				b.WriteString("  def first(list) do\n" + indent(body, 4) + "  end\n")
				if !last {
					b.WriteString("\n" + second)
				}
			} else {
				fmt.Fprintf(&b, "  def f%d(z), do: z\n", m)
			}
			b.WriteString("end\n")
		}
		return b.String()
	}
	layouts := []struct {
		name  string
		n, at int
	}{{"first of 2", 2, 1}, {"first of 3", 3, 1}, {"second of 3", 3, 2}}
	for _, sh := range shapes {
		for _, l := range layouts {
			for _, last := range []bool{false, true} {
				for _, block := range []bool{false, true} {
					for _, docs := range []bool{false, true} {
						name := sh.name + "/" + l.name
						if last {
							name += "/last def"
						}
						if block {
							name += "/do block"
						}
						if docs {
							name += "/moduledoc"
						}
						t.Run(name, func(t *testing.T) {
							want := chunkString(t, "lib/v.ex", file(l.n, l.at, sh.fixed, last, block, docs), Options{Strategy: Semantic})
							if len(want.Warnings) != 0 {
								t.Fatalf("the fixed file warns: %q", want.Warnings)
							}
							src := file(l.n, l.at, sh.open, last, block, docs)
							res := chunkString(t, "lib/v.ex", src, Options{Strategy: Semantic})
							if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "syntax error") {
								t.Errorf("warnings %q, want a syntax error", res.Warnings)
							}
							if diff := cmp.Diff(outline(want), outline(res)); diff != "" {
								t.Errorf("outline (-fixed +open):\n%s\n%s", diff, src)
							}
							checkNoOverlap(t, res)
						})
					}
				}
			}
		}
	}
}

// checkNoOverlap fails t if two leaf chunks (not modules, protocols,
// impls or describe blocks, which hold others) share a byte.
func checkNoOverlap(t *testing.T, res Result) {
	t.Helper()
	var prev *Chunk
	for i := range res.Chunks {
		c := &res.Chunks[i]
		switch c.Kind {
		case KindModule, KindProtocol, KindImpl, KindDescribe:
			continue
		}
		if prev != nil && c.StartByte < prev.EndByte {
			t.Errorf("%s %s (lines %d-%d) overlaps %s %s (lines %d-%d)", c.Kind, c.Name, c.StartLine, c.EndLine, prev.Kind, prev.Name, prev.StartLine, prev.EndLine)
		}
		if prev == nil || c.EndByte > prev.EndByte {
			prev = c
		}
	}
}

// TestElixirRecoverNoDuplicates: where recoverItem has moved the defs of a
// def's do block after it and cutSwallowed then cuts the def before an
// earlier one, the defs moved are not taken a second time (which made a
// function's clauses "not together" with itself and its chunks overlap).
// The file is what was left of a mix task being edited: a `cond` left
// open, a heredoc closed on the line of `)`, defs of one line.
func TestElixirRecoverNoDuplicates(t *testing.T) {
	src := `defmodule Mix.Tasks.Test do
      Mix.raise("""
      """)
  end
  defp raise_or_error_at_exit(shell, message, opts) do
    cond do
  defp display_warn_test_pattern(test_files, test_pattern, matched_test_files, warn_test_pattern) do
    end
  end
  defp manifest_opts(opts) do
    if opts[:failed] do
      if opts[:stale] do
    end
  end
  defp filter_to_allowed_files(matched_test_files, %MapSet{} = allowed_files) do
  end
end
`
	res := chunkString(t, "lib/mix/tasks/test.ex", src, Options{Strategy: Semantic})
	for _, w := range res.Warnings {
		if strings.Contains(w, "not together") {
			t.Errorf("warning %q", w)
		}
	}
	seen := map[string]bool{}
	for _, c := range res.Chunks {
		if c.Kind == KindFunction {
			if seen[c.Name] {
				t.Errorf("%s twice: %q", c.Name, outline(res))
			}
			seen[c.Name] = true
		}
	}
	checkNoOverlap(t, res)
}
