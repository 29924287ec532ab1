package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
)

// maxInputRows bounds the editor's height; longer input scrolls in it.
const maxInputRows = 10

// maxInputLines is the most lines the textarea holds: it drops the lines
// of a paste beyond them.
const maxInputLines = 10000

// editor is the input: a multi-line textarea (Enter is the model's: it
// sends; Alt+Enter and Ctrl+J insert a newline; bracketed paste inserts
// text as it is) with a history of what was sent, walked with Up and Down
// from the first and last line.
type editor struct {
	ta      textarea.Model
	history []string // seeded, then typed
	seeded  int      // how many of history were seeded
	pos     int      // index in history; len(history) is the draft
	draft   string   // what was typed before walking the history
	// edits are recalled entries changed and then left for another, by
	// index: coming back to one shows it as it was left (as shells do),
	// until something is sent or cleared.
	edits   map[int]string
	maxRows int
	height  int // rows, as fit last set them
}

func newEditor(th *theme) *editor {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Placeholder = placeholder
	ta.SetPromptFunc(2, func(line int) string {
		if line == 0 {
			return "› "
		}
		return "  "
	})
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"))
	// Up and Down at the edges walk the history (see model.handleInputKey).
	ta.KeyMap.LinePrevious = key.NewBinding(key.WithKeys("up"))
	ta.KeyMap.LineNext = key.NewBinding(key.WithKeys("down"))
	th.styleTextarea(&ta)
	ta.SetHeight(1)
	ta.Focus()
	return &editor{ta: ta, maxRows: maxInputRows, height: 1}
}

// The editor's placeholder; what it says while a proposal shows (the
// editor still has the keys); and while the proposal has them instead.
const (
	placeholder         = "Ask about your code · / for commands · ? for help"
	reviewPlaceholder   = "Ask about your code · tab: review the proposal"
	proposalPlaceholder = "the proposal has the keys (enter writes, esc closes) · type to ask instead"
	failedPlaceholder   = "the proposal has the keys (its checks failed: esc closes) · type to ask instead"
)

// tabRune stands for a tab in the textarea, which would turn it into four
// spaces (its sanitizer's default, which it does not let us change): a
// pasted Go function or Makefile rule is sent with its tabs. The rune is
// a private-use one no one types; the editor's view shows it as tabMark.
const (
	tabRune = '\U000F0009'
	tabMark = "⇥"
)

// toneRune stands for an emoji skin-tone modifier in the textarea (the
// first of five private-use runes, one per modifier, so that the text
// sent keeps its tone). The textarea measures 👍🏽 as one emoji two
// columns wide, where terminals that do not cluster graphemes draw four,
// and its line ran past the width (see withoutSkinTones). A private-use
// rune is one column to the textarea; the view shows it as a space, one
// column everywhere, after the emoji without its tone.
const toneRune = '\U000F0010'

var (
	toTextarea   = strings.NewReplacer(textareaPairs(false)...)
	fromTextarea = strings.NewReplacer(textareaPairs(true)...)
	tabsShown    = strings.NewReplacer(shownPairs()...)
)

// textareaPairs are the replacements of a tab and of each skin tone by
// the rune standing for it in the textarea, or back.
func textareaPairs(back bool) []string {
	pairs := []string{"\t", string(tabRune)}
	for r := rune(skinToneFirst); r <= skinToneLast; r++ {
		pairs = append(pairs, string(r), string(toneRune+r-skinToneFirst))
	}
	if back {
		for i := 0; i < len(pairs); i += 2 {
			pairs[i], pairs[i+1] = pairs[i+1], pairs[i]
		}
	}
	return pairs
}

// shownPairs show the textarea's stand-ins: a tab as tabMark, a skin
// tone as a space.
func shownPairs() []string {
	pairs := []string{string(tabRune), tabMark}
	for r := toneRune; r <= toneRune+skinToneLast-skinToneFirst; r++ {
		pairs = append(pairs, string(r), " ")
	}
	return pairs
}

// keepTabs replaces the tabs and skin tones of runes for the textarea
// (see tabRune, toneRune), in a copy: the message's runes are not ours.
func keepTabs(rs []rune) []rune {
	if !slices.ContainsFunc(rs, func(r rune) bool { return r == '\t' || isSkinTone(r) }) {
		return rs
	}
	out := slices.Clone(rs)
	for i, r := range out {
		switch {
		case r == '\t':
			out[i] = tabRune
		case isSkinTone(r):
			out[i] = toneRune + r - skinToneFirst
		}
	}
	return out
}

// value is the editor's text, tabs and all.
func (e *editor) value() string { return fromTextarea.Replace(e.ta.Value()) }

func (e *editor) setWidth(w int) { e.ta.SetWidth(max(w, 4)) }

// update passes a message to the textarea. It runs at the largest
// height, so that the textarea does not scroll its view for a line the
// height fitted after it has room for (it would stay scrolled).
func (e *editor) update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes {
		k.Runes = keepTabs(k.Runes)
		if k.Paste {
			k.Runes = crlf(k.Runes)
		}
		msg = k
	}
	e.ta.SetHeight(e.maxRows)
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	e.ta.SetHeight(e.height)
	if k, ok := msg.(tea.KeyMsg); ok && k.Paste {
		e.follow()
	}
	return cmd
}

// follow scrolls the view to the cursor. The textarea scrolls in Update
// by the text its last View laid out: after a paste of many lines that
// is the text before it, so the view stayed on the paste's first lines
// until the next key. It scrolls only while focused.
func (e *editor) follow() {
	if !e.ta.Focused() {
		e.ta.Focus()
		defer e.ta.Blur()
	}
	_ = e.ta.View()
	e.ta, _ = e.ta.Update(nil)
}

// place lays the view out afresh for the height: the whole text when it
// fits, else the rows that end at the cursor's. The textarea scrolls its
// view down to keep the cursor in it but never back up when it grows, so
// a view scrolled at a smaller height would show the last rows over blank
// ones. Setting the text again puts the view at the top (and the cursor
// at the end, from where it goes back to its line and column).
func (e *editor) place() {
	line, li := e.ta.Line(), e.ta.LineInfo()
	e.ta.SetValue(e.ta.Value())
	for e.ta.Line() > line {
		e.ta.CursorUp()
	}
	e.ta.SetCursor(li.StartColumn + li.ColumnOffset)
	e.follow()
}

// crlf turns each CR LF of pasted text into one LF: the textarea takes
// CR and LF each for a line end, and text copied from Windows (or a file
// with CRLF line ends) would paste with a blank line after every line.
func crlf(rs []rune) []rune {
	out := rs[:0:0]
	for i, r := range rs {
		if r == '\r' && i+1 < len(rs) && rs[i+1] == '\n' {
			continue
		}
		out = append(out, r)
	}
	return out
}

// overflow is how many lines of a paste the editor cannot hold.
func (e *editor) overflow(k tea.KeyMsg) int {
	lines := 1
	rs := crlf(k.Runes)
	for _, r := range rs {
		if r == '\n' || r == '\r' {
			lines++
		}
	}
	return max(0, lines-(maxInputLines-e.ta.LineCount()+1))
}

// rows is the height the input wants: its wrapped lines, within bounds.
func (e *editor) rows() int {
	w := max(e.ta.Width(), 1)
	n := 0
	for _, l := range strings.Split(e.ta.Value(), "\n") {
		n += max(1, (xansi.StringWidth(l)+w)/w)
		if n >= e.maxRows {
			return e.maxRows
		}
	}
	return max(n, 1)
}

// fit sets the textarea's height to rows; it reports whether it changed.
func (e *editor) fit() bool {
	r := e.rows()
	if r == e.height {
		return false
	}
	e.height = r
	e.ta.SetHeight(r)
	e.place()
	return true
}

// atTop and atBottom say whether the cursor is on the first or last row,
// where Up and Down leave the text for the history.
func (e *editor) atTop() bool {
	return e.ta.Line() == 0 && e.ta.LineInfo().RowOffset == 0
}

func (e *editor) atBottom() bool {
	li := e.ta.LineInfo()
	return e.ta.Line() == e.ta.LineCount()-1 && li.RowOffset >= li.Height-1
}

// take returns what was typed and empties the editor, adding it to the
// history.
func (e *editor) take() string {
	v := e.value()
	e.ta.Reset()
	e.remember(v)
	e.fit()
	return v
}

// remember adds an entry to the history (not twice in a row).
func (e *editor) remember(v string) {
	if strings.TrimSpace(v) != "" && (len(e.history) == 0 || e.history[len(e.history)-1] != v) {
		e.history = append(e.history, v)
	}
	e.pos, e.draft, e.edits = len(e.history), "", nil
}

// seed puts a session's prompts (oldest first) before what was typed in
// this TUI, in place of the last session's.
func (e *editor) seed(prompts []string) {
	e.history = append(append([]string(nil), prompts...), e.history[e.seeded:]...)
	e.seeded = len(prompts)
	e.pos, e.draft, e.edits = len(e.history), "", nil
}

// prev shows the previous history entry; it reports whether there was one.
func (e *editor) prev() bool {
	if e.pos == 0 {
		return false
	}
	e.leave()
	e.pos--
	e.show(e.entry(e.pos))
	return true
}

// next shows the next entry, or the draft after the last.
func (e *editor) next() bool {
	if e.pos >= len(e.history) {
		return false
	}
	e.leave()
	e.pos++
	e.show(e.entry(e.pos))
	return true
}

// leave keeps what the editor holds before it shows another entry: the
// draft, or a recalled entry as edited.
func (e *editor) leave() {
	v := e.value()
	switch {
	case e.pos == len(e.history):
		e.draft = v
	case v != e.entry(e.pos):
		if e.edits == nil {
			e.edits = map[int]string{}
		}
		e.edits[e.pos] = v
	}
}

// entry is the text at pos of the history walk: the draft after the
// last entry, an entry as it was left when edited.
func (e *editor) entry(pos int) string {
	if pos == len(e.history) {
		return e.draft
	}
	if v, ok := e.edits[pos]; ok {
		return v
	}
	return e.history[pos]
}

func (e *editor) show(v string) {
	e.ta.SetHeight(e.maxRows)
	e.ta.SetValue(toTextarea.Replace(v))
	e.ta.SetHeight(e.height)
	e.fit()
}

// clear empties the editor. What it held goes into the history, so that
// Up brings back text cleared by mistake.
func (e *editor) clear() {
	v := e.value()
	e.ta.Reset()
	e.remember(v)
	e.fit()
}

func (e *editor) view() string { return tabsShown.Replace(e.ta.View()) }
