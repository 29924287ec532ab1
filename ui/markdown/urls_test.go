package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

// TestURLStartsALine: a URL that does not fit on the line starts the
// next one; one wider than a whole line is broken from there.
func TestURLStartsALine(t *testing.T) {
	for _, tc := range []struct {
		width int
		src   string
		want  []string
	}{
		{20, "see https://example.com/a/very/long/path now",
			[]string{"see", "https://example.com/", "a/very/long/path now"}},
		{20, "see [the docs](https://example.com/a/very/long/path).",
			[]string{"see the docs", "(https://example.com", "/a/very/long/path)."}},
		{20, "a word abcdefghijklmnopqrstuvwxyz", []string{"a word abcdefghijklm", "nopqrstuvwxyz"}},
	} {
		got := New(termenv.Ascii, true, tc.width).render(tc.src)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q at %d: (-want +got)\n%s", tc.src, tc.width, diff)
		}
	}
}

// urlDoc has URLs of every kind, in every container, several wider than
// narrow screens.
const urlDoc = "# Links to https://example.com/a/heading/link\n\n" +
	"Read https://hexdocs.pm/elixir/Enum.html#map/2. Then see [the guide](https://hexdocs.pm/elixir/introduction.html), " +
	"<https://example.com/an/autolink/with/a/long/path> and www.example.com/a/b/c/d/e.\n\n" +
	"> Quoted: https://example.com/a/quoted/url/that/is/long\n>\n> - in a list in a quote: www.example.com/list/in/quote/path\n\n" +
	"1. ![a picture](https://example.com/images/a/very/long/name.png)\n" +
	"2. [https://example.com/link/text/is/the/url](https://example.com/link/text/is/the/url)\n\n" +
	"| name | where |\n|---|---|\n| docs | https://example.com/a/table/cell/with/a/url |\n\n" +
	"Mail someone@example.com about `https://not.a/link/in/code`.\n"

// urlDocURLs are the URLs urlDoc shows.
var urlDocURLs = []string{
	"https://example.com/a/heading/link", "https://hexdocs.pm/elixir/Enum.html#map/2",
	"https://hexdocs.pm/elixir/introduction.html", "https://example.com/an/autolink/with/a/long/path",
	"www.example.com/a/b/c/d/e", "https://example.com/a/quoted/url/that/is/long",
	"www.example.com/list/in/quote/path", "https://example.com/images/a/very/long/name.png",
	"https://example.com/link/text/is/the/url", "https://example.com/a/table/cell/with/a/url",
}

// TestWholeURLs: with WholeURLs a URL is never broken: one wider than
// the line is alone on a line wider than the width, which is not cut
// even where other lines are.
func TestWholeURLs(t *testing.T) {
	for _, tc := range []struct {
		width int
		src   string
		want  []string
	}{
		{20, "see https://example.com/a/very/long/path now",
			[]string{"see", "https://example.com/a/very/long/path", "now"}},
		{20, "see [the docs](https://example.com/a/very/long/path).",
			[]string{"see the docs", "(https://example.com/a/very/long/path)."}},
		{20, "Read https://hexdocs.pm/elixir/Enum.html. Then go.",
			[]string{"Read", "https://hexdocs.pm/elixir/Enum.html.", "Then go."}},
		{20, "> - see <https://example.com/a/very/long/path> ok",
			[]string{"> - see", ">   https://example.com/a/very/long/path", ">   ok"}},
		{16, "## Links: www.example.com/a/very/long",
			[]string{"## Links:", "   www.example.com/a/very/long"}},
		{20, "[https://example.com/a/very/long](https://example.com/a/very/long) x",
			[]string{"https://example.com/a/very/long", "x"}},
		{20, "![a cat](https://example.com/a/long/cat.png)",
			[]string{"image: a cat", "(https://example.com/a/long/cat.png)"}},
		{24, "| k | link |\n|---|---|\n| x | https://example.com/a/very/long/path |",
			[]string{"k | link", "--+---------------------", "x | https://example.com/a/very/long/path"}},
		// Other long words are broken as before.
		{20, "a word abcdefghijklmnopqrstuvwxyz", []string{"a word abcdefghijklm", "nopqrstuvwxyz"}},
	} {
		got := New(termenv.Ascii, true, tc.width, WholeURLs()).render(tc.src)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q at %d: (-want +got)\n%s", tc.src, tc.width, diff)
		}
	}

	// A list nested deeper than the width allows has its lines cut, but
	// not the URL's.
	got := New(termenv.Ascii, true, 12, WholeURLs()).render("- - - - - - - x <https://example.com/a/b/c>\n\n  text that is cut")
	if !strings.Contains(strings.Join(got, "\n"), "https://example.com/a/b/c") {
		t.Errorf("URL cut with the deep list: %q", got)
	}
	for _, l := range got {
		if w := ansi.StringWidth(l); w > 12 && !strings.Contains(l, "https://example.com/a/b/c") {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
}

// TestWholeURLWidths: with WholeURLs, at any width, in any profile, every
// URL is shown whole on one line, and the only lines wider than the
// width are those holding a URL wider than the room left for it.
func TestWholeURLWidths(t *testing.T) {
	for _, p := range profiles {
		for width := 1; width <= 70; width++ {
			r := New(p, true, width, WholeURLs())
			lines := r.render(urlDoc + "\n" + richDoc)
			plain := stripAll(lines)
			text := strings.Join(plain, "\n")
			for _, u := range append(urlDocURLs, "https://example.com/a/very/long/path/that/does/not/fit") {
				if !strings.Contains(text, u) {
					t.Errorf("profile %v width %d: %s is not shown whole", p, width, u)
				}
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > width && (!r.holdsWide(l) || !holdsURL(plain[i])) {
					t.Errorf("profile %v width %d: line of %d cells: %q", p, width, w, l)
				}
			}
		}
	}
}

// holdsURL reports whether l holds something that reads as a URL.
func holdsURL(l string) bool {
	return strings.Contains(l, "://") || strings.Contains(l, "www.") || strings.Contains(l, "@")
}
