package session

import (
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// A prompt (the user's text) and an answer (the model's) go into the
// export as they were written, Markdown and all, except for what would
// make the export's own structure: a heading (a line "## Turn 42" would
// read as a turn of the export) or an HTML block (an unclosed "<!--"
// would hide the rest of it). Those are escaped with a backslash, which
// renders them as the text they were written as. Code blocks are left
// alone, and so is a text without such lines: it is written byte for
// byte.

// escapeBlocks escapes the headings and HTML blocks of md at its top level
// (see above).
func escapeBlocks(md string) string {
	src := []byte(md)
	doc := parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...)).Parse(text.NewReader(src))
	var at []int // where a backslash goes
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if i, ok := headingMark(src, n); ok {
				at = append(at, i)
			}
		case *ast.HTMLBlock:
			if n.Lines().Len() > 0 {
				if i := firstNonBlank(src, n.Lines().At(0).Start); i < len(src) && src[i] == '<' {
					at = append(at, i)
				}
			}
		}
	}
	if len(at) == 0 {
		return md
	}
	slices.Sort(at)
	var b strings.Builder
	last := 0
	for _, i := range at {
		b.Write(src[last:i])
		b.WriteByte('\\')
		last = i
	}
	b.Write(src[last:])
	return b.String()
}

// headingMark is where the heading h of src is marked as one: the first #
// of an ATX heading, or the first = or - of a setext heading's underline.
func headingMark(src []byte, h *ast.Heading) (int, bool) {
	lines := h.Lines()
	if lines.Len() == 0 {
		// An ATX heading with no text ("#"): goldmark gives it no
		// segment; it is found by its line.
		return -1, false
	}
	first := lines.At(0)
	start := lineStart(src, first.Start)
	if i := strings.IndexByte(string(src[start:first.Start]), '#'); i >= 0 {
		return start + i, true
	}
	// Setext: the underline is the line after the last line of text.
	last := lines.At(lines.Len() - 1)
	nl := strings.IndexByte(string(src[last.Start:]), '\n')
	if nl < 0 {
		return -1, false
	}
	i := firstNonBlank(src, last.Start+nl+1)
	if i < len(src) && (src[i] == '=' || src[i] == '-') {
		return i, true
	}
	return -1, false
}

// lineStart is the offset of the start of the line offset i is on.
func lineStart(src []byte, i int) int {
	return strings.LastIndexByte(string(src[:i]), '\n') + 1
}

// firstNonBlank is the offset of the first byte from i on that is not a
// space or a tab.
func firstNonBlank(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// escapeTitle is a session's title (its first prompt's first line) as the
// export's heading: its # signs escaped, so that a title "## Turn 42"
// reads as that text, not as a heading's marks.
func escapeTitle(s string) string {
	return strings.ReplaceAll(s, "#", `\#`)
}
