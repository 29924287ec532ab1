package markdown

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// span is a run of text in one style.
type span struct {
	text string
	st   style
}

// wrapper lays runs of styled text out as lines of at most width cells,
// breaking at white space (runs of it become one space) and, for a word
// longer than a line, between grapheme clusters. A word holding a URL
// that does not fit on the line starts the next one; it is broken only
// if it is wider than a whole line, and not even then with wholeURLs,
// where it makes a line of its own wider than the width. Each line it
// makes starts and ends in plain text: it can be prefixed or cut on its
// own.
type wrapper struct {
	st        *styler
	width     int
	hang      int  // lines after the first start with this many spaces
	wholeURLs bool // a URL wider than a line is not broken
	lines     []string
	widths    []int // of lines

	line  []span // the line being filled
	lineW int
	word  []span // the word being read (runs not separated by space)
	wordW int
	// inURL says the text being added is part of a URL; wordURL that the
	// word being read holds some.
	inURL, wordURL bool
	// over is set when a grapheme wider than the line had to be placed.
	over bool
	// wide is set while the line being filled holds a URL wider than a
	// line; such lines are listed in wideLines (indexes in lines).
	wide      bool
	wideLines []int
	buf       strings.Builder
}

func (w *wrapper) reset(width, hang int) {
	w.width, w.hang = max(width, 1), hang
	if w.hang >= w.width {
		w.hang = 0
	}
	w.lines, w.widths = nil, nil
	w.line, w.word = w.line[:0], w.word[:0]
	w.lineW, w.wordW = 0, 0
	w.inURL, w.wordURL = false, false
	w.over, w.wide, w.wideLines = false, false, nil
}

// avail is the width of the line being filled.
func (w *wrapper) avail() int {
	if len(w.lines) > 0 {
		return w.width - w.hang
	}
	return w.width
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// add appends text in style st.
func (w *wrapper) add(text string, st style) {
	for len(text) > 0 {
		i := 0
		for i < len(text) && !isSpace(text[i]) {
			i++
		}
		if i > 0 {
			w.word = append(w.word, span{text[:i], st})
			w.wordW += cellWidth(text[:i])
			w.wordURL = w.wordURL || w.inURL || looksLikeURL(text[:i])
		}
		if i == len(text) {
			return
		}
		w.endWord()
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		text = text[i:]
	}
}

// looksLikeURL reports whether a word written in plain text holds an
// address a terminal would open: it has a scheme's "://", or starts with
// "www.". Such a bare URL is shown as written, not as a link (GFM's
// autolink literals would need goldmark's extension package, whose
// start-up cost every command would pay), but it is not broken either.
func looksLikeURL(word string) bool {
	return strings.Contains(word, "://") || strings.HasPrefix(word, "www.")
}

// addURL appends a URL (which has no white space) in style st: the word
// holding it is not broken where it can be helped.
func (w *wrapper) addURL(url string, st style) {
	w.inURL = true
	w.add(url, st)
	w.inURL = false
}

// space ends the word being read.
func (w *wrapper) space() { w.endWord() }

// endWord places the word read so far on the line, or on the next.
func (w *wrapper) endWord() {
	if len(w.word) == 0 {
		return
	}
	if w.lineW > 0 && w.lineW+1+w.wordW > w.avail() {
		if w.wordW <= w.avail() || w.wordURL || w.avail()-w.lineW-1 < 2 {
			w.flush()
		}
	}
	if w.lineW > 0 {
		sp := style(0)
		if last := w.line[len(w.line)-1].st; last == w.word[0].st {
			sp = last
		}
		w.line = append(w.line, span{" ", sp})
		w.lineW++
	}
	switch {
	case w.lineW+w.wordW <= w.avail():
		w.line = append(w.line, w.word...)
		w.lineW += w.wordW
	case w.wordURL && w.wholeURLs:
		// The line is empty: the word was flushed to a line of its own.
		// The next word flushes it, as it does not fit after.
		w.line = append(w.line, w.word...)
		w.lineW += w.wordW
		w.wide = true
	default:
		w.breakWord()
	}
	w.word, w.wordW, w.wordURL = w.word[:0], 0, false
}

// breakWord places a word too long for the line, filling lines cluster
// by cluster.
func (w *wrapper) breakWord() {
	for _, sp := range w.word {
		s, start := sp.text, 0
		for i := 0; i < len(s); {
			n, cw := 1, 1
			if s[i] >= 0x80 {
				var g string
				g, cw = ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
				n = max(len(g), 1)
			}
			if w.lineW+cw > w.avail() {
				if w.lineW == 0 {
					w.over = true
				} else {
					if i > start {
						w.line = append(w.line, span{s[start:i], sp.st})
					}
					w.flush()
					start = i
					w.over = w.over || cw > w.avail() // wider than a whole line
				}
			}
			w.lineW += cw
			i += n
		}
		if len(s) > start {
			w.line = append(w.line, span{s[start:], sp.st})
		}
	}
}

// hardBreak ends the line.
func (w *wrapper) hardBreak() {
	w.endWord()
	w.flush()
}

// flush makes the line being filled a line of output.
func (w *wrapper) flush() {
	b := &w.buf
	b.Reset()
	lw := w.lineW
	if len(w.lines) > 0 && w.hang > 0 && len(w.line) > 0 {
		b.WriteString(spaces(w.hang))
		lw += w.hang
	}
	writeSpans(b, w.st, w.line)
	if w.wide {
		w.wideLines = append(w.wideLines, len(w.lines))
		w.wide = false
	}
	w.lines = append(w.lines, b.String())
	w.widths = append(w.widths, lw)
	w.line, w.lineW = w.line[:0], 0
}

// finish returns the lines made.
func (w *wrapper) finish() []string {
	w.endWord()
	if len(w.line) > 0 {
		w.flush()
	}
	return w.lines
}

// writeSpans writes runs with the sequences that start and end their
// styles.
func writeSpans(b *strings.Builder, st *styler, spans []span) {
	cur, open := style(0), false
	for _, sp := range spans {
		if sp.st != cur {
			if open {
				b.WriteString(reset)
				open = false
			}
			if q := st.seq(sp.st); q != "" {
				b.WriteString(q)
				open = true
			}
			cur = sp.st
		}
		b.WriteString(sp.text)
	}
	if open {
		b.WriteString(reset)
	}
}

// cellWidth is the width of s in terminal cells.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

const manySpaces = "                                                                                "

// spaces returns n spaces.
func spaces(n int) string {
	if n <= len(manySpaces) {
		return manySpaces[:n]
	}
	return strings.Repeat(" ", n)
}
