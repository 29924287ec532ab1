package tui

import (
	"strings"

	"github.com/muesli/termenv"

	mdrender "github.com/aiex-dev/aiex/ui/markdown"
)

// markdown renders Markdown to terminal lines at one width (package
// ui/markdown): syntax-highlighted Go and Elixir in the terminal's
// colours, plain text under the Ascii profile. A markdown is not safe for
// concurrent use; make one per goroutine (it costs ~10 µs).
type markdown struct {
	width   int
	profile termenv.Profile
	dark    bool
	r       *mdrender.Renderer
}

func newMarkdown(profile termenv.Profile, dark bool, width int) *markdown {
	width = max(width, 10)
	return &markdown{width: width, profile: profile, dark: dark, r: mdrender.New(profile, dark, width)}
}

// Limits on the tail a streaming answer re-renders at each frame: it is
// cut into blocks as they complete, and long blocks are cut too.
const (
	codeSplitLines  = 12 // lines of an open code block per rendered segment
	blockSplitLines = 40 // lines of other text without a blank line
)

// streamDoc is an answer's Markdown as it streams in. Rendering the whole
// text at every frame costs time in its length (a few MB/s), so the text is cut into
// segments as they complete — at blank lines outside code that no list
// item goes on past, at a code block's end outside a list, and every codeSplitLines lines inside a long code block —
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
	// A blank line ends a segment only if what follows does not continue
	// a list: in a list, an item goes on past blank lines (its code, its
	// next paragraph, the next item of a loose list). blank is where a
	// cut waits for the next line to say (-1: none); inList says the
	// last line at the margin was a list item.
	blank  int
	inList bool
	// split says a block was cut inside (a long code block, a long
	// paragraph or list): the whole may render differently. Cuts at blank
	// lines and code blocks' ends render as the whole does.
	split bool

	lines []string // src[:stable] rendered
	tail  []string // src[stable:] rendered at the last frame
	md    *markdown
}

func newStreamDoc(md *markdown) *streamDoc { return &streamDoc{md: md, blank: -1} }

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
	*d = streamDoc{md: md, blank: -1}
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
		if !d.inFence && strings.TrimSpace(line) != "" {
			d.listLine(line)
		}
		switch {
		case d.inFence && d.closesFence(line):
			d.inFence = false
			if !d.inList {
				d.cut(false)
			}
		case d.inFence:
			if d.blockLines >= codeSplitLines {
				d.split = true
				d.cut(true)
			}
		case opensFence(line) != "":
			d.inFence, d.fence = true, strings.TrimSpace(line)
			d.fenceChar, d.fenceLen = d.fence[0], len(opensFence(line))
		case strings.TrimSpace(line) == "":
			if d.inList {
				d.blank = d.scanned // cut here unless the list goes on
			} else {
				d.cut(false)
			}
		case d.blockLines >= blockSplitLines && !strings.HasPrefix(strings.TrimSpace(line), "|"):
			d.split = true
			d.cut(false)
		}
	}
}

// listLine notes a line outside code that is not blank: whether it
// continues a list (an item, or indented under one), and so whether a
// blank line before it ended a segment, which is cut now if so.
func (d *streamDoc) listLine(line string) {
	item := listItem(line)
	goesOn := d.inList && (item || line[0] == ' ' || line[0] == '\t')
	if d.blank >= 0 && !goesOn {
		d.cutAt(d.blank, false)
	}
	d.blank = -1
	if item {
		d.inList = true
	} else if line[0] != ' ' && line[0] != '\t' {
		d.inList = false
	}
}

// listItem says whether line starts a list item at the margin: "-", "*"
// or "+", or a number and "." or ")", then a space.
func listItem(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || t == "" {
		return false
	}
	if t[0] == '-' || t[0] == '*' || t[0] == '+' {
		return len(t) > 1 && t[1] == ' '
	}
	n := 0
	for n < len(t) && n < 9 && t[n] >= '0' && t[n] <= '9' {
		n++
	}
	return n > 0 && n+1 < len(t) && (t[n] == '.' || t[n] == ')') && t[n+1] == ' '
}

// cut renders src[stable:scanned] as a segment. Inside a code block
// (open), the segment is closed with a fence and the next one reopens it.
func (d *streamDoc) cut(open bool) { d.cutAt(d.scanned, open) }

// cutAt renders src[stable:end] as a segment (see cut).
func (d *streamDoc) cutAt(end int, open bool) {
	seg := d.src.String()[d.stable:end]
	d.blockLines = 0
	if strings.TrimSpace(seg) == "" {
		d.stable = end
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
	d.stable = end
	d.blank = -1
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
