package tui

import (
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// markdown renders Markdown to terminal lines at one width with glamour:
// syntax-highlighted code in the terminal's colours, plain text under the
// Ascii profile. A markdown is not safe for concurrent use; make one per
// goroutine (it costs ~25 µs).
type markdown struct {
	width   int
	profile termenv.Profile
	tr      *glamour.TermRenderer
}

func newMarkdown(profile termenv.Profile, dark bool, width int) *markdown {
	width = max(width, 10)
	var st ansi.StyleConfig
	switch {
	case profile == termenv.Ascii:
		st = styles.NoTTYStyleConfig
	case dark:
		st = styles.DarkStyleConfig
	default:
		st = styles.LightStyleConfig
	}
	// The conversation pane indents and separates messages itself.
	zero := uint(0)
	st.Document.Margin = &zero
	st.Document.BlockPrefix, st.Document.BlockSuffix = "", ""
	formatter := map[termenv.Profile]string{termenv.TrueColor: "terminal16m", termenv.ANSI256: "terminal256"}[profile]
	if formatter == "" {
		formatter = "terminal16"
	}
	tr, err := glamour.NewTermRenderer(glamour.WithStyles(st), glamour.WithWordWrap(width),
		glamour.WithColorProfile(profile), glamour.WithChromaFormatter(formatter))
	if err != nil {
		tr = nil // render falls back to plain text
	}
	return &markdown{width: width, profile: profile, tr: tr}
}

// render returns src rendered as lines no wider than the width, without
// leading or trailing blank lines. Markdown glamour cannot render is shown
// as wrapped plain text.
func (m *markdown) render(src string) []string {
	// A tab's width depends on its column; the pane lays out cells.
	src = strings.ReplaceAll(src, "\t", "    ")
	out := ""
	if m.tr != nil {
		var err error
		if out, err = m.tr.Render(src); err != nil {
			out = ""
		}
	}
	if out == "" {
		out = xansi.Wrap(src, m.width, "")
	}
	return fitLines(strings.Split(out, "\n"), m.width, m.profile == termenv.Ascii)
}

// fitLines cuts lines to width (glamour does not wrap code) and drops
// blank lines at both ends; plain lines also lose trailing spaces (the
// padding glamour adds).
func fitLines(lines []string, width int, plain bool) []string {
	out := lines[:0]
	for _, l := range lines {
		if plain {
			l = strings.TrimRight(l, " ")
		}
		if xansi.StringWidth(l) > width {
			l = xansi.Truncate(l, width, "…")
		}
		out = append(out, l)
	}
	for len(out) > 0 && isBlank(out[0]) {
		out = out[1:]
	}
	for len(out) > 0 && isBlank(out[len(out)-1]) {
		out = out[:len(out)-1]
	}
	return out
}

func isBlank(l string) bool { return strings.TrimSpace(xansi.Strip(l)) == "" }

// Limits on the tail a streaming answer re-renders at each frame: it is
// cut into blocks as they complete, and long blocks are cut too.
const (
	codeSplitLines  = 12 // lines of an open code block per rendered segment
	blockSplitLines = 40 // lines of other text without a blank line
)

// streamDoc is an answer's Markdown as it streams in. Rendering the whole
// text at every frame costs time in its length (glamour runs at about
// 1 µs a byte, 3 µs with highlighted code), so the text is cut into
// segments as they complete — at blank lines outside code, at a code
// block's end, and every codeSplitLines lines inside a long code block —
// each rendered once; only the tail after the last cut is rendered again
// at each frame. A cut inside a block may render differently from the
// whole (highlighting across a cut in code), so an answer that had one is
// rendered whole once more when it ends.
type streamDoc struct {
	src     strings.Builder
	scanned int // src up to here is scanned (whole lines)
	stable  int // src up to here is rendered into lines

	inFence     bool
	fence       string // the line that opened the code block we are in
	fenceChar   byte
	fenceLen    int
	stableFence string // the fence the text after stable continues ("" if none)
	blockLines  int    // lines since the last cut
	// split says a block was cut inside (a long code block, a long
	// paragraph or list): the whole may render differently. Cuts at blank
	// lines and code blocks' ends render as the whole does.
	split bool

	lines []string // src[:stable] rendered
	tail  []string // src[stable:] rendered at the last frame
	md    *markdown
}

func newStreamDoc(md *markdown) *streamDoc { return &streamDoc{md: md} }

// text is the Markdown received so far.
func (d *streamDoc) text() string { return d.src.String() }

// write appends text, renders the segments it completes, and renders the
// tail.
func (d *streamDoc) write(s string) {
	d.src.WriteString(s)
	d.advance()
	d.tail = d.md.render(d.tailSource())
}

// rerender renders everything again with md (the width changed).
func (d *streamDoc) rerender(md *markdown) {
	src := d.src.String()
	*d = streamDoc{md: md}
	d.src.WriteString(src)
	d.advance()
	d.tail = d.md.render(d.tailSource())
}

// rendered is the answer so far as lines.
func (d *streamDoc) rendered() []string {
	out := make([]string, 0, len(d.lines)+1+len(d.tail))
	out = append(out, d.lines...)
	if len(d.lines) > 0 && len(d.tail) > 0 && d.stableFence == "" {
		out = append(out, "")
	}
	return append(out, d.tail...)
}

func (d *streamDoc) tailSource() string {
	src := d.src.String()[d.stable:]
	if d.stableFence != "" {
		return d.stableFence + "\n" + src
	}
	return src
}

// advance scans the whole lines not yet scanned and cuts where a segment
// completes.
func (d *streamDoc) advance() {
	src := d.src.String()
	for {
		nl := strings.IndexByte(src[d.scanned:], '\n')
		if nl < 0 {
			return
		}
		line := src[d.scanned : d.scanned+nl]
		d.scanned += nl + 1
		d.blockLines++
		switch {
		case d.inFence && d.closesFence(line):
			d.inFence = false
			d.cut(false)
		case d.inFence:
			if d.blockLines >= codeSplitLines {
				d.split = true
				d.cut(true)
			}
		case opensFence(line) != "":
			d.inFence, d.fence = true, strings.TrimSpace(line)
			d.fenceChar, d.fenceLen = d.fence[0], len(opensFence(line))
		case strings.TrimSpace(line) == "":
			d.cut(false)
		case d.blockLines >= blockSplitLines && !strings.HasPrefix(strings.TrimSpace(line), "|"):
			d.split = true
			d.cut(false)
		}
	}
}

// cut renders src[stable:scanned] as a segment. Inside a code block
// (open), the segment is closed with a fence and the next one reopens it.
func (d *streamDoc) cut(open bool) {
	seg := d.src.String()[d.stable:d.scanned]
	d.blockLines = 0
	if strings.TrimSpace(seg) == "" {
		d.stable = d.scanned
		return
	}
	if d.stableFence != "" {
		seg = d.stableFence + "\n" + seg
	}
	if open {
		seg += strings.Repeat(string(d.fenceChar), d.fenceLen) + "\n"
	}
	lines := d.md.render(seg)
	if len(d.lines) > 0 && len(lines) > 0 && d.stableFence == "" {
		d.lines = append(d.lines, "")
	}
	d.lines = append(d.lines, lines...)
	d.stable = d.scanned
	d.stableFence = ""
	if open {
		d.stableFence = d.fence
	}
}

// opensFence returns the fence (``` or ~~~, three or more) a line opens
// a code block with, or "".
func opensFence(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 || (t[0] == '`' && strings.ContainsRune(t[n:], '`')) {
		return ""
	}
	return t[:n]
}

// closesFence says whether line closes the code block we are in.
func (d *streamDoc) closesFence(line string) bool {
	t := strings.TrimSpace(line)
	if len(t) < d.fenceLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != d.fenceChar {
			return false
		}
	}
	return true
}
