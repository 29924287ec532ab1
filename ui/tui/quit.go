package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Quitting (Ctrl+C on an empty editor, /quit) never drops someone's work
// without a word, nor happens by a key pressed once too often. Ctrl+C on
// an empty editor (the one before it may have stopped an answer) only
// arms the quit: the divider says "ctrl+c again to quit", and a second
// Ctrl+C within quitArmWait quits (quitArmed); any other key disarms it.
// Questions queued here, not sent yet, are said the same way, by /quit,
// by Ctrl+C on an empty editor and by the Ctrl+C that stops an answer
// they wait behind, and the next Ctrl+C quits without sending them. That
// arming has no time limit, and holds the queue while it lasts (see
// pump): a question the user was told would be dropped is not sent
// because an answer ended, nor because a few seconds passed and the next
// Ctrl+C stopped the answer instead of quitting. Esc or any other key
// disarms it and lets the queue go on. The warning is in the divider,
// not the conversation: it is over once the quit is disarmed. Answers this
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
	// quitArmWait is how long an armed quit waits for its second Ctrl+C.
	quitArmWait = 3 * time.Second
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
	// quitDisarmMsg ends the arming numbered gen, if it is still the last.
	quitDisarmMsg struct{ gen int }
)

// armQuit makes the next Ctrl+C quit; the divider says so, and what
// quitting would drop (see quitHint). With nothing queued it lasts
// quitArmWait; with questions queued, until another key disarms it.
func (m *Model) armQuit() tea.Cmd {
	m.quitArmed = true
	m.quitGen++
	if len(m.queue) > 0 {
		return nil
	}
	gen := m.quitGen
	return m.tick(quitArmWait, func(time.Time) tea.Msg { return quitDisarmMsg{gen: gen} })
}

// holding says the queue waits for the user: a quit is armed that said
// the questions in it would not be sent.
func (m *Model) holding() bool { return m.quitArmed && len(m.queue) > 0 }

// disarmQuit ends an armed quit, by a key other than Ctrl+C; the queue it
// held goes on.
func (m *Model) disarmQuit() tea.Cmd {
	if !m.quitArmed {
		return nil
	}
	m.quitArmed = false
	return m.pump()
}

// quitExpired ends the arming numbered gen once its time has passed,
// unless a queue holds it (see armQuit).
func (m *Model) quitExpired(gen int) tea.Cmd {
	if gen != m.quitGen || m.holding() {
		return nil
	}
	return m.disarmQuit()
}

// quitCommand is /quit (and /exit): it quits, unless questions are
// queued, which it says first, as Ctrl+C does.
func (m *Model) quitCommand(c slash) tea.Cmd {
	if len(c.args) > 0 {
		m.errorNote("/%s takes no arguments: /%s quits", c.name, c.name)
		return nil
	}
	if len(m.queue) > 0 {
		return m.armQuit()
	}
	return m.quit()
}

// quitHint is the divider's text while a quit is armed.
func (m *Model) quitHint() string {
	n := len(m.queue)
	if n == 0 {
		return "ctrl+c again to quit"
	}
	them := "them"
	if n == 1 {
		them = "it"
	}
	// Never dropped without a word: they were typed, not sent.
	return fmt.Sprintf("%s queued, not sent yet: ctrl+c quits without sending %s · esc keeps %s", english.Count(n, "question"), them, them)
}

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
		m.note("finishing %s for other clients on this data dir; ctrl+c again quits at once", english.Count(msg.n, "answer"))
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

// suspendCmd asks for the program to be suspended (ctrl+z): Run's
// suspender gives the terminal back and stops the process until fg.
func (m *Model) suspendCmd() tea.Cmd {
	suspend := m.suspend
	if suspend == nil {
		return nil
	}
	return func() tea.Msg {
		suspend()
		return nil
	}
}
