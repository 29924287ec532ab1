package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/aiex-dev/aiex/app/session"
)

// paneView is what the side pane shows.
type paneView int

const (
	paneHidden paneView = iota
	paneSessions
	paneFiles
	paneContext
	paneViews // how many there are
)

// paneWidth is the side pane's width: a third of the terminal, at most 44
// cells; none below minPaneTerm columns.
func paneWidth(termWidth int) int {
	if termWidth < minPaneTerm {
		return 0
	}
	return min(44, termWidth/3)
}

const minPaneTerm = 60

// sidePane shows the project's sessions (to open one), its files as the
// index knows them (to put a path into the editor), or the context: the
// one the question being typed would be sent with, else the one the last
// turn sent — its chunks and token counts.
type sidePane struct {
	th            *theme
	now           func() time.Time
	view          paneView
	width, height int
	focused       bool

	sessions []session.Info
	loading  bool
	err      string
	cursor   int
	current  string // the open session's id

	ctx     *session.ContextSummary
	ctxTurn int64

	files        *Files
	filesErr     string
	filesLoading bool
	fileCursor   int

	// preview is the context of the question being typed (previewFor);
	// nil when none is.
	preview        *session.ContextSummary
	previewFor     string
	previewErr     string
	previewLoading bool

	lines []string // rendered by layout
}

func newSidePane(th *theme, now func() time.Time) *sidePane { return &sidePane{th: th, now: now} }

// cycle moves to the next view: hidden → sessions → files → context →
// hidden.
func (p *sidePane) cycle() {
	p.view = (p.view + 1) % paneViews
	if p.view == paneHidden {
		p.focused = false
	}
}

func (p *sidePane) setSize(w, h int) {
	p.width, p.height = w, h
	p.layout()
}

func (p *sidePane) setSessions(list []session.Info, err error) {
	p.loading = false
	p.sessions, p.err = list, ""
	if err != nil {
		p.err = err.Error()
	}
	p.cursor = min(p.cursor, max(len(p.sessions)-1, 0))
	p.layout()
}

func (p *sidePane) setContext(turn int64, c *session.ContextSummary) {
	p.ctxTurn, p.ctx = turn, c
	p.layout()
}

func (p *sidePane) setFiles(f *Files, err error) {
	p.filesLoading = false
	p.files, p.filesErr = f, ""
	if err != nil {
		p.filesErr = oneLine(err.Error())
	}
	if p.files != nil {
		p.fileCursor = min(p.fileCursor, max(len(p.files.List)-1, 0))
	}
	p.layout()
}

// setPreview shows the context a question being typed would take; an
// empty question clears it.
func (p *sidePane) setPreview(question string, c *session.ContextSummary, err error) {
	p.previewLoading = false
	p.previewFor, p.preview, p.previewErr = question, c, ""
	if err != nil {
		p.previewErr = oneLine(err.Error())
	}
	p.layout()
}

// move moves the selection in the sessions or files list.
func (p *sidePane) move(n int) {
	switch p.view {
	case paneSessions:
		p.cursor = max(0, min(p.cursor+n, len(p.sessions)-1))
	case paneFiles:
		if p.files != nil {
			p.fileCursor = max(0, min(p.fileCursor+n, len(p.files.List)-1))
		}
	}
	p.layout()
}

// selectedFile is the file under the cursor, or "".
func (p *sidePane) selectedFile() string {
	if p.view != paneFiles || p.files == nil || p.fileCursor >= len(p.files.List) {
		return ""
	}
	return p.files.List[p.fileCursor].Path
}

// selected is the session under the cursor, or "".
func (p *sidePane) selected() string {
	if p.view != paneSessions || p.cursor >= len(p.sessions) {
		return ""
	}
	return p.sessions[p.cursor].ID
}

// layout renders the pane's lines, each padded to its width.
func (p *sidePane) layout() {
	if p.view == paneHidden || p.width <= 0 || p.height <= 0 {
		p.lines = nil
		return
	}
	var ls []string
	switch p.view {
	case paneSessions:
		ls = p.sessionLines()
	case paneFiles:
		ls = p.fileLines()
	case paneContext:
		ls = p.contextLines()
	}
	if len(ls) > p.height {
		ls = ls[:p.height]
	}
	w := p.width - 1 // a space from the separator
	out := make([]string, p.height)
	for i := range out {
		l := ""
		if i < len(ls) {
			l = xansi.Truncate(ls[i], w, "…")
		}
		out[i] = " " + pad(l, w)
	}
	p.lines = out
}

// wrapped is text (an error) wrapped to the pane's width, each line in
// style: cut to one line, a context too long for the window lost its
// figures and what to do, which come at its end.
func (p *sidePane) wrapped(style lipgloss.Style, text string) []string {
	ls := strings.Split(xansi.Wrap(oneLine(text), max(p.width-1, 1), ""), "\n")
	for i, l := range ls {
		ls[i] = style.Render(l)
	}
	return ls
}

func (p *sidePane) title(s, hint string) string {
	t := p.th.paneTitle.Render(s)
	if p.focused && hint != "" {
		t += p.th.dim.Render(" · " + hint)
	}
	return t
}

func (p *sidePane) sessionLines() []string {
	th := p.th
	ls := []string{p.title("Sessions", "↑↓ enter opens · esc back"), ""}
	switch {
	case p.err != "":
		return append(ls, p.wrapped(th.errorText, p.err)...)
	case p.loading && len(p.sessions) == 0:
		return append(ls, th.dim.Render("loading…"))
	case len(p.sessions) == 0:
		return append(ls, th.dim.Render("none yet in this project"))
	}
	// Each session takes two lines; keep the cursor in view.
	per := 2
	room := max((p.height-len(ls))/per, 1)
	first := max(0, p.cursor-room+1)
	for i := first; i < len(p.sessions) && i < first+room; i++ {
		s := p.sessions[i]
		cur, mark := " ", "  "
		if i == p.cursor && p.focused {
			cur = "▸"
		}
		if s.ID == p.current {
			mark = "● "
		}
		head := fmt.Sprintf("%s%s%s · %s · %s", cur, mark, s.ID, english.Count(s.Turns, "turn"), ago(p.now(), s.UpdatedAt))
		title := "   " + oneLine(s.Title)
		if i == p.cursor && p.focused {
			head, title = th.selected.Render(pad(head, p.width-1)), th.selected.Render(pad(title, p.width-1))
		} else {
			title = th.dim.Render(title)
		}
		ls = append(ls, head, title)
	}
	return ls
}

func (p *sidePane) fileLines() []string {
	th := p.th
	ls := []string{p.title("Files", "↑↓ enter puts the path in the editor"), ""}
	f := p.files
	switch {
	case p.filesErr != "":
		return append(ls, p.wrapped(th.errorText, p.filesErr)...)
	case f == nil:
		return append(ls, th.dim.Render("loading…"))
	case !f.Indexed && len(f.List) == 0:
		return append(ls, th.dim.Render("not indexed yet:"), th.dim.Render("run aiex index here"))
	}
	skipped := 0
	for _, fi := range f.List {
		if fi.Skipped != "" {
			skipped++
		}
	}
	sum := thousands(len(f.List)) + " files"
	if len(f.List) == 1 {
		sum = "1 file"
	}
	if skipped > 0 {
		sum += fmt.Sprintf(" · %d skipped", skipped)
	}
	ls = append(ls, th.dim.Render(sum))
	room := max(p.height-len(ls), 1)
	first := max(0, p.fileCursor-room+1)
	for i := first; i < len(f.List) && i < first+room; i++ {
		fi := f.List[i]
		path := shownName(fi.Path)
		l := "  " + path
		if fi.Skipped != "" {
			l = th.dim.Render(l + " (" + oneLine(fi.Skipped) + ")")
		}
		if i == p.fileCursor && p.focused {
			l = th.selected.Render(pad("▸ "+path, p.width-1))
		}
		ls = append(ls, l)
	}
	return ls
}

func (p *sidePane) contextLines() []string {
	th := p.th
	if p.previewFor != "" || p.previewLoading {
		return p.previewLines()
	}
	c := p.ctx
	if c == nil {
		return []string{p.title("Context", ""), "", th.dim.Render("no turn with context yet;"), th.dim.Render("type a question to see"), th.dim.Render("the context it would take")}
	}
	ls := []string{p.title(fmt.Sprintf("Context · turn %d", p.ctxTurn), ""), ""}
	return append(ls, p.summaryLines(c)...)
}

// previewLines: the context the question being typed would be sent with.
func (p *sidePane) previewLines() []string {
	th := p.th
	ls := []string{p.title("Context · to be sent", ""), th.dim.Render("for: " + oneLine(p.previewFor)), ""}
	switch {
	case p.previewErr != "":
		return append(ls, p.wrapped(th.errorText, p.previewErr)...)
	case p.preview == nil && p.previewLoading:
		return append(ls, th.dim.Render("building…"))
	case p.preview == nil:
		return append(ls, th.dim.Render("no code would be sent"))
	}
	return append(ls, p.summaryLines(p.preview)...)
}

// summaryLines lists a context's token counts and chunks.
func (p *sidePane) summaryLines(c *session.ContextSummary) []string {
	th := p.th
	var ls []string
	ls = append(ls, fmt.Sprintf("%s of %s tokens", thousands(c.Tokens), thousands(c.Budget)))
	if c.Window > 0 {
		ls = append(ls, th.dim.Render(fmt.Sprintf("window %s", thousands(c.Window))))
	}
	if c.HistoryTurns > 0 {
		ls = append(ls, fmt.Sprintf("history: %s, %s tokens", english.Count(c.HistoryTurns, "turn"), thousands(c.HistoryTokens)))
	}
	if len(c.Chunks) == 0 {
		ls = append(ls, "", th.dim.Render("no code sent"))
	} else {
		ls = append(ls, "", th.bold.Render(english.Count(len(c.Chunks), "chunk")))
	}
	for _, ch := range c.Chunks {
		where := shownName(ch.Path)
		if ch.StartLine > 0 {
			where = fmt.Sprintf("%s:%d-%d", where, ch.StartLine, ch.EndLine)
		}
		ls = append(ls, fmt.Sprintf("%6s %s", thousands(ch.Tokens), where))
		if ch.Name != "" {
			ls = append(ls, th.dim.Render("       "+shownName(ch.Name)))
		}
	}
	if c.Dropped > 0 {
		ls = append(ls, th.dim.Render(fmt.Sprintf("%d more did not fit", c.Dropped)))
	}
	return ls
}

// thousands formats n with thousands separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ago is how long before now t was, briefly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "-"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return t.Local().Format("Jan 2")
}
