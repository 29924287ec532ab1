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
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch t := c.(type) {
			case *ast.Text:
				w.add(r.src[t.Segment.Start:t.Segment.Stop], cst)
			case *ast.String:
				w.add(string(t.Value), cst)
			}
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
		r.inlines(w, n, lst)
		dest := string(n.Destination)
		if dest != "" && dest != r.plainText(n) {
			w.space()
			w.add("("+dest+")", withColour(st, colURL))
		}
	case *ast.AutoLink:
		w.add(string(n.Label([]byte(r.src))), withColour(st|stUnderline, colLink))
	case *ast.Image:
		w.add("image:", withColour(st, colDim))
		w.space()
		r.inlines(w, n, withColour(st, colLink))
		if len(n.Destination) > 0 {
			w.space()
			w.add("("+string(n.Destination)+")", withColour(st, colURL))
		}
	case *ast.RawHTML:
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

// plainText is the text of n's inline children, without marks.
func (r *Renderer) plainText(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			b.WriteString(r.src[t.Segment.Start:t.Segment.Stop])
		} else {
			b.WriteString(r.plainText(c))
		}
	}
	return b.String()
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
