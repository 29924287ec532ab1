package markdown

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Renderer renders Markdown as terminal lines at one width, in one colour
// profile and theme. A Renderer is not safe for concurrent use; make one
// per goroutine (New is cheap).
type Renderer struct {
	width int
	st    *styler
	src   string
	// The bytes of a task list item's check box, not shown as text.
	skipFrom, skipTo int
	// over is set when some line may be wider than the width: a list
	// nested deeper than the width allows, a table too narrow for its
	// columns. Lines are then cut at the end, except those in wide.
	over bool
	// wide holds the lines made wider than the width by a URL (WholeURLs).
	wide []string
	w    wrapper
}

// An Option changes how a Renderer lays text out.
type Option func(*Renderer)

// WholeURLs keeps a URL wider than the width whole, on a line of its own
// wider than the width, instead of breaking it between lines. It is for
// text printed to a terminal, which wraps such a line softly and still
// sees one URL; a full-screen view, whose lines must fit, goes without.
// Either way a URL that does not fit on a line starts the next one.
func WholeURLs() Option {
	return func(r *Renderer) { r.w.wholeURLs = true }
}

// New returns a Renderer for lines of width cells (at least 1), drawing
// with the colours profile allows (none under termenv.Ascii) for a dark
// or light background.
func New(profile termenv.Profile, dark bool, width int, opts ...Option) *Renderer {
	r := &Renderer{width: max(width, 1), st: newStyler(profile, dark)}
	r.w.st = r.st
	for _, o := range opts {
		o(r)
	}
	return r
}

// Render returns src rendered as lines no wider than the width (with
// WholeURLs, but for lines holding a URL wider than it), without leading
// or trailing blank lines. It never fails: input the renderer cannot
// handle comes back as wrapped plain text.
func (r *Renderer) Render(src string) (lines []string) {
	src = sanitize(src)
	defer func() {
		if recover() != nil {
			lines = r.plain(src)
		}
	}()
	return r.render(src)
}

// render is Render without the safety net (tests call it to see panics).
func (r *Renderer) render(src string) []string {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	src = tame(src)
	r.src, r.over, r.wide, r.skipFrom, r.skipTo = src, false, nil, 0, 0
	doc := mdParser().Parse(text.NewReader([]byte(src)))
	out := r.blocks(nil, doc, r.width, false)
	if r.over || r.w.over {
		for i, l := range out {
			if ansi.StringWidth(l) > r.width && !r.holdsWide(l) {
				out[i] = ansi.Truncate(l, r.width, "")
			}
		}
	}
	return trimBlank(out)
}

// holdsWide reports whether l holds a line made wider than the width by
// a URL, which is not cut.
func (r *Renderer) holdsWide(l string) bool {
	for _, w := range r.wide {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// plain wraps src as plain text, line by line.
func (r *Renderer) plain(src string) []string {
	var out []string
	for l := range strings.SplitSeq(src, "\n") {
		if strings.TrimSpace(l) == "" {
			out = append(out, "")
			continue
		}
		r.w.reset(r.width, 0)
		r.w.st = &styler{profile: termenv.Ascii}
		r.w.add(l, 0)
		out = append(out, r.w.finish()...)
		r.w.st = r.st
	}
	return trimBlank(out)
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && isBlank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return nil
	}
	return lines
}

func isBlank(l string) bool {
	for i := 0; i < len(l); i++ {
		if l[i] != ' ' {
			return false
		}
	}
	return true
}

// sanitize drops escape sequences and control characters other than tab
// and newline (an escape sequence in the text would draw instead of
// showing) and
// replaces invalid UTF-8.
func sanitize(s string) string {
	clean, high := true, false
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = (c >= 0x20 || c == '\t' || c == '\n') && c != 0x7f && c != 0xc2
		high = high || c >= 0x80
	}
	clean = clean && (!high || utf8.ValidString(s))
	if clean {
		return s
	}
	// Whole escape sequences go, not only their ESC: "\x1b]0;title\a"
	// would otherwise show as "]0;title". A C1 control (U+009B, CSI) is
	// read as its ESC form, as a terminal that takes C1 would read it.
	s = ansi.Strip(c1AsEscape(strings.ToValidUTF8(s, "\uFFFD")))
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		if c < 0x20 && c != '\t' && c != '\n' || c >= 0x7f && c < 0xa0 {
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// c1AsEscape is s with each C1 control (U+0080 to U+009F) written as the
// escape sequence it stands for (ESC and the character 0x40 below it:
// U+009B is ESC [).
func c1AsEscape(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r < 0xa0 }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0x80 && r < 0xa0 {
			b.WriteByte(0x1b)
			b.WriteRune(r - 0x40)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// blocks renders the block children of parent at width, appending to
// out. Blocks are separated by a blank line; inside a list item, only
// where the source has one (a tight list stays tight).
func (r *Renderer) blocks(out []string, parent ast.Node, width int, inItem bool) []string {
	var prev ast.Node
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		lines := r.block(c, width)
		if len(lines) == 0 {
			continue
		}
		if prev != nil && (!inItem || r.blankBetween(prev, c)) {
			out = append(out, "")
		}
		out = append(out, lines...)
		prev = c
	}
	return out
}

// block renders one block.
func (r *Renderer) block(n ast.Node, width int) []string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		w := r.wrap(width, 0)
		r.inlines(w, n, 0)
		return r.finish(w)
	case *ast.Heading:
		return r.heading(n, width)
	case *ast.ThematicBreak:
		if r.st.plain() {
			return []string{strings.Repeat("-", width)}
		}
		return []string{r.st.seq(colDim) + strings.Repeat("─", width) + reset}
	case *ast.FencedCodeBlock:
		lang := ""
		if n.Info != nil {
			lang = strings.ToLower(strings.Fields(r.src[n.Info.Segment.Start:n.Info.Segment.Stop] + " ")[0])
		}
		return r.code(lang, r.linesText(n), width)
	case *ast.CodeBlock:
		return r.code("", r.linesText(n), width)
	case *ast.Blockquote:
		return r.quote(n, width)
	case *ast.List:
		return r.list(n, width)
	case *ast.HTMLBlock:
		t := r.linesText(n)
		if n.HasClosure() {
			t += r.src[n.ClosureLine.Start:n.ClosureLine.Stop]
		}
		return r.codeLines(t, nil, 0, width, colDim)
	case *tableNode:
		return r.table(n, width)
	}
	if n.Type() != ast.TypeBlock {
		return nil
	}
	if n.HasChildren() {
		return r.blocks(nil, n, width, false)
	}
	return r.codeLines(r.linesText(n), nil, 0, width, 0)
}

// wrap returns the renderer's wrapper, reset for a new block. Blocks
// nest (a list item's paragraphs), but each is wrapped to the end before
// the next starts.
func (r *Renderer) wrap(width, hang int) *wrapper {
	r.w.reset(width, hang)
	return &r.w
}

// finish returns a wrapper's lines.
func (r *Renderer) finish(w *wrapper) []string {
	lines := w.finish()
	r.over = r.over || w.over
	for _, i := range w.wideLines {
		r.wide = append(r.wide, lines[i])
	}
	return lines
}

// heading is "## Title", wrapped under its first word.
func (r *Renderer) heading(n *ast.Heading, width int) []string {
	marks := strings.Repeat("#", n.Level)
	w := r.wrap(width, n.Level+1)
	st := stBold | colHeading
	w.add(marks, st)
	w.space()
	r.inlines(w, n, st)
	return r.finish(w)
}

// minQuoteText is the width, in cells, under which nested quotes do not
// make a quote's text narrower (half the width on narrow screens).
const minQuoteText = 20

// quote prefixes its blocks with a bar. Quotes nested in it alone
// (> > > …) are drawn with it: their blocks get all the bars at once,
// which costs a line its length once rather than once per quote. Bars
// stop where they would leave the text fewer than minQuoteText cells:
// quotes nested deeper than that are drawn with as many bars as fit.
func (r *Renderer) quote(n *ast.Blockquote, width int) []string {
	levels, body := 1, ast.Node(n)
	for c := body.FirstChild(); c != nil && c.NextSibling() == nil; c = body.FirstChild() {
		if _, ok := c.(*ast.Blockquote); !ok {
			break
		}
		levels, body = levels+1, c
	}
	minText := max(min(minQuoteText, r.width/2), 1)
	bars := max(min(levels, (width-minText)/2), 0)
	inner := r.blocks(nil, body, width-2*bars, false)
	if bars == 0 {
		return inner
	}
	bar, end := "> ", ">"
	if !r.st.plain() {
		bar, end = r.st.seq(colDim)+"│"+reset+" ", r.st.seq(colDim)+"│"+reset
	}
	prefix := strings.Repeat(bar, bars)
	empty := prefix[:len(prefix)-len(bar)] + end
	for i, l := range inner {
		if l == "" {
			inner[i] = empty
		} else {
			inner[i] = prefix + l
		}
	}
	return inner
}

// innerWidth is what is left of width after a prefix of pre cells.
func (r *Renderer) innerWidth(width, pre int) int {
	if width-pre < 1 {
		r.over = true
		return 1
	}
	return width - pre
}

// list renders the items with their bullets or numbers; a task item's
// check box takes the bullet's place.
func (r *Renderer) list(l *ast.List, width int) []string {
	depth := 0
	for p := l.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.List); ok {
			depth++
		}
	}
	var out []string
	i := 0
	var prev ast.Node
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		var marker string
		var mst style
		if l.IsOrdered() {
			marker, mst = strconv.Itoa(l.Start+i)+string(l.Marker)+" ", 0
		} else if r.st.plain() {
			marker = "- "
		} else {
			marker, mst = [...]string{"• ", "◦ ", "▪ "}[min(depth, 2)], colBullet
		}
		i++
		if done, end, ok := r.taskMark(item); ok {
			box, bst := "[ ] ", style(0)
			if done {
				box, bst = "[x] ", colDone
			}
			if l.IsOrdered() {
				marker += box
			} else {
				marker, mst = box, bst
			}
			r.skipFrom, r.skipTo = end-3, end
		}
		mw := cellWidth(marker)
		body := r.blocks(nil, item, r.innerWidth(width, mw), true)
		r.skipFrom, r.skipTo = 0, 0
		if prev != nil && r.blankBetween(prev, item) {
			out = append(out, "")
		}
		prev = item
		styled := marker
		if q := r.st.seq(mst); q != "" {
			styled = q + strings.TrimRight(marker, " ") + reset + " "
		}
		if len(body) == 0 {
			out = append(out, strings.TrimRight(styled, " "))
			continue
		}
		out = append(out, styled+body[0])
		pad := spaces(mw)
		for _, b := range body[1:] {
			if b == "" {
				out = append(out, "")
			} else {
				out = append(out, pad+b)
			}
		}
	}
	return out
}

// taskMark reports whether a list item starts with a check box ("[ ]",
// "[x]") followed by text, whether it is checked, and where it ends.
func (r *Renderer) taskMark(item ast.Node) (done bool, end int, ok bool) {
	first := item.FirstChild()
	if first == nil {
		return false, 0, false
	}
	switch first.(type) {
	case *ast.Paragraph, *ast.TextBlock:
	default:
		return false, 0, false
	}
	if first.Lines().Len() == 0 {
		return false, 0, false
	}
	seg := first.Lines().At(0)
	s := r.src[seg.Start:seg.Stop]
	if len(s) < 4 || s[0] != '[' || s[2] != ']' || (s[3] != ' ' && s[3] != '\t') {
		return false, 0, false
	}
	switch s[1] {
	case ' ':
		return false, seg.Start + 3, true
	case 'x', 'X':
		return true, seg.Start + 3, true
	}
	return false, 0, false
}

// blankBetween reports whether the source has a blank line between the
// end of block a and the start of block b.
func (r *Renderer) blankBetween(a, b ast.Node) bool {
	from, to := lastOffset(a), firstOffset(b)
	if from < 0 || to < 0 || to <= from {
		return false
	}
	src := r.src
	// Start at the line after the one a ends on.
	i := strings.IndexByte(src[max(from-1, 0):to], '\n')
	if i < 0 {
		return false
	}
	i += max(from-1, 0) + 1
	for i < to {
		e := strings.IndexByte(src[i:to], '\n')
		if e < 0 {
			return false // the line b starts on
		}
		blank := true
		for _, c := range []byte(src[i : i+e]) {
			if c != ' ' && c != '\t' && c != '>' && c != '\r' {
				blank = false
				break
			}
		}
		if blank {
			return true
		}
		i += e + 1
	}
	return false
}

// firstOffset is where the first line of a block's text starts, or -1.
func firstOffset(n ast.Node) int {
	if n.Type() != ast.TypeBlock {
		return -1
	}
	if l := n.Lines(); l.Len() > 0 {
		return l.At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if o := firstOffset(c); o >= 0 {
			return o
		}
	}
	return -1
}

// lastOffset is where the last line of a block's text ends, or -1.
func lastOffset(n ast.Node) int {
	if n.Type() != ast.TypeBlock {
		return -1
	}
	if l := n.Lines(); l.Len() > 0 {
		return l.At(l.Len() - 1).Stop
	}
	for c := n.LastChild(); c != nil; c = c.PreviousSibling() {
		if o := lastOffset(c); o >= 0 {
			return o
		}
	}
	return -1
}

// linesText is the text of a block's lines (code, HTML).
func (r *Renderer) linesText(n ast.Node) string {
	lines := n.Lines()
	if lines.Len() == 0 {
		return ""
	}
	contiguous := true
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		if s.Padding > 0 || i > 0 && s.Start != lines.At(i-1).Stop {
			contiguous = false
			break
		}
	}
	if contiguous {
		return r.src[lines.At(0).Start:lines.At(lines.Len()-1).Stop]
	}
	var b strings.Builder
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		b.WriteString(spaces(s.Padding))
		b.WriteString(r.src[s.Start:s.Stop])
	}
	return b.String()
}
