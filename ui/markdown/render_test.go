package markdown

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

// TestASCII checks each construct's plain layout line for line.
func TestASCII(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
		src   string
		want  []string
	}{
		{"empty", 20, "  \n\n", nil},
		{"heading", 30, "# Title\n\n### Third *level*", []string{"# Title", "", "### Third *level*"}},
		{"setext heading", 30, "Title\n=====", []string{"# Title"}},
		{"heading wraps under its text", 12, "## a long heading text", []string{"## a long", "   heading", "   text"}},
		{"paragraph wraps", 16, "The quick brown fox jumps over the lazy dog.",
			[]string{"The quick brown", "fox jumps over", "the lazy dog."}},
		{"soft and hard breaks", 40, "one\ntwo  \nthree\\\nfour", []string{"one two", "three", "four"}},
		{"inline marks", 60, "*em* **strong** `code` ~~old~~ \\*not em\\* &amp;",
			[]string{"*em* **strong** `code` ~~old~~ *not em* &"}},
		{"link", 60, "see [the docs](https://x.dev/a) or <https://y.dev>",
			[]string{"see the docs (https://x.dev/a) or https://y.dev"}},
		{"link whose text is its URL", 60, "[https://x.dev](https://x.dev)", []string{"https://x.dev"}},
		{"link destination is the address it stands for", 80,
			"[x](https://a.dev/?a=1&amp;b=2\\_c) [y](<https://a.dev/a b>) ![i](<a b.png>)",
			[]string{"x (https://a.dev/?a=1&b=2_c) y (https://a.dev/a%20b) image: i (a%20b.png)"}},
		{"link whose text is its escaped URL", 60, "[https://x.dev/a\\_b](https://x.dev/a\\_b)", []string{"https://x.dev/a_b"}},
		{"long word is broken", 8, "abcdefghijklmnopqrst", []string{"abcdefgh", "ijklmnop", "qrst"}},
		{"image", 60, "![a cat](cat.png)", []string{"image: a cat (cat.png)"}},
		{"quote", 20, "> quoted text that wraps\n>\n> second", []string{"> quoted text that", "> wraps", ">", "> second"}},
		{"unordered list", 20, "- one\n- two\n  - nested\n- three", []string{"- one", "- two", "  - nested", "- three"}},
		{"loose list keeps its blank lines", 20, "- one\n\n- two\n- three", []string{"- one", "", "- two", "- three"}},
		{"list item wraps under its text", 12, "- a list item that wraps", []string{"- a list", "  item that", "  wraps"}},
		{"ordered list", 20, "1. one\n2. two\n\n   more\n3. three",
			[]string{"1. one", "2. two", "", "   more", "3. three"}},
		{"ordered list counts from its first number", 20, "3) c\n10) j\n\n1. a\n1. b\n1. c",
			[]string{"3) c", "4) j", "", "1. a", "2. b", "3. c"}},
		{"task list", 20, "- [x] done\n- [ ] to do\n- [y] not a task",
			[]string{"[x] done", "[ ] to do", "- [y] not a task"}},
		{"thematic break", 10, "a\n\n***\n\nb", []string{"a", "", "----------", "", "b"}},
		{"fenced code", 30, "```go\nfunc f() {\n\treturn\n}\n```", []string{"    func f() {", "        return", "    }"}},
		{"code is cut, not wrapped", 16, "```\nfmt.Println(\"a long line\")\nshort\n```",
			[]string{"    fmt.Println…", "    short"}},
		{"indented code", 30, "text\n\n    x := 1\n    y := 2", []string{"text", "", "    x := 1", "    y := 2"}},
		{"code keeps inner blank lines", 30, "```\na\n\nb\n```", []string{"    a", "", "    b"}},
		{"unclosed fence", 30, "```elixir\ndef f, do: 1", []string{"    def f, do: 1"}},
		{"html block", 30, "<div>\nhi\n</div>", []string{"<div>", "hi", "</div>"}},
		{"inline html", 30, "a <b>bold</b> move", []string{"a <b>bold</b> move"}},
		{"table", 40, "| Name | Qty | Note |\n|---|--:|:-:|\n| apple | 3 | ok |\n| kiwi | 12 |  |",
			[]string{
				"Name  | Qty | Note",
				"------+-----+-----",
				"apple |   3 |  ok",
				"kiwi  |  12 |",
			}},
		{"escaped pipes in a table, in code too", 40, "| cmd | note |\n|---|---|\n| `ls \\| wc` | a \\| b |\n\n`x \\| y`",
			[]string{"cmd       | note", "----------+------", "`ls | wc` | a | b", "", "`x \\| y`"}},
		{"<br> breaks a line, in a table cell too", 40,
			"| opt | meaning |\n|---|---|\n| -v | verbose<br>twice: more<BR/>x |\n\none<br />two <brx> three",
			[]string{"opt | meaning", "----+------------", "-v  | verbose", "    | twice: more", "    | x", "", "one", "two <brx> three"}},
		{"table after paragraph text", 40, "Prices:\n| a | b |\n|---|---|\n| 1 | 2 |",
			[]string{"Prices:", "", "a | b", "--+--", "1 | 2"}},
		{"table too wide wraps its cells", 20,
			"| key | description |\n|---|---|\n| k | a long description of it |",
			[]string{
				"key | description",
				"----+---------------",
				"k   | a long",
				"    | description of",
				"    | it",
			}},
		{"quote holding a list", 20, "> - a\n> - b", []string{"> - a", "> - b"}},
		{"nested list in quote in list", 30, "- item\n\n  > - deep", []string{"- item", "", "  > - deep"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := New(termenv.Ascii, true, tc.width).render(tc.src)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			for _, l := range got {
				if strings.ContainsRune(l, '\x1b') {
					t.Errorf("escape sequence under Ascii: %q", l)
				}
			}
		})
	}
}
