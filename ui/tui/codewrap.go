package tui

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	mdrender "github.com/aiex-dev/aiex/ui/markdown"
)

// Code in an answer is wrapped, not cut. ui/markdown cuts a line of code
// wider than its block with "…" (what it prints to a terminal that wraps
// softly does not need more), and the conversation has no horizontal
// scroll: the end of a long line could not be read. So a fenced code
// block with a line that may not fit is rendered in two parts. Its
// lines, highlighted as the block is, come from a render wide enough for
// the longest; the answer is rendered with each of those lines replaced
// by a placeholder, so that whatever holds the block (a list item, a
// quote) draws its prefix as it does. Each placeholder's line is then
// the highlighted line after that prefix, cut into pieces of the width
// left; the pieces after the first start with ↪ in the code's indent, and
// each piece reopens the style the one before it had open, and closes it.
// A render that does not come out as expected (the placeholders not all
// there, in order) is given up for ui/markdown's.

// Placeholders are private-use runes: U+E000, the line's number in
// digits U+E010…U+E019, U+E001. Answers holding U+E000 are not wrapped.
const (
	phStart = '\uE000'
	phEnd   = '\uE001'
	phDigit = '\uE010'
)

// codeSlack is how many cells more than its source indentation a code
// line's prefix (a list's indent, a quote's bar, the code's own indent)
// is allowed before a block is wrapped: more than the widest it takes.
const codeSlack = 8

// wrapMark starts the continuation of a wrapped line of code.
const wrapMark = "↪"

// render returns src rendered as lines no wider than the width, without
// leading or trailing blank lines; code is wrapped (see above).
func (m *markdown) render(src string) []string {
	src = withoutSkinTones(src)
	if codeMayBeCut(src, m.width) {
		if lines, ok := m.wrapCode(src); ok {
			return lines
		}
	}
	return m.r.Render(src)
}

// codeMayBeCut says, by a quick look, whether src has a fenced code block
// with a line that may be too wide: fences are found after any
// indentation and quote markers, and a line is measured whole.
func codeMayBeCut(src string, width int) bool {
	fence := ""
	for line := range strings.SplitSeq(src, "\n") {
		t := strings.TrimLeft(line, " \t>")
		if fence == "" {
			fence = opensFence(t)
			continue
		}
		if c := strings.TrimSpace(t); len(c) >= len(fence) && strings.Trim(c, fence[:1]) == "" {
			fence = ""
			continue
		}
		if cells(line)+codeSlack > width {
			return true
		}
	}
	return false
}

// cells is how wide a line of source shows, tabs counted at their widest.
func cells(s string) int {
	return xansi.StringWidth(s) + (tabStop-1)*strings.Count(s, "\t")
}

// tabStop is ui/markdown's distance between tab stops in code.
const tabStop = 4

var (
	blockParserOnce sync.Once
	blockParser     parser.Parser
)

// blocks parses Markdown's blocks only: where the code blocks are.
func blocks() parser.Parser {
	blockParserOnce.Do(func() {
		blockParser = parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...))
	})
	return blockParser
}

// wrapCode renders src with its long lines of code wrapped; false when
// there is none, or the render does not come out as expected.
func (m *markdown) wrapCode(src string) ([]string, bool) {
	src = withoutControls(src)
	if strings.ContainsRune(src, phStart) {
		return nil, false
	}
	doc := blocks().Parse(text.NewReader([]byte(src)))
	var b strings.Builder
	var pieces []string // the highlighted line of each placeholder
	last := 0
	ok := true
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fc, isCode := n.(*ast.FencedCodeBlock)
		if !entering || !isCode || !ok {
			return ast.WalkContinue, nil
		}
		lines := fc.Lines()
		if lines.Len() == 0 || !tooWide(src, lines, m.width) {
			return ast.WalkSkipChildren, nil
		}
		var code strings.Builder
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			if s.Padding > 0 || s.Start < last {
				// Tabs in a list's indentation: goldmark pads the line;
				// left as ui/markdown draws it.
				return ast.WalkSkipChildren, nil
			}
			code.WriteString(src[s.Start:s.Stop])
		}
		lang := ""
		if fc.Info != nil {
			info := fc.Info.Segment
			lang = strings.ToLower(strings.Fields(src[info.Start:info.Stop] + " ")[0])
			// The placeholders are not code: not highlighted.
			b.WriteString(src[last:info.Start])
			last = info.Stop
		}
		hl, good := m.highlighted(lang, code.String())
		if !good {
			ok = false
			return ast.WalkStop, nil
		}
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			line := strings.TrimSuffix(src[s.Start:s.Stop], "\n")
			if strings.TrimRight(line, " \t") == "" {
				continue // drawn blank, as it is
			}
			b.WriteString(src[last:s.Start])
			b.WriteString(codePlaceholder(len(pieces)))
			pieces = append(pieces, hl[i])
			last = s.Start + len(line)
		}
		return ast.WalkSkipChildren, nil
	})
	if !ok || len(pieces) == 0 {
		return nil, false
	}
	b.WriteString(src[last:])
	out := m.r.Render(b.String())
	res := make([]string, 0, len(out)+len(pieces))
	next := 0
	for _, l := range out {
		i := strings.IndexRune(l, phStart)
		if i < 0 {
			res = append(res, l)
			continue
		}
		k, good := placeholderAt(l[i:])
		if !good || k != next {
			return nil, false
		}
		next++
		res = append(res, m.wrapLine(l[:i], pieces[k])...)
	}
	return res, next == len(pieces)
}

// tooWide says whether a line of a code block may not fit width: its
// width, where it starts in the source (its container's indentation) and
// codeSlack more.
func tooWide(src string, lines *text.Segments, width int) bool {
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		col := s.Start - (strings.LastIndexByte(src[:s.Start], '\n') + 1)
		if cells(src[s.Start:s.Stop])+col+codeSlack > width {
			return true
		}
	}
	return false
}

// highlighted renders a code block wide enough for its longest line, and
// returns each of its lines highlighted, without the block's indent
// ("" for a blank one).
func (m *markdown) highlighted(lang, code string) ([]string, bool) {
	lines := strings.Split(strings.TrimSuffix(code, "\n"), "\n")
	widest := 0
	for _, l := range lines {
		widest = max(widest, cells(l))
	}
	if !strings.HasSuffix(code, "\n") {
		code += "\n" // the last line of a block still streaming
	}
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	out := mdrender.New(m.profile, m.dark, widest+2*codeSlack).Render(fence + lang + "\n" + code + fence + "\n")
	indent := "  "
	if m.profile == termenv.Ascii {
		indent = "    "
	}
	lead := 0 // blank lines the render leaves out before the first
	for lead < len(lines) && strings.TrimRight(lines[lead], " \t") == "" {
		lead++
	}
	hl := make([]string, len(lines))
	for i, l := range lines {
		if strings.TrimRight(l, " \t") == "" {
			continue
		}
		j := i - lead
		if j < 0 || j >= len(out) || !strings.HasPrefix(out[j], indent) {
			return nil, false
		}
		hl[i] = out[j][len(indent):]
	}
	return hl, true
}

// wrapLine lays out a line of code after prefix (what holds the block,
// and the code's indent) in pieces that fit the width.
func (m *markdown) wrapLine(prefix, code string) []string {
	room := m.width - xansi.StringWidth(prefix)
	if xansi.StringWidth(code) <= room {
		return []string{prefix + code}
	}
	mark := wrapMark
	if m.profile != termenv.Ascii {
		mark = "\x1b[2m" + wrapMark + "\x1b[0m"
	}
	// The mark goes into the code's indent, when there is one.
	cont, contRoom := prefix+mark, room-1
	if p, ok := strings.CutSuffix(prefix, "  "); ok {
		cont, contRoom = p+mark+" ", room
	}
	if room < 2 || contRoom < 2 {
		return []string{xansi.Truncate(prefix+code, m.width, "…")}
	}
	pieces := splitCells(code, room, contRoom)
	out := make([]string, len(pieces))
	for i, p := range pieces {
		if i == 0 {
			out[i] = prefix + p
		} else {
			out[i] = cont + p
		}
	}
	return out
}

// splitCells cuts a line holding SGR sequences into pieces of at most
// first cells, then rest cells. A piece closes the styles open at its
// end, and the next one opens them again; a sequence goes with the text
// after it.
func splitCells(s string, first, rest int) []string {
	var out []string
	var b strings.Builder
	open := ""           // the SGR sequences in force, written
	var pending []string // sequences met since the last text
	flush := func() {
		for _, seq := range pending {
			b.WriteString(seq)
			switch {
			case seq == "\x1b[0m" || seq == "\x1b[m":
				open = ""
			case strings.HasSuffix(seq, "m"):
				open += seq
			}
		}
		pending = pending[:0]
	}
	room, w := first, 0
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			j := i + 1
			if j < len(s) && s[j] == '[' {
				j++
				for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
					j++
				}
				j = min(j+1, len(s))
			}
			pending = append(pending, s[i:j])
			i = j
			continue
		}
		g, cw := xansi.FirstGraphemeCluster(s[i:], xansi.GraphemeWidth)
		if len(g) == 0 {
			_, n := utf8.DecodeRuneInString(s[i:])
			g, cw = s[i:i+n], 1
		}
		if w > 0 && w+cw > room {
			if open != "" {
				b.WriteString("\x1b[0m")
			}
			out = append(out, b.String())
			b.Reset()
			b.WriteString(open)
			room, w = rest, 0
		}
		flush()
		b.WriteString(g)
		w += cw
		i += len(g)
	}
	flush()
	return append(out, b.String())
}

// codePlaceholder is the placeholder of line k.
func codePlaceholder(k int) string {
	var b strings.Builder
	b.WriteRune(phStart)
	for _, d := range []byte(strconv.Itoa(k)) {
		b.WriteRune(phDigit + rune(d-'0'))
	}
	b.WriteRune(phEnd)
	return b.String()
}

// placeholderAt reads the placeholder s starts with.
func placeholderAt(s string) (int, bool) {
	k, digits := 0, 0
	for i, r := range s {
		switch {
		case i == 0:
			if r != phStart {
				return 0, false
			}
		case r >= phDigit && r <= phDigit+9:
			k, digits = 10*k+int(r-phDigit), digits+1
		case r == phEnd:
			return k, digits > 0
		default:
			return 0, false
		}
	}
	return 0, false
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// withoutControls drops what ui/markdown's render drops before it parses
// (control characters but tabs and line ends; invalid UTF-8 becomes
// U+FFFD), so that the blocks found here are the ones it finds.
func withoutControls(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r >= 0x7f && r < 0xa0 {
			return -1
		}
		return r
	}, s)
}
