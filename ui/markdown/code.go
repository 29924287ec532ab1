package markdown

import (
	"go/scanner"
	"go/token"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// hlSpan gives bytes [start, end) of a code block a style. A block's
// spans are in order and do not overlap.
type hlSpan struct {
	start, end int
	st         style
}

// highlight returns the spans of code in a language ("" for none).
func highlight(lang, code string) []hlSpan {
	switch lang {
	case "go", "golang":
		return goSpans(code)
	case "elixir", "ex", "exs", "iex":
		return elixirSpans(code)
	}
	return nil
}

// code renders a code block: indented, highlighted, each line cut to the
// width with "…" (code is not wrapped).
func (r *Renderer) code(lang, code string, width int) []string {
	indent := 2
	if r.st.plain() {
		indent = 4
	}
	if width < indent+8 {
		indent = 0
	}
	var spans []hlSpan
	if !r.st.plain() {
		spans = highlight(lang, code)
	}
	return r.codeLines(code, spans, indent, width, 0)
}

// codeLines lays code out as lines of at most width cells after indent
// spaces; text outside spans is in style base.
func (r *Renderer) codeLines(code string, spans []hlSpan, indent, width int, base style) []string {
	code = strings.TrimSuffix(code, "\n")
	if code == "" {
		return nil
	}
	avail := width - indent
	lines := make([]string, 0, strings.Count(code, "\n")+1)
	var b strings.Builder
	si := 0
	for off := 0; off <= len(code); {
		e := strings.IndexByte(code[off:], '\n')
		if e < 0 {
			e = len(code)
		} else {
			e += off
		}
		line := code[off:e]
		if strings.TrimRight(line, " \t") == "" {
			lines = append(lines, "")
		} else {
			b.Reset()
			b.WriteString(spaces(indent))
			r.codeLine(&b, line, off, spans, &si, avail, base)
			lines = append(lines, b.String())
		}
		off = e + 1
	}
	return lines
}

// tabStop is the distance between tab stops in code.
const tabStop = 4

// codeLine writes one line of code starting at byte off of the block,
// tabs expanded to the next tab stop, cut to avail cells with "…".
func (r *Renderer) codeLine(b *strings.Builder, line string, off int, spans []hlSpan, si *int, avail int, base style) {
	room := avail
	if lineWidth(line) > avail {
		room = avail - 1
	}
	col, full := 0, true
	for pos := 0; pos < len(line) && full; {
		// The style at pos and where it changes.
		st, end := base, len(line)
		for *si < len(spans) && spans[*si].end <= off+pos {
			*si++
		}
		if *si < len(spans) {
			s := spans[*si]
			if s.start <= off+pos {
				st, end = s.st, min(s.end-off, len(line))
			} else {
				end = min(s.start-off, len(line))
			}
		}
		q := r.st.seq(st)
		b.WriteString(q)
		var n int
		n, full = writeCells(b, line[pos:end], col, room)
		col, room = col+n, room-n
		if q != "" {
			b.WriteString(reset)
		}
		pos = end
	}
	if !full {
		b.WriteString("…")
	}
	// Spans that end on this line are done.
	for *si < len(spans) && spans[*si].end <= off+len(line) {
		*si++
	}
}

// lineWidth is the width of a line of code, tabs expanded.
func lineWidth(line string) int {
	w := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == '\t':
			w += tabStop - w%tabStop
			i++
		case c >= 0x80:
			g, cw := ansi.FirstGraphemeCluster(line[i:], ansi.GraphemeWidth)
			w += cw
			i += max(len(g), 1)
		default:
			w++
			i++
		}
	}
	return w
}

// writeCells writes s, which starts at column col of its line, tabs
// expanded to the next tab stop, up to room cells; it returns the cells
// written and whether all of s fit.
func writeCells(b *strings.Builder, s string, col, room int) (int, bool) {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\t':
			tab := tabStop - (col+w)%tabStop
			n := max(min(tab, room-w), 0)
			b.WriteString(spaces(n))
			w += n
			if n < tab {
				return w, false
			}
			i++
		case c < 0x80:
			j := i
			for j < len(s) && s[j] < 0x80 && s[j] != '\t' && w+(j-i) < room {
				j++
			}
			b.WriteString(s[i:j])
			w += j - i
			i = j
			if i < len(s) && s[i] < 0x80 && s[i] != '\t' && w >= room {
				return w, false
			}
		default:
			g, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
			if len(g) == 0 {
				g = s[i : i+1]
			}
			if w+cw > room {
				return w, false
			}
			b.WriteString(g)
			w += cw
			i += len(g)
		}
	}
	return w, true
}

// goSpans highlights Go with the standard library's scanner: keywords,
// strings, comments, numbers, predeclared names and the names of declared
// functions and methods. Text that does not scan is left plain.
func goSpans(code string) []hlSpan {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	var s scanner.Scanner
	s.Init(file, []byte(code), func(token.Position, string) {}, scanner.ScanComments)
	var spans []hlSpan
	add := func(start, n int, st style) {
		if n > 0 && start+n <= len(code) {
			spans = append(spans, hlSpan{start, start + n, st})
		}
	}
	// Declared function names: func Name, func (recv) Name(.
	const (
		none = iota
		afterFunc
		inRecv
		afterRecv
	)
	state, depth, cand, candLen := none, 0, -1, 0
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if cand >= 0 {
			if tok == token.LPAREN || tok == token.LBRACK {
				add(cand, candLen, colFunc)
			}
			cand = -1
		}
		switch state {
		case afterFunc:
			state = none
			switch tok {
			case token.IDENT:
				add(off, len(lit), colFunc)
				continue
			case token.LPAREN:
				state, depth = inRecv, 1
			}
		case inRecv:
			switch tok {
			case token.LPAREN:
				depth++
			case token.RPAREN:
				if depth--; depth == 0 {
					state = afterRecv
				}
			}
		case afterRecv:
			state = none
			if tok == token.IDENT && goPredeclared(lit) == 0 {
				cand, candLen = off, len(lit)
				continue
			}
		}
		switch {
		case tok == token.COMMENT:
			add(off, len(lit), colComment|stItalic)
		case tok == token.STRING || tok == token.CHAR:
			add(off, len(lit), colString)
		case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
			add(off, len(lit), colNumber)
		case tok.IsKeyword():
			add(off, len(tok.String()), colKeyword)
			if tok == token.FUNC {
				state = afterFunc
			}
		case tok == token.IDENT:
			switch goPredeclared(lit) {
			case 't':
				add(off, len(lit), colType)
			case 'f':
				add(off, len(lit), colFunc)
			case 'c':
				add(off, len(lit), colConst)
			}
		}
	}
	return spans
}

// goPredeclared classifies Go's predeclared identifiers: 't' a type, 'f'
// a builtin function, 'c' a constant, 0 anything else.
func goPredeclared(name string) byte {
	switch name {
	case "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16",
		"int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any",
		"comparable":
		return 't'
	case "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min",
		"new", "panic", "print", "println", "real", "recover":
		return 'f'
	case "true", "false", "nil", "iota":
		return 'c'
	}
	return 0
}
