package markdown

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

// segments cuts src at blank lines outside fenced code, as a streaming
// view does to render each completed block once.
func segments(src string) []string {
	var segs []string
	var cur strings.Builder
	fence := ""
	for _, line := range strings.SplitAfter(src, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case fence != "" && strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "":
			fence = ""
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:3]
		case fence == "" && t == "":
			if strings.TrimSpace(cur.String()) != "" {
				segs = append(segs, cur.String())
			}
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	if strings.TrimSpace(cur.String()) != "" {
		segs = append(segs, cur.String())
	}
	return segs
}

// streamDocs are answers of the usual shapes.
var streamDocs = []string{
	"The function reads the file and **parses** it. It returns an error when `path` is empty.\n\n" +
		"- first it opens the file\n- then it scans each line\n- finally it closes it\n\n" +
		"```go\nfunc f() {\n\n\treturn\n}\n```\n\n## Why\n\nBecause a scanner keeps memory flat, whatever the size of the file.\n",
	"# Plan\n\n1. Read the config\n\n2. Validate it with a long explanation that has to wrap over lines\n\n" +
		"3. Apply\n\n> Note: this is quoted\n> over two lines.\n\n---\n\n| step | cost |\n|---|--:|\n| read | 1 |\n| apply | 20 |\n\n" +
		"- [x] done\n\n- [ ] not yet\n\nDone.",
	"Intro paragraph\nwith a soft break.\n\n\n\n### Heading\nText right under it.\n\n" +
		"```elixir\ndefmodule A do\n\n  def f, do: :ok\n\nend\n```\n\n    indented code\n\nEnd with *emphasis*.\n",
	"See https://hexdocs.pm/elixir/Enum.html#map/2.\n\n- [the guide](https://hexdocs.pm/elixir/introduction.html)\n" +
		"- <https://example.com/an/autolink/with/a/long/path>\n\n> quoted www.example.com/a/b/c/d/e/f/g\n\n" +
		"| name | where |\n|---|---|\n| docs | https://example.com/a/table/cell/with/a/url |\n\nMail someone@example.com.\n",
}

// TestStreamSegments: a document rendered in segments cut at blank lines
// outside code, joined by blank lines, renders as the whole does, with
// WholeURLs too.
func TestStreamSegments(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI256} {
		for i, doc := range streamDocs {
			if n := len(segments(doc)); n < 5 {
				t.Fatalf("doc %d cut in %d segments only", i, n)
			}
			for _, width := range []int{20, 50, 100} {
				for _, opts := range [][]Option{nil, {WholeURLs()}} {
					r := New(p, true, width, opts...)
					want := r.Render(doc)
					var got []string
					for _, seg := range segments(doc) {
						lines := r.Render(seg)
						if len(got) > 0 && len(lines) > 0 {
							got = append(got, "")
						}
						got = append(got, lines...)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("profile %v doc %d width %d options %d: (-whole +segments)\n%s", p, i, width, len(opts), diff)
					}
				}
			}
		}
	}
}
