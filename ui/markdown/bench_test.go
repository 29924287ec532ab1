package markdown

import (
	"fmt"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// Documents of about 20 KB, one kind of content each.
func benchDoc(kind string) string {
	var b strings.Builder
	for i := 0; b.Len() < 20_000; i++ {
		switch kind {
		case "prose":
			fmt.Fprintf(&b, "Paragraph %d reads the **file** and parses it, returning an error when `path` is empty; "+
				"see [the docs](https://example.com/docs/%d) for the *details* of each step.\n"+
				"A second sentence follows on the next line so that wrapping has work to do.\n\n", i, i)
		case "lists":
			fmt.Fprintf(&b, "- item %d opens the file\n- then it scans **each** line\n  1. nested step `x`\n  2. another\n- [x] done %d\n\n", i, i)
		case "tables":
			b.WriteString("| name | kind | size | note |\n|---|:-:|--:|---|\n")
			for j := range 8 {
				fmt.Fprintf(&b, "| file_%d_%d.go | **go** | %d | a note that is long enough to wrap at times |\n", i, j, j*1000)
			}
			b.WriteString("\n")
		case "go":
			b.WriteString("```go\n")
			for range 10 {
				fmt.Fprintf(&b, "// f%d returns the trimmed line.\nfunc (s *Scanner) f%d(line string) (string, error) {\n"+
					"\tif len(line) > 42 {\n\t\treturn \"\", fmt.Errorf(\"too long: %%d\", len(line))\n\t}\n\treturn strings.TrimSpace(line), nil\n}\n\n", i, i)
			}
			b.WriteString("```\n\n")
		case "elixir":
			b.WriteString("```elixir\n")
			for range 10 {
				fmt.Fprintf(&b, "  @doc \"Fetches %d.\"\n  def fetch_%d(%%{id: id} = opts, ttl \\\\ 1_000) do\n"+
					"    case Repo.get(User, id) do\n      nil -> {:error, :not_found}\n      user -> {:ok, \"#{user.name}\"} # found\n    end\n  end\n\n", i, i)
			}
			b.WriteString("```\n\n")
		}
	}
	return b.String()
}

func BenchmarkRender(b *testing.B) {
	for _, kind := range []string{"prose", "lists", "tables", "go", "elixir"} {
		src := benchDoc(kind)
		for _, p := range []termenv.Profile{termenv.ANSI256, termenv.Ascii} {
			name := kind + "/256"
			if p == termenv.Ascii {
				name = kind + "/ascii"
			}
			b.Run(name, func(b *testing.B) {
				r := New(p, true, 118)
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					r.Render(src)
				}
			})
		}
	}
}

// BenchmarkNew is the cost of a renderer (made per width).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(termenv.ANSI256, true, 80).Render("x")
	}
}
