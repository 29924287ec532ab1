package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

var profiles = []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor}

// richDoc has every construct, wide runes and emoji.
const richDoc = "# 見出し heading with a rather long title\n\n" +
	"Prose with *emphasis*, **strong**, `code`, ~~strike~~ and a [link](https://example.com/a/very/long/path/that/does/not/fit).\n" +
	"日本語のテキストはスペースなしで続きますので途中で折り返す必要があります。\n" +
	"Emoji 👩‍💻 and 🎉🎉🎉 and flags 🇫🇷 in text.\n\n" +
	"> A quote with a list:\n>\n> - one 一\n> - two\n>   1. deep 深い\n\n" +
	"- [x] done ✅\n- [ ] todo\n  - nested item with several words\n\n" +
	"| 名前 | value | note |\n|:--|--:|:-:|\n| りんご | 3 | 🍎 fruit |\n| a much longer cell text | 12345 | x |\n\n" +
	"```go\nfunc 関数(x int) string { return \"文字列 with a long tail of text\" }\n\tindented\t\ttabs\n```\n\n" +
	"```elixir\ndef f(x), do: \"#{x} 🎉\" # comment\n```\n\n" +
	"---\n\n<p>html 块</p>\n"

// TestWidths: no line is wider than the width, at any width, in any
// profile, with wide runes and emoji, and URLs wider than the width.
func TestWidths(t *testing.T) {
	for _, p := range profiles {
		for width := 1; width <= 70; width++ {
			for _, doc := range []string{richDoc, urlDoc} {
				for _, l := range New(p, true, width).render(doc) {
					if w := ansi.StringWidth(l); w > width {
						t.Errorf("profile %v width %d: line of %d cells: %q", p, width, w, l)
					}
				}
			}
		}
	}
}

func TestWideRunes(t *testing.T) {
	for _, tc := range []struct {
		src   string
		width int
		want  []string
	}{
		// Two cells a rune: four to a line of 8 cells, three to 7.
		{"日本語テキスト", 8, []string{"日本語テ", "キスト"}},
		{"日本語テキスト", 7, []string{"日本語", "テキス", "ト"}},
		{"ab 日本語", 5, []string{"ab 日", "本語"}},
		{"👩‍💻 code", 6, []string{"👩‍💻", "code"}},
		// Code is cut with "…", whole runes only; narrow blocks lose the indent.
		{"```\n日本語のコード\n```", 14, []string{"    日本語の…"}},
		{"```\n日本語のコード\n```", 11, []string{"日本語のコ…"}},
	} {
		got := New(termenv.Ascii, true, tc.width).render(tc.src)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q at %d: (-want +got)\n%s", tc.src, tc.width, diff)
		}
	}
}

// TestSixteenColours: the 16-colour profile writes only 16-colour SGR
// sequences; the others write their own kind.
func TestSixteenColours(t *testing.T) {
	for _, dark := range []bool{true, false} {
		out := strings.Join(New(termenv.ANSI, dark, 60).render(richDoc), "\n")
		if !strings.Contains(out, "\x1b[") {
			t.Fatalf("dark=%v: no colour at all", dark)
		}
		for _, bad := range []string{"38;5;", "38;2;", "48;"} {
			if strings.Contains(out, bad) {
				t.Errorf("dark=%v: 16-colour output has %q", dark, bad)
			}
		}
		if got := strings.Join(New(termenv.ANSI256, dark, 60).render(richDoc), "\n"); !strings.Contains(got, "38;5;") || strings.Contains(got, "38;2;") {
			t.Errorf("dark=%v: 256-colour output lacks 38;5 or has 38;2", dark)
		}
		if got := strings.Join(New(termenv.TrueColor, dark, 60).render(richDoc), "\n"); !strings.Contains(got, "38;2;") || strings.Contains(got, "38;5;") {
			t.Errorf("dark=%v: true-colour output lacks 38;2 or has 38;5", dark)
		}
	}
}

// TestThemes: light and dark differ in colour, not in text.
func TestThemes(t *testing.T) {
	dark := New(termenv.ANSI256, true, 60).render(richDoc)
	light := New(termenv.ANSI256, false, 60).render(richDoc)
	if cmp.Equal(dark, light) {
		t.Error("light and dark themes render the same")
	}
	if diff := cmp.Diff(stripAll(dark), stripAll(light)); diff != "" {
		t.Errorf("themes lay text out differently: (-dark +light)\n%s", diff)
	}
}

// TestColourLayout: colour changes the marks, not the layout of code,
// tables and breaks; every coloured line ends its styles.
func TestColourLayout(t *testing.T) {
	src := "| a | b |\n|---|---|\n| 1 | 2 |\n\n```go\nx := 1\n```"
	got := stripAll(New(termenv.TrueColor, true, 30).render(src))
	want := []string{"a │ b", "──┼──", "1 │ 2", "", "  x := 1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, l := range New(termenv.ANSI256, true, 40).render(richDoc) {
		if i := strings.LastIndex(l, "\x1b["); i >= 0 && !strings.HasPrefix(l[i:], reset) {
			t.Errorf("line leaves a style open: %q", l)
		}
	}
}

func stripAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Strip(l)
	}
	return out
}

// TestNeverFails: control characters, invalid UTF-8 and escape sequences
// in the input come out as text without them.
func TestNeverFails(t *testing.T) {
	src := "a\x1b[31mred\x1b[0m \xff\xfe b\x00c\r\n\u0085d &#27;[2J"
	for _, p := range profiles {
		got := New(p, true, 40).Render(src)
		if len(got) == 0 {
			t.Fatalf("%v: nothing rendered", p)
		}
		for _, l := range got {
			if p == termenv.Ascii && strings.ContainsRune(l, '\x1b') {
				t.Errorf("%v: escape from the input: %q", p, l)
			}
			if strings.Contains(ansi.Strip(l), "\x1b") || strings.ContainsAny(l, "\x00\r\u0085") {
				t.Errorf("%v: control character from the input: %q", p, l)
			}
		}
	}
	if got := New(termenv.Ascii, true, 40).plain("one two\n\nthree"); !cmp.Equal(got, []string{"one two", "", "three"}) {
		t.Errorf("plain fallback = %q", got)
	}
}

// TestCodeTabStops: a tab in code moves to the next tab stop, so columns
// aligned with tabs stay aligned, across highlighted tokens, with wide
// runes, and when a line is cut in the middle of a tab.
func TestCodeTabStops(t *testing.T) {
	src := "```go\nname\tsize\nab\t1\nabcdef\t2 // c\nx := 1\t// one\n名前\tz\n\tab\tc\n```"
	want := []string{
		"name    size",
		"ab  1",
		"abcdef  2 // c",
		"x := 1  // one",
		"名前    z",
		"    ab  c",
	}
	for _, p := range profiles {
		indent := spaces(2)
		if p == termenv.Ascii {
			indent = spaces(4)
		}
		got := stripAll(New(p, true, 40).render(src))
		for i := range got {
			got[i] = strings.TrimPrefix(got[i], indent)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("profile %v: (-want +got)\n%s", p, diff)
		}
	}
	got := New(termenv.Ascii, true, 4+10).render("```\nabcdefgh\txy\n```")
	if diff := cmp.Diff([]string{"    abcdefgh …"}, got); diff != "" {
		t.Errorf("cut in a tab: (-want +got)\n%s", diff)
	}
}
