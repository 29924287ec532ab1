package tui

import (
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/aiex-dev/aiex/ui/tui/termprobe"
)

// ColorProfile picks the colours a terminal gets from its environment:
// none with NO_COLOR or TERM=dumb (or no TERM), 16 colours unless the
// terminal says it has more (COLORTERM, TERM *-256color, tmux, screen).
// It reads nothing from the terminal itself: a query would cost a round
// trip before the first frame and can hang on some terminals.
func ColorProfile(getenv func(string) string) termenv.Profile {
	term := getenv("TERM")
	switch {
	case getenv("NO_COLOR") != "", term == "dumb", term == "":
		return termenv.Ascii
	case getenv("COLORTERM") == "truecolor", getenv("COLORTERM") == "24bit":
		return termenv.TrueColor
	case strings.Contains(term, "256color"), strings.HasPrefix(term, "tmux"), strings.HasPrefix(term, "screen"),
		strings.Contains(term, "kitty"), strings.Contains(term, "alacritty"), strings.Contains(term, "wezterm"):
		return termenv.ANSI256
	}
	return termenv.ANSI
}

// DarkBackground guesses whether the terminal's background is dark from
// COLORFGBG ("15;0": light text on a dark background); dark when unset,
// as most terminals are.
func DarkBackground(getenv func(string) string) bool {
	return termprobe.Dark(getenv("COLORFGBG"))
}

// theme holds the TUI's styles, all made by one lipgloss renderer set to
// the terminal's colour profile: nothing renders through lipgloss's
// default renderer, which would query the terminal.
type theme struct {
	profile termenv.Profile
	dark    bool
	r       *lipgloss.Renderer

	base, dim, bold, accent, user, assistant, note, errorText lipgloss.Style
	statusBar, statusKey, statusOK, statusBad                 lipgloss.Style
	paneTitle, selected, border, overlay                      lipgloss.Style
	added, removed                                            lipgloss.Style
}

func newTheme(p termenv.Profile, dark bool) *theme {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(p))
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	c := func(light, dark string) lipgloss.TerminalColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	s := r.NewStyle
	t := &theme{profile: p, dark: dark, r: r}
	t.base = s()
	t.dim = s().Foreground(c("244", "245"))
	t.bold = s().Bold(true)
	t.accent = s().Foreground(c("26", "39"))
	t.user = s().Bold(true).Foreground(c("28", "78"))
	t.assistant = s().Bold(true).Foreground(c("26", "39"))
	t.note = s().Foreground(c("244", "245")).Italic(true)
	t.errorText = s().Foreground(c("160", "203"))
	t.statusBar = s().Foreground(c("235", "252")).Background(c("254", "236"))
	t.statusKey = s().Bold(true).Foreground(c("235", "252")).Background(c("254", "236"))
	t.statusOK = s().Foreground(c("28", "78")).Background(c("254", "236"))
	t.statusBad = s().Foreground(c("160", "203")).Background(c("254", "236"))
	t.added = s().Foreground(c("28", "78"))
	t.removed = s().Foreground(c("160", "203"))
	t.paneTitle = s().Bold(true)
	t.selected = s().Reverse(true)
	t.border = s().Foreground(c("250", "238"))
	t.overlay = s().Border(lipgloss.RoundedBorder()).BorderForeground(c("26", "39")).Padding(0, 1)
	if p == termenv.Ascii {
		t.overlay = s().Border(lipgloss.NormalBorder()).Padding(0, 1)
	}
	return t
}

// attrStyle is a style for attributes that are not colour (reverse video):
// NO_COLOR forbids colour, but an editor without a visible cursor is
// unusable, so the cursor keeps its reverse video under the Ascii profile.
func (t *theme) attrStyle() lipgloss.Style {
	if t.profile != termenv.Ascii {
		return t.r.NewStyle()
	}
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.ANSI))
	r.SetColorProfile(termenv.ANSI)
	r.SetHasDarkBackground(t.dark)
	return r.NewStyle()
}

// styleTextarea gives a textarea the theme's styles (the defaults render
// through lipgloss's default renderer).
func (t *theme) styleTextarea(ta *textarea.Model) {
	st := textarea.Style{
		Base:             t.base,
		CursorLine:       t.base,
		CursorLineNumber: t.dim,
		EndOfBuffer:      t.dim,
		LineNumber:       t.dim,
		Placeholder:      t.dim,
		Prompt:           t.accent,
		Text:             t.base,
	}
	ta.FocusedStyle, ta.BlurredStyle = st, st
	ta.BlurredStyle.Text = t.dim
	ta.BlurredStyle.Prompt = t.dim
	ta.Cursor.Style = t.attrStyle()
	ta.Cursor.TextStyle = t.base
	// A steady cursor: blinking costs a frame twice a second, for nothing.
	ta.Cursor.SetMode(cursor.CursorStatic)
}

// styleHelp gives a help view the theme's styles.
func (t *theme) styleHelp(h *help.Model) {
	h.Styles = help.Styles{
		Ellipsis:       t.dim,
		ShortKey:       t.bold,
		ShortDesc:      t.dim,
		ShortSeparator: t.dim,
		FullKey:        t.accent,
		FullDesc:       t.base,
		FullSeparator:  t.dim,
	}
}
