package tui

import (
	"context"
	"time"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Quitting (Ctrl+C on an empty editor, /quit) never drops someone's work
// without a word. Questions queued here, not sent yet, are said first, and
// a second Ctrl+C quits without sending them (quitArmed). Answers this
// TUI's process streams for other clients — the TUIs and commands that go
// through the socket it serves while it runs the core — are not its user's
// to stop: the TUI says how many there are, waits for them (asking again
// every servingPoll, for at most drainMax) and quits once none is left. A
// second Ctrl+C quits at once; the socket's server then records the
// answers it cut as interrupted by its quitting. Both steps read the same:
// what the quit would drop, then "ctrl+c again quits …".

// servingBackend is a Backend that can say how many answers its process
// streams for other clients (package backend's, when it runs the core).
// A Backend without it serves no one: the TUI quits at once.
type servingBackend interface {
	Serving(ctx context.Context) (int, error)
}

const (
	// servingTimeout bounds one question to the backend about the answers
	// it serves: the socket is this process's own, and answers at once
	// unless something is badly stuck, which is not worth waiting on.
	servingTimeout = 2 * time.Second
	// servingPoll is how often the count is asked again while waiting.
	servingPoll = 250 * time.Millisecond
	// drainMax bounds the wait: the user asked to quit.
	drainMax = 30 * time.Second
)

// Messages of quitting.
type (
	// servingMsg is how many answers the backend streams for others.
	servingMsg struct {
		n   int
		err error
	}
	// servingTickMsg asks the count again; drainEndMsg ends the wait.
	servingTickMsg struct{}
	drainEndMsg    struct{}
)

// quit quits, or, when the backend may be serving answers for other
// clients, asks it how many first (see gotServing). Keys then do nothing
// but a second Ctrl+C, which quits at once.
func (m *Model) quit() tea.Cmd {
	sb, ok := m.b.(servingBackend)
	if !ok {
		return tea.Quit
	}
	m.closing, m.quitArmed = true, false
	if m.ask != nil {
		// The user leaves: this TUI's own answer stops now, not when
		// the wait ends (nor is anything queued sent: see pump).
		m.ask.cancel()
	}
	return tea.Batch(m.servingCmd(sb), m.tick(drainMax, func(time.Time) tea.Msg { return drainEndMsg{} }))
}

// closingKey handles a key while quitting waits for others' answers.
func (m *Model) closingKey(msg tea.KeyMsg) tea.Cmd {
	if !isText(msg) && key.Matches(msg, m.keys.Quit) {
		return tea.Quit
	}
	return nil
}

// servingCmd asks the backend how many answers it streams for others.
func (m *Model) servingCmd(sb servingBackend) tea.Cmd {
	ctx := m.ctx
	return m.tasks.cmd(func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, servingTimeout)
		defer cancel()
		n, err := sb.Serving(ctx)
		return servingMsg{n: n, err: err}
	})
}

// gotServing quits when the backend serves no one any more, or cannot
// say (its socket is gone, or stuck: nothing to wait for there); else it
// says how many answers are left and asks again after servingPoll.
func (m *Model) gotServing(msg servingMsg) tea.Cmd {
	if !m.closing {
		return nil
	}
	if msg.err != nil || msg.n <= 0 {
		return tea.Quit
	}
	if m.serving == 0 {
		m.errorNote("finishing %s for other clients on this data dir; ctrl+c again quits at once", english.Count(msg.n, "answer"))
	}
	m.serving = msg.n
	return m.tick(servingPoll, func(time.Time) tea.Msg { return servingTickMsg{} })
}

// servingTick asks the count again while quitting waits.
func (m *Model) servingTick() tea.Cmd {
	sb, ok := m.b.(servingBackend)
	if !m.closing || !ok {
		return nil
	}
	return m.servingCmd(sb)
}

// drainEnd quits: the wait is over, whatever is left.
func (m *Model) drainEnd() tea.Cmd {
	if !m.closing {
		return nil
	}
	return tea.Quit
}
