package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// inlines adds the inline children of n to w in style st.
func (r *Renderer) inlines(w *wrapper, n ast.Node, st style) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.inline(w, c, st)
	}
}

// withColour replaces st's colour.
func withColour(st, col style) style { return st&^colMask | col }

// inline adds one inline node. Under the Ascii profile, emphasis, code
// and strikethrough keep their Markdown marks.
func (r *Renderer) inline(w *wrapper, n ast.Node, st style) {
	plain := r.st.plain()
	switch n := n.(type) {
	case *ast.Text:
		seg := n.Segment
		if seg.Stop > r.skipFrom && seg.Start < r.skipTo {
			if seg.Start < r.skipFrom {
				seg.Stop = r.skipFrom
			} else {
				seg.Start = min(r.skipTo, seg.Stop)
			}
		}
		s := r.src[seg.Start:seg.Stop]
		if !n.IsRaw() {
			s = unescape(s)
		}
		w.add(s, st)
		switch {
		case n.HardLineBreak():
			w.hardBreak()
		case n.SoftLineBreak():
			w.space()
		}
	case *ast.String:
		w.add(string(n.Value), st)
	case *ast.CodeSpan:
		cst := withColour(st, colCode)
		if plain {
			w.add("`", cst)
		}
		inCell := inTableCell(n)
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			var s string
			switch t := c.(type) {
			case *ast.Text:
				s = r.src[t.Segment.Start:t.Segment.Stop]
			case *ast.String:
				s = string(t.Value)
			}
			if inCell {
				// In a table, \| is how a cell holds a pipe, in code too.
				s = strings.ReplaceAll(s, `\|`, "|")
			}
			w.add(s, cst)
		}
		if plain {
			w.add("`", cst)
		}
	case *ast.Emphasis:
		mark, attr := "*", stItalic
		if n.Level >= 2 {
			mark, attr = "**", stBold
		}
		r.marked(w, n, st|attr, mark)
	case *strikeNode:
		r.marked(w, n, st|stStrike, "~~")
	case *ast.Link:
		lst := withColour(st|stUnderline, colLink)
		dest := linkURL(n.Destination)
		if dest != "" && dest == r.plainText(n) {
			// The text is the address: it is not broken either.
			w.inURL = true
			r.inlines(w, n, lst)
			w.inURL = false
			return
		}
		r.inlines(w, n, lst)
		if dest != "" {
			w.space()
			w.addURL("("+dest+")", withColour(st, colURL))
		}
	case *ast.AutoLink:
		// <https://…>, <a@b.dev>.
		w.addURL(string(n.Label([]byte(r.src))), withColour(st|stUnderline, colLink))
	case *ast.Image:
		w.add("image:", withColour(st, colDim))
		w.space()
		r.inlines(w, n, withColour(st, colLink))
		if len(n.Destination) > 0 {
			w.space()
			w.addURL("("+linkURL(n.Destination)+")", withColour(st, colURL))
		}
	case *ast.RawHTML:
		if isBreakTag(r.rawHTML(n)) {
			w.hardBreak()
			return
		}
		for i := 0; i < n.Segments.Len(); i++ {
			s := n.Segments.At(i)
			w.add(r.src[s.Start:s.Stop], withColour(st, colDim))
		}
	default:
		r.inlines(w, n, st)
	}
}

// marked adds n's children in style st, between Markdown marks under the
// Ascii profile.
func (r *Renderer) marked(w *wrapper, n ast.Node, st style, mark string) {
	if r.st.plain() {
		w.add(mark, st)
	}
	r.inlines(w, n, st)
	if r.st.plain() {
		w.add(mark, st)
	}
}

// rawHTML is the text of an inline HTML tag.
func (r *Renderer) rawHTML(n *ast.RawHTML) string {
	if n.Segments.Len() == 1 {
		s := n.Segments.At(0)
		return r.src[s.Start:s.Stop]
	}
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		s := n.Segments.At(i)
		b.WriteString(r.src[s.Start:s.Stop])
	}
	return b.String()
}

// isBreakTag reports whether tag is <br>, <br/> or <br />, which answers
// use for a line break (in a table cell, the only way to have one).
func isBreakTag(tag string) bool {
	if len(tag) < 4 || !strings.EqualFold(tag[:3], "<br") || tag[len(tag)-1] != '>' {
		return false
	}
	inner := strings.TrimLeft(tag[3:len(tag)-1], " \t\n")
	return inner == "" || inner == "/"
}

// inTableCell reports whether inline n is in a table cell.
func inTableCell(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock {
			_, ok := p.(*tableCell)
			return ok
		}
	}
	return false
}

// plainText is the text of n's inline children, without marks.
func (r *Renderer) plainText(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			s := r.src[t.Segment.Start:t.Segment.Stop]
			if !t.IsRaw() {
				s = unescape(s)
			}
			b.WriteString(s)
		} else {
			b.WriteString(r.plainText(c))
		}
	}
	return b.String()
}

// linkURL is a link's destination as the address it stands for:
// backslash escapes removed, character references resolved, and white
// space (spaces and tabs are allowed between <>, &#10; is a newline)
// percent-encoded, so that it is one word that can be copied and opened.
func linkURL(dest []byte) string {
	s := unescape(string(dest))
	if !strings.ContainsAny(s, " \t\n\r\f\v") {
		return s
	}
	return strings.NewReplacer(" ", "%20", "\t", "%09", "\n", "%0A", "\r", "%0D", "\f", "%0C", "\v", "%0B").Replace(s)
}

// unescape removes backslash escapes and resolves character references.
func unescape(s string) string {
	if !strings.ContainsAny(s, "\\&") {
		return s
	}
	b := util.UnescapePunctuations([]byte(s))
	b = util.ResolveNumericReferences(b)
	b = util.ResolveEntityNames(b)
	return sanitize(string(b))
}
