package markdown

import "strings"

// goldmark's parser is linear in the size of ordinary text, but not of
// every text: some shapes make it do work in the square of their size,
// and a model's answer can have any shape (an answer of a million ">"
// took goldmark minutes). tame rewrites those shapes before the parser
// sees them, by backslash-escaping the marks that would build them up,
// which shows the marks as text; ordinary Markdown is left as it is.
//
//   - Containers opened on one line: "> > > …", "- - - …", "1. 1. …"
//     each open a block inside the one before, and goldmark's work for a
//     line grows with the square of the blocks it opens. A line may open
//     maxNesting of them; the marks after that are text. Containers kept
//     open from line to line must be continued on each line, by a ">" or
//     by indentation (two columns or more for a list item), so counting
//     those too (indentation at two columns a level) bounds how deep the
//     blocks of any line go: maxPrefixDepth. That bound is higher, for
//     code indented deep in a fenced block (YAML), which is not marks; in
//     a fenced block it is the only one (its ">" and "-" may be code).
//   - Link brackets: goldmark looks each closing "]" up as a reference,
//     copying up to 999 bytes of label, so [[[[…]]]] costs a thousand
//     times its size. At most maxNesting brackets are open at once.
//   - Link destinations and titles are read to the end of the word, the
//     line or the paragraph when nothing ends them: "[a](b[a](b…" and
//     "[a](b (x [a](b (x …" read the rest of it again for each link. A
//     word may hold maxLinksInWord links, and a title's "(" is text when
//     no ")" comes within maxTitle bytes; likewise "<" opening a
//     destination without a ">" on the line within maxTitle.
//   - Code spans: an opening run of backticks with no closing run of its
//     length reads the rest of the paragraph; with runs of many lengths
//     that is the square root of the size times the size. Runs longer
//     than maxTickRun are text.
//   - Link reference definitions: goldmark removes each from its
//     paragraph by copying the lines after it. A blank line goes between
//     definitions every maxRefRun of them (definitions show nothing, so
//     nothing changes on the screen).
//
// tame looks at each byte a bounded number of times, and returns src
// itself when nothing needs escaping.
const (
	maxNesting     = 16
	maxPrefixDepth = 64
	maxLinksInWord = 32
	maxTitle       = 2048
	maxTickRun     = 32
	maxRefRun      = 256
)

// tamer collects where tame inserts text: a backslash before the byte at
// each position of esc, a line break before each position of breaks.
type tamer struct {
	src    string
	esc    []int
	breaks []int
}

// tame returns src with the shapes goldmark cannot parse in linear time
// escaped (see above).
func tame(src string) string {
	t := tamer{src: src}
	var fenceChar byte
	fenceLen := 0
	unit := -1 // where the run of non-blank lines being read starts
	refs := 0  // link reference definitions in a row at the start of unit
	for pos := 0; pos < len(src); {
		end := strings.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += pos
		}
		body := pos + t.prefix(pos, end, fenceChar != 0)
		content := src[body:end]
		next := end + 1
		switch {
		case fenceChar != 0:
			if closesFenceOf(content, fenceChar, fenceLen) {
				fenceChar = 0
			}
		case isBlankLine(content):
			t.inlines(unit, pos)
			unit, refs = -1, 0
		default:
			if c, n := fenceOf(content); n > 0 {
				t.inlines(unit, pos)
				unit, refs = -1, 0
				fenceChar, fenceLen = c, n
				break
			}
			if unit < 0 {
				unit = pos
			}
			if body == pos && refs >= 0 && unit >= 0 && isRefDef(content) {
				if refs++; refs > maxRefRun {
					t.inlines(unit, pos)
					t.breaks = append(t.breaks, pos)
					unit, refs = pos, 1
				}
			} else {
				refs = -1 // definitions only count at the start of a paragraph
			}
		}
		pos = next
	}
	if fenceChar == 0 {
		t.inlines(unit, len(src))
	}
	return t.build()
}

// build is src with the insertions made.
func (t *tamer) build() string {
	if len(t.esc) == 0 && len(t.breaks) == 0 {
		return t.src
	}
	var b strings.Builder
	b.Grow(len(t.src) + len(t.esc) + len(t.breaks))
	last, i, j := 0, 0, 0
	for i < len(t.esc) || j < len(t.breaks) {
		at, s := 0, ""
		if j >= len(t.breaks) || i < len(t.esc) && t.esc[i] < t.breaks[j] {
			at, s = t.esc[i], `\`
			i++
		} else {
			at, s = t.breaks[j], "\n"
			j++
		}
		b.WriteString(t.src[last:at])
		b.WriteString(s)
		last = at
	}
	b.WriteString(t.src[last:])
	return b.String()
}

// prefix scans the container marks at the start of the line src[pos:end]
// (">", list items, indentation), escapes those past the limits, and
// returns the length of the prefix. In a code block (as far as tame
// tells) only maxPrefixDepth counts: the marks may be code.
func (t *tamer) prefix(pos, end int, code bool) int {
	line := t.src[pos:end]
	marks, cols := 0, 0 // marks opened; columns of indentation not part of a mark
	limit := maxNesting
	if code {
		limit = maxPrefixDepth
	}
	col, free := 0, false
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			w := 1
			if c == '\t' {
				w = 4 - col%4
			}
			col += w
			if free {
				w-- // the space after a mark is the mark's
				free = false
			}
			cols += w
			i++
			continue
		case c == '>':
			if marks >= limit || marks+1+cols/2 > maxPrefixDepth {
				t.esc = append(t.esc, pos+i)
				return i
			}
			marks++
			col++
			i++
			free = true
			continue
		}
		n := listMark(line[i:])
		if n == 0 || isBreak(line[i:]) {
			return i
		}
		if marks >= limit || marks+1+cols/2 > maxPrefixDepth {
			t.esc = append(t.esc, pos+i+n-1) // before "-", or before "." in "12."
			return i
		}
		marks++
		col += n
		i += n
		free = true
	}
	return i
}

// listMark is the length of the list item mark line starts with ("-",
// "*", "+", or up to nine digits and "." or ")"), followed by a space, a
// tab or the end of the line; 0 if it starts with none.
func listMark(line string) int {
	n := 0
	switch c := line[0]; {
	case c == '-' || c == '*' || c == '+':
		n = 1
	case c >= '0' && c <= '9':
		for n < len(line) && n < 9 && line[n] >= '0' && line[n] <= '9' {
			n++
		}
		if n == len(line) || line[n] != '.' && line[n] != ')' {
			return 0
		}
		n++
	default:
		return 0
	}
	if n < len(line) && line[n] != ' ' && line[n] != '\t' {
		return 0
	}
	return n
}

// isBreak says whether line is a thematic break (three or more of one of
// "-", "*", "_", and blanks), which a list mark does not open.
func isBreak(line string) bool {
	c, n := line[0], 0
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case c:
			n++
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return n >= 3
}

func isBlankLine(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' {
			return false
		}
	}
	return true
}

// fenceOf returns the character and length of the code fence content
// opens, or 0, 0.
func fenceOf(content string) (byte, int) {
	t := strings.TrimLeft(content, " ")
	if len(t) < 3 || t[0] != '`' && t[0] != '~' {
		return 0, 0
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 || t[0] == '`' && strings.IndexByte(t[n:], '`') >= 0 {
		return 0, 0
	}
	return t[0], n
}

// closesFenceOf says whether content closes a code fence of n c's.
func closesFenceOf(content string, c byte, n int) bool {
	t := strings.TrimSpace(content)
	if len(t) < n {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != c {
			return false
		}
	}
	return true
}

// isRefDef says whether line is certainly a whole link reference
// definition: "[label]: destination", the label without brackets or
// backslashes, the destination one word without parentheses or "<".
func isRefDef(line string) bool {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 || len(s) < 5 || s[0] != '[' {
		return false
	}
	e := strings.IndexAny(s[1:], "[]\\")
	if e <= 0 || e > 100 || s[1+e] != ']' || strings.TrimSpace(s[1:1+e]) == "" {
		return false
	}
	rest := s[2+e:]
	if len(rest) < 3 || rest[0] != ':' || rest[1] != ' ' && rest[1] != '\t' {
		return false
	}
	dest := strings.TrimSpace(rest[1:])
	return dest != "" && !strings.ContainsAny(dest, " \t()<\\")
}

// inlines escapes, in the paragraph src[from:to] (a run of non-blank
// lines outside code blocks), the inline marks past the limits: long
// backtick runs, brackets nested deeper than maxNesting, links past
// maxLinksInWord in a word, and link titles and destinations that
// nothing closes nearby. Code spans are left alone.
func (t *tamer) inlines(from, to int) {
	if from < 0 || from >= to {
		return
	}
	s := t.src[from:to]
	if !strings.ContainsAny(s, "`[") {
		return
	}
	// closer[k] is where the next run of exactly k backticks after the
	// one being read starts (-1: none); filled from the end.
	type run struct{ at, n int }
	var runs []run
	for i := 0; i < len(s); {
		if s[i] != '`' {
			j := strings.IndexByte(s[i:], '`')
			if j < 0 {
				break
			}
			i += j
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		runs = append(runs, run{i, j - i})
		i = j
	}
	next := make([]int, len(runs)) // index of the run closing runs[i], or -1
	var last [maxTickRun + 1]int
	for k := range last {
		last[k] = -1
	}
	for i := len(runs) - 1; i >= 0; i-- {
		next[i] = -1
		if n := runs[i].n; n <= maxTickRun {
			next[i] = last[n]
			last[n] = i
		}
	}

	depth, links, ri := 0, 0, 0
	// The next ")", ">" and line break at or after i (len(s): none).
	closeParen, closeAngle, lineEnd := -1, -1, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			i++ // an escaped character
		case ' ', '\t', '\n':
			links = 0
		case '`':
			for runs[ri].at+runs[ri].n <= i {
				ri++
			}
			r := runs[ri]
			switch {
			case r.n > maxTickRun:
				for k := i - r.at; k < r.n; k++ {
					t.esc = append(t.esc, from+r.at+k)
				}
			case r.at == i && next[ri] >= 0:
				// A code span: nothing in it is a mark.
				r = runs[next[ri]]
				ri = next[ri]
			}
			i = r.at + r.n - 1
		case '[':
			if depth >= maxNesting {
				t.esc = append(t.esc, from+i)
				continue
			}
			depth++
		case ']':
			if i+1 < len(s) && s[i+1] == '(' {
				if links++; links > maxLinksInWord {
					t.esc = append(t.esc, from+i)
					continue
				}
				if i+2 < len(s) && s[i+2] == '<' {
					if closeAngle < i+2 {
						closeAngle = indexFrom(s, i+2, '>')
					}
					if lineEnd < i+2 {
						lineEnd = indexFrom(s, i+2, '\n')
					}
					if closeAngle-(i+2) > maxTitle || closeAngle > lineEnd {
						t.esc = append(t.esc, from+i+2)
					}
				}
			}
			depth = max(depth-1, 0)
		case '(':
			// A title's "(" comes after the destination and a blank.
			if i == 0 || s[i-1] != ' ' && s[i-1] != '\t' && s[i-1] != '\n' {
				continue
			}
			if closeParen < i {
				closeParen = indexFrom(s, i, ')')
			}
			if closeParen-i > maxTitle {
				t.esc = append(t.esc, from+i)
			}
		}
	}
}

// indexFrom is the index of the first c in s at or after from, or len(s).
func indexFrom(s string, from int, c byte) int {
	if j := strings.IndexByte(s[from:], c); j >= 0 {
		return from + j
	}
	return len(s)
}
