package tui

import (
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/providers/pricing"

	xansi "github.com/charmbracelet/x/ansi"
)

// divider is the line between the conversation and the editor: what is
// going on (an answer streaming, the connection lost, questions queued)
// or the key hints, and where the view is scrolled.
func (m *Model) divider() string {
	th := m.th
	var left string
	switch {
	case m.closing && m.serving > 0:
		// Keys do nothing now but ctrl+c: say so.
		left = th.accent.Render(fmt.Sprintf("quitting: finishing %s for other clients", english.Count(m.serving, "answer"))) +
			th.dim.Render(" · ctrl+c quits at once")
	case m.closing:
		left = th.accent.Render("quitting…")
	case m.quitArmed:
		left = th.accent.Render(m.quitHint())
	case m.conn == connLost:
		left = th.errorText.Render("reconnecting…")
		if n := len(m.queue); n > 0 {
			left += th.dim.Render(fmt.Sprintf(" · %d queued, sent when it is back", n))
		}
	case m.focus == focusProposal && !m.prop.writable():
		left = th.accent.Render("proposal: its checks failed, it cannot be written · esc closes") +
			th.dim.Render(" · other keys: the editor")
	case m.focus == focusProposal:
		// Keys do not go where the editor below suggests: say so first.
		left = th.accent.Render("proposal: enter writes the kept · esc closes") +
			th.dim.Render(" · space keep/drop · other keys: the editor")
	case m.ask != nil:
		left = th.accent.Render("answering…") + th.dim.Render(" · esc stops")
		if n := len(m.queue); n > 0 {
			left += th.dim.Render(fmt.Sprintf(" · %d queued", n))
		}
		switch {
		case m.prop != nil && !m.prop.hidden:
			left += th.dim.Render(" · pgdn shows it · tab: review the proposal")
		case m.prop != nil:
			left += th.dim.Render(" · tab: the proposal")
		}
	case m.focus == focusPane:
		left = th.dim.Render("↑↓ move · enter opens · esc back · typing goes to the input")
	case m.prop != nil && !m.prop.hidden && !m.prop.writable():
		left = th.accent.Render(failedHint)
	case m.prop != nil && !m.prop.hidden:
		left = th.accent.Render(reviewHint)
	case m.prop != nil:
		left = th.dim.Render("enter send · tab: the proposal (unwritten) · alt+enter new line · ? help")
	default:
		left = th.dim.Render("enter send · alt+enter new line · ctrl+o side pane · ? help")
	}
	right := ""
	if m.conv.offset > 0 {
		right = th.dim.Render(fmt.Sprintf("↓ %s below · pgdn", english.Count(m.conv.offset, "line")))
	}
	return fill(th.border.Render("─")+" "+left+" ", right, m.width, func(n int) string {
		return th.border.Render(strings.Repeat("─", n))
	})
}

// statusLine is the status bar: the node and the cluster's health, the
// model (and the node hosting it), the session and what it spent.
func (m *Model) statusLine() string {
	th := m.th
	bar := th.statusBar
	var node string
	switch {
	case m.conn == connLost:
		node = th.statusBad.Render(" ○ reconnecting")
	case m.conn == connStarting && m.statusErr == "":
		node = bar.Render(" ○ starting…")
	case m.statusErr != "":
		node = th.statusBad.Render(" ✗ " + m.statusErr)
	default:
		st := m.status
		dot := th.statusOK.Render(" ●")
		health := "ok"
		switch {
		case !st.Healthy():
			dot, health = th.statusBad.Render(" ●"), "no leader"
			if st.Problem != "" {
				health = st.Problem
			}
		case st.Down > 0:
			// A leader is no sign that every node is up: a member down
			// is one failure nearer to no quorum.
			dot, health = th.statusBad.Render(" ●"), fmt.Sprintf("%d down", st.Down)
		}
		mode := st.Mode
		if st.Members > 1 {
			mode = fmt.Sprintf("%s · %s %s", st.Mode, english.Count(st.Members, "node"), health)
		} else if !st.Healthy() {
			mode += " · " + health
		}
		node = dot + th.statusKey.Render(" "+oneLine(st.Node)) + bar.Render(" "+oneLine(mode))
	}

	model := bar.Render(" │ " + oneLine("model: "+m.nextModel()))
	if m.modelsErr != "" {
		// Named, the model would read as ready: no provider answered
		// the last listing, and a question would fail.
		model = bar.Render(" │ ") + th.statusBad.Render("✗ no model reachable")
	}

	left := node + model
	// The model is what the bar is read for: the session's text gives way
	// first — whole parts of it dropped (the full id, the word "session",
	// the turns, what it spent), then cut, then left out — and never
	// comes closer to it than minGap cells.
	room := m.width - xansi.StringWidth(left) - minGap - 1 // its trailing space
	texts := m.sessionTexts()
	sess := ""
	for _, s := range texts {
		if xansi.StringWidth(s) <= room {
			sess = s
			break
		}
	}
	if sess == "" && room >= minSessionText {
		sess = xansi.Truncate(texts[len(texts)-1], room, "…")
	}
	right := ""
	if sess != "" {
		right = bar.Render(sess + " ")
	}
	return fill(left, right, m.width, func(n int) string { return bar.Render(strings.Repeat(" ", n)) })
}

// minGap is the fewest blank cells between the status bar's two sides:
// with one, the model's name and the session's id read as one word.
const minGap = 2

// nextModel names the model the next question goes to, as far as the
// TUI knows it: the one picked (/model, the picker); else the one the
// backend's status says it would choose; else the one that answered
// last (here, or the last turn of the session read); else the only one
// listed; else the configured choice, unnamed. A model on another node
// says which.
func (m *Model) nextModel() string {
	var name, node string
	switch {
	case m.model != "" || m.envModel != "":
		name = modelName(m.chosen())
		if mi, ok := findModel(m.models, name); ok {
			node = mi.Node
		}
	case m.status.Model != "":
		name, node = modelName(m.status.Provider, m.status.Model), m.status.ModelNode
	case m.last.Model != "":
		name, node = modelName(m.last.Provider, m.last.Model), m.last.Node
	case len(m.models) == 1:
		name, node = modelName(m.models[0].Provider, m.models[0].Model), m.models[0].Node
	default:
		return "default"
	}
	if node != "" && node != m.status.Node {
		name += " on " + node
	}
	return name
}

// minSessionText is the fewest cells worth showing of the session's text
// cut short.
const minSessionText = 12

// sessionTexts are the ways the status bar can say what the session is
// and what it spent, longest first, each shorter by whole parts.
func (m *Model) sessionTexts() []string {
	info := m.sess.info
	if info.ID == "" {
		return []string{"new session"}
	}
	spent := fmt.Sprintf("%s→%s tokens", compact(info.PromptTokens), compact(info.CompletionTokens))
	if info.CostUSD > 0 || info.CostUnknown {
		spent += " · " + pricing.Text(info.CostUSD, info.CostUnknown)
	}
	turns := english.Count(info.Turns, "turn")
	id := oneLine(info.ID)
	return []string{
		fmt.Sprintf("session %s · %s · %s", id, turns, spent),
		fmt.Sprintf("session %s · %s · %s", shortID(id), turns, spent),
		fmt.Sprintf("%s · %s · %s", shortID(id), turns, spent),
		fmt.Sprintf("%s · %s", shortID(id), spent),
		shortID(id),
	}
}

// fill joins left and right with filler(n) (n cells, at least one when
// both are there: they never run together) between them to width cells,
// cutting left when both do not fit (right goes first).
func fill(left, right string, width int, filler func(n int) string) string {
	lw, rw := xansi.StringWidth(left), xansi.StringWidth(right)
	if rw > width {
		right, rw = "", 0
	}
	if lw+rw > width || rw > 0 && lw+rw == width {
		left = xansi.Truncate(left, max(width-rw-1, 0), "…")
		lw = xansi.StringWidth(left)
	}
	if n := width - lw - rw; n > 0 {
		return left + filler(n) + right
	}
	return left + right
}

// compact shows a count briefly: 950, 12.3k, 4.5M.
func compact(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}
