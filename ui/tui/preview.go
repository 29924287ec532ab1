package tui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/session"
)

// The side pane's files and the context a question being typed would be
// sent with: read by commands, the context only while its view shows and
// once typing pauses.

type (
	filesMsg struct {
		files *Files
		err   error
	}

	// previewTickMsg fires once typing has paused; previewMsg carries the
	// context built for what was typed.
	previewTickMsg struct{ gen int }
	previewMsg     struct {
		gen      int
		question string
		sum      *session.ContextSummary
		err      error
	}
)

// previewPause is how long typing must pause before the context of what
// is typed is built.
const previewPause = 400 * time.Millisecond

func (m *Model) filesCmd() tea.Cmd {
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		f, err := b.Files(ctx)
		return filesMsg{f, err}
	})
}

// previewRequest is the question the editor's text would send, for its
// context: a question, or /explain TARGET [question]; ok is false for
// other slash commands and empty text.
func (m *Model) previewRequest(text string) (AskRequest, string, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return AskRequest{}, "", false
	}
	// In the open session, whose recent turns go with the question.
	req := AskRequest{Session: m.sess.info.ID}
	req.Provider, req.Model = m.chosen()
	if c, ok := parseSlash(text); ok {
		if c.name != "explain" || len(c.args) == 0 {
			return AskRequest{}, "", false
		}
		req.Task, req.Target = "explain", c.args[0]
		req.Prompt = c.after(1)
		return req, text, true
	}
	req.Prompt = strings.TrimSpace(unescapeSlash(text))
	return req, text, true
}

// typed notes that the editor's text may have changed: with the context
// view showing, the context of the new text is built once typing pauses.
func (m *Model) typed() tea.Cmd {
	text := m.input.value()
	if m.pane.view != paneContext || text == m.previewText {
		return nil
	}
	m.previewText = text
	m.previewGen++
	_, q, ok := m.previewRequest(text)
	if !ok {
		m.pane.setPreview("", nil, nil)
		return nil
	}
	m.pane.previewLoading, m.pane.previewFor = true, q
	m.pane.layout()
	gen := m.previewGen
	return m.tick(previewPause, func(time.Time) tea.Msg { return previewTickMsg{gen} })
}

// previewCmd builds the context of what is typed now.
func (m *Model) previewCmd(gen int) tea.Cmd {
	req, q, ok := m.previewRequest(m.input.value())
	if !ok || gen != m.previewGen {
		return nil
	}
	ctx, b := m.ctx, m.b
	return m.tasks.cmd(func() tea.Msg {
		sum, err := b.Context(ctx, req)
		return previewMsg{gen: gen, question: q, sum: sum, err: err}
	})
}

func (m *Model) gotPreview(msg previewMsg) {
	if msg.gen != m.previewGen {
		return // typed since
	}
	m.pane.setPreview(msg.question, msg.sum, msg.err)
}

// insertPath puts a file's path into the editor, at the cursor (quoted
// when it holds blanks: a command takes it as one argument).
func (m *Model) insertPath(path string) tea.Cmd {
	path = quoteArg(path)
	v := m.input.value()
	if v != "" && !strings.HasSuffix(v, " ") && !strings.HasSuffix(v, "\n") {
		path = " " + path
	}
	m.input.ta.InsertString(path + " ")
	m.setFocus(focusInput)
	m.input.fit()
	m.layout()
	return m.typed()
}
