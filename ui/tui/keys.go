package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	xansi "github.com/charmbracelet/x/ansi"
)

// keyMap is the TUI's key bindings; the help overlay lists them. The
// editor's own (word moves, Ctrl+A/E/K/U/W…) are the textarea's.
type keyMap struct {
	Send, Newline, HistoryPrev, HistoryNext key.Binding
	ScrollUp, ScrollDown, LineUp, LineDown  key.Binding
	Top, Bottom                             key.Binding
	Pane, Focus, Open, Help, Stop, Quit     key.Binding
	Models, Suspend                         key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Send:        b([]string{"enter"}, "enter", "send"),
		Newline:     b([]string{"alt+enter", "ctrl+j"}, "alt+⏎ ctrl+j", "new line"),
		HistoryPrev: b([]string{"up"}, "↑", "previous prompt (on the first line)"),
		HistoryNext: b([]string{"down"}, "↓", "next prompt (on the last line)"),
		ScrollUp:    b([]string{"pgup"}, "pgup", "scroll up"),
		ScrollDown:  b([]string{"pgdown"}, "pgdn", "scroll down"),
		LineUp:      b([]string{"shift+up"}, "shift+↑", "scroll a line up"),
		LineDown:    b([]string{"shift+down"}, "shift+↓", "scroll a line down"),
		Top:         b([]string{"home", "ctrl+home"}, "home", "the conversation's top (the editor empty)"),
		Bottom:      b([]string{"end", "ctrl+end"}, "end", "the conversation's end (the editor empty)"),
		Pane:        b([]string{"ctrl+o"}, "ctrl+o", "sessions · files · context"),
		Models:      b([]string{"ctrl+l"}, "ctrl+l", "pick a model"),
		Focus:       b([]string{"tab"}, "tab", "review the proposal, pane"),
		Open:        b([]string{"enter"}, "enter", "open the session (side pane)"),
		Help:        b([]string{"?", "f1"}, "? f1", "help (? on an empty line)"),
		Stop:        b([]string{"esc"}, "esc", "stop the answer, close"),
		Quit:        b([]string{"ctrl+c"}, "ctrl+c", "stop · clear · quit (×2)"),
		Suspend:     b([]string{"ctrl+z"}, "ctrl+z", "suspend (fg resumes)"),
	}
}

// ShortHelp is the one-line hint under the conversation.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.Newline, k.Pane, k.Help}
}

// FullHelp is the help overlay's columns: the editor and the view, then
// the panes and the proposal (Up and Down, PgUp and PgDn… share a line).
// Each line is a binding with its keys: the help skips a binding without
// keys (it counts as disabled).
func (k keyMap) FullHelp() [][]key.Binding {
	h := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return [][]key.Binding{
		{k.Send, k.Newline, h("↑ ↓", "history (first/last line)", "up", "down"), k.Stop, k.Quit, k.Suspend,
			h("pgup pgdn", "scroll", "pgup", "pgdown"), h("shift+↑ ↓", "scroll a line", "shift+up", "shift+down"),
			h("home end", "top, end (editor empty)", "home", "end")},
		{k.Pane, k.Focus, k.Models, k.Help,
			h("↑ ↓ space", "proposal: move, keep/drop", "up", "down", " "), h("a n", "proposal: keep all, none", "a", "n"),
			h("enter", "proposal: write the kept", "enter"), h("esc", "proposal: close unwritten", "esc")},
	}
}

// slashHelp lists the slash commands for the help overlay.
var slashHelp = [][2]string{
	{"/explain TARGET [question]", "explain a file, PATH:LINE or symbol"},
	{"/session [new|last|ID]", "start, open or list sessions"},
	{"/model [NAME|auto]", "pick a model (the picker), or by name"},
	{"/refactor TARGET GOAL…", "propose a change, as hunks to keep or drop"},
	{"/gen NAME DESCRIPTION…", "propose a new module (Mix) or package file (Go)"},
	{"/tests TARGET", "propose tests, run them against mutants"},
	{"/undo", "put back the last change written here"},
	{"/help", "this help"},
	{"/quit", "leave"},
}

// helpView is the help overlay for a w×h area: the key bindings and the
// slash commands in a box, its lines wrapped to fit w. Taller than h, it
// shows the rows from offset (clamped, and returned) with a last line
// that says how to scroll and how much is left.
func helpView(th *theme, k keyMap, w, h, offset int) ([]string, int) {
	inner := max(w-4, 1) // the box's border and padding
	var lines []string
	for _, l := range strings.Split(helpText(th, k, inner), "\n") {
		if xansi.StringWidth(l) > inner {
			l = xansi.Wrap(l, inner, "")
		}
		lines = append(lines, strings.Split(l, "\n")...)
	}
	rows := max(h-2, 1) // inside the box
	if len(lines) <= rows {
		return place(th, th.overlay.Render(strings.Join(lines, "\n")), w, h), 0
	}
	rows = max(rows-1, 1) // the scroll line
	offset = max(min(offset, len(lines)-rows), 0)
	end := offset + rows
	more := fmt.Sprintf("↑↓ scroll · %d–%d of %d · esc closes", offset+1, end, len(lines))
	view := append(append([]string(nil), lines[offset:end]...), th.dim.Render(xansi.Truncate(more, inner, "…")))
	return place(th, th.overlay.Render(strings.Join(view, "\n")), w, h), offset
}

// helpText is the help's text, its keys side by side when they fit width.
func helpText(th *theme, k keyMap, width int) string {
	h := help.New()
	th.styleHelp(&h)
	h.FullSeparator = "  "
	var b strings.Builder
	b.WriteString(th.bold.Render("Keys"))
	b.WriteString("\n")
	keys := h.FullHelpView(k.FullHelp())
	if lipgloss.Width(keys) > width {
		// Side by side does not fit: one column.
		var groups []string
		for _, g := range k.FullHelp() {
			groups = append(groups, h.FullHelpView([][]key.Binding{g}))
		}
		keys = strings.Join(groups, "\n")
	}
	b.WriteString(keys)
	b.WriteString("\n\n")
	b.WriteString(th.bold.Render("Commands"))
	b.WriteString("\n")
	w := 0
	for _, c := range slashHelp {
		w = max(w, xansi.StringWidth(c[0]))
	}
	for _, c := range slashHelp {
		b.WriteString(th.accent.Render(pad(c[0], w)) + "  " + c[1] + "\n")
	}
	b.WriteString(th.dim.Render("esc or ? closes"))
	return b.String()
}

// place centres block in a w×h area and returns its lines, each padded to
// w cells.
func place(th *theme, block string, w, h int) []string {
	s := th.r.Place(w, h, lipgloss.Center, lipgloss.Center, block)
	ls := strings.Split(s, "\n")
	for i := range ls {
		ls[i] = pad(xansi.Truncate(ls[i], w, ""), w)
	}
	for len(ls) < h {
		ls = append(ls, strings.Repeat(" ", w))
	}
	return ls[:h]
}
