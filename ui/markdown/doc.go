// Package markdown renders Markdown as terminal lines: a Renderer made
// with New for a colour profile, a dark or light background and a width
// turns a model's answer into lines no wider than the width (unless
// asked to keep long URLs whole: WholeURLs), with no blank lines at
// either end.
//
// # Design
//
// The text is parsed by goldmark's core parser (CommonMark) plus two small
// parsers of our own for GFM tables (a paragraph transformer) and
// strikethrough (a delimiter), and task list items are recognised while
// rendering. goldmark's extension package is not used: its package
// initialisation (regular expressions for autolinks, HTML attribute
// filters) costs every program that links it 1–4 ms, and aiex's --help
// 1.5 MiB more memory. So bare URLs (GFM's autolink literals) are shown as
// written, not as links; terminals find them themselves. The parser is
// built on first use; the package does nothing at initialisation.
//
// Before it is parsed, the text goes through tame (tame.go), which
// escapes the marks of the few shapes goldmark parses in more than linear
// time: containers nested past 16 on a line (an answer of a million ">"
// took minutes), brackets nested past 16, links, titles and code spans
// that nothing closes. Their marks are then shown as text; Markdown of
// any ordinary shape goes through unchanged (TestTameLeavesMarkdownAlone),
// and each shape renders a megabyte in milliseconds (BenchmarkPathological).
//
// The tree is rendered block by block. A block renders to lines at a
// width; a container (list item, quote) renders its children at its width
// minus its prefix and prefixes their lines. Quotes nested in a quote
// alone (> > > …) are prefixed together, once, and their bars stop where
// the text would get narrower than 20 cells (half the width on narrow
// screens): text quoted 200 deep renders about as fast as text quoted
// once (BenchmarkDeepQuotes), where prefixing each level in turn would
// copy every line once a level, and bars filling the width would leave
// the text a character a line. Inline text is laid out by a
// word wrapper that measures cells (wide runes count two, a grapheme
// cluster such as an emoji sequence is never split) and breaks words
// longer than a line between clusters. Every line opens and closes its own
// SGR sequences, so any line can be prefixed or cut alone. Code is not
// wrapped: each line is cut to the width with "…", tabs expanded to stops
// every four columns.
//
// A URL (a link's destination, an autolink, a link whose text is its
// address, and a word of plain text with "://" or starting "www.") is not
// broken where it can be helped, so that a
// terminal sees it whole: the word holding it starts a new line when it
// does not fit on the current one, and only a URL wider than a whole line
// is broken. With the WholeURLs option even that one stays whole, on a
// line of its own wider than the width, for output printed to a terminal
// that wraps it softly; a full-screen view, whose lines must fit, goes
// without.
//
// HTML is shown as it is written, dimmed, except <br>, which breaks the
// line (answers put it in table cells, where a cell cannot hold a line
// break otherwise). A link's destination is shown as the address it
// stands for: escapes and character references resolved, white space
// percent-encoded (%20).
//
// Top-level blocks are separated by one blank line; inside list items,
// blocks and items are separated only where the source has a blank line.
// Ordered items count up from the first one's number, as CommonMark says
// ("1. 1. 1." reads 1, 2, 3). So a document rendered in pieces cut at
// blank lines outside code, the pieces joined by blank lines, gives the
// lines of the whole (a streaming view renders each completed piece
// once). Exceptions: a list item or HTML block that goes on past a blank
// line, and a loose ordered list whose items are not numbered by counting.
//
// Under termenv.Ascii no escape sequence is written: headings keep their
// "#" marks, emphasis, code and strikethrough their Markdown marks, lists
// use "-", quotes ">", tables "|" and "-+-", code is indented four spaces.
// With colour, the 16-colour profile uses only the 16 basic colours (each
// code class has its own), 256 colours the xterm palette, true colour the
// same colours as RGB; there are palettes for dark and light backgrounds.
//
// Code tagged go or golang is highlighted with the standard library's
// go/scanner (keywords, strings, comments, numbers, predeclared names,
// names of declared functions and methods); elixir, ex, exs and iex with
// the hand-written lexer the code index uses too, app/parse/exlex
// (comments, strings, charlists, heredocs and sigils with the interpolated
// code highlighted, atoms and keyword keys, numbers, @attributes, module
// names, reserved words, names after def/defp…).
// The tree-sitter Elixir grammar the code index uses was the other choice:
// it parses at ~3 MB/s through cgo and would need a tree walk per block; a
// lexer runs at tens of MB/s, needs no grammar tables, and handles the
// incomplete code a streamed answer has. Both highlighters never fail:
// text that does not lex stays plain, and an unterminated string runs to
// the end of the block. Other languages are shown plain.
//
// # Measured
//
// On 2 shared (loaded) cores, ~20 KB documents of one kind, width 118,
// 256 colours (Ascii in brackets), ranges over runs; glamour (dark style,
// terminal256 highlighting) on the same documents in the same runs:
//
//	              this package            glamour
//	prose          7–12 MB/s  (6–15)      0.5 MB/s
//	lists           4–5 MB/s  (2–4)       0.09 MB/s
//	tables          3–8 MB/s  (3–7)       0.5–0.6 MB/s
//	Go code       13–18 MB/s  (21–41)     0.12 MB/s
//	Elixir code   20–28 MB/s  (43–60)     0.12 MB/s
//
// About half of the time for prose and lists is goldmark's parse. New
// costs ~8 µs. The package's own initialisation does not show in
// GODEBUG=inittrace=1 (TestInitCost checks it, and that glamour, chroma,
// bluemonday and goldmark's extensions are not linked); the goldmark core
// packages it imports cost ~0.4 ms and are linked by the rest of the
// program already.
package markdown
