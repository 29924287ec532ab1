package tui

import (
	"context"
	"math"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"
)

// Options configure the TUI. The zero value works: no colour, a new
// session.
type Options struct {
	// Session is opened at start: an id (or a unique prefix) or "last";
	// "" starts a new session with the first question.
	Session string
	// Profile is the terminal's colour profile (see ColorProfile); Dark
	// says its background is dark (see DarkBackground).
	Profile termenv.Profile
	Dark    bool
	// Now tells the time (the sessions list says how long ago); nil means
	// time.Now.
	Now func() time.Time
	// Root is the project's root: proposals read the files they change
	// from it to cut them into hunks.
	Root string
	// Getenv reads the environment: AIEX_MODEL names the model questions
	// go to until one is picked, as it is the CLI's --model default; nil
	// means os.Getenv.
	Getenv func(string) string
}

// chosen is the model the next question goes to, as the TUI asks for it:
// the one picked (/model, ctrl+l), else AIEX_MODEL's, else none ("": the
// configured one, as the backend plans it). That is the CLI's order: its
// --model, then AIEX_MODEL, then the config's model.
func (m *Model) chosen() (provider, model string) {
	if m.model != "" {
		return m.provider, m.model
	}
	return "", m.envModel
}

// focus is where keys go.
type focus int

const (
	focusInput focus = iota
	focusPane
	focusProposal // the open proposal's keys: see proposalKey
)

// connState is the connection to the backend.
type connState int

const (
	connStarting connState = iota // no status yet
	connUp
	connLost // reconnecting; questions wait in the queue
)

// Model is the TUI: one bubbletea model composed of components — the
// conversation, the editor, the side pane, the status bar, the help
// overlay. Update does no I/O: the backend is called from commands, whose
// results come back as messages; a streaming answer's text waits in a
// buffer that a frame tick drains (at most ~30 times a second), so the
// cost of drawing does not grow with the token rate.
type Model struct {
	ctx   context.Context
	b     Backend
	opts  Options
	th    *theme
	keys  keyMap
	tasks *tasks
	now   func() time.Time
	tick  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // tea.Tick; tests hold ticks back

	width, height int
	ready         bool
	focus         focus
	showHelp      bool
	helpLines     []string
	helpOffset    int    // the first row of the help shown, when it does not fit
	sep           string // the column between conversation and side pane

	conv   *conversation
	input  *editor
	pane   *sidePane
	prop   *proposalView // an open proposal, over the conversation
	picker *pickerView   // the model picker, over the conversation

	undo    []string // checkpoints written from this TUI, the last last
	undoing bool

	previewText string // the editor's text the context view was built for
	previewGen  int

	status    Status
	statusErr string
	unusable  error // the backend's Unusable error that ended the TUI
	conn      connState
	statusGen int
	retries   int

	models       []ModelInfo
	modelsSeq    int    // the latest model listing asked for (modelsCmd)
	pendingModel string // /model NAME waiting for the list
	provider     string // picked with /model; "" lets the strategy choose
	model        string
	envModel     string    // AIEX_MODEL: the model when none is picked (see chosen)
	last         AskResult // what answered last (the status bar's model)
	// modelsErr is why the latest listing found no model ("" when it
	// did, or a model answered since): the status bar says none is
	// reachable, and the listing is done again (modelsRetry).
	modelsErr      string
	modelsRetrying bool // a modelsTickMsg is pending

	sess      sessState
	opening   bool // a session is being read to open: questions wait for it
	sub       *subscription
	subGen    int
	reloads   int
	reloading bool
	ask       *askState
	queue     []queued
	suspend   func() // asks Run to suspend the program (ctrl+z); nil: it cannot
	quitArmed bool   // the next ctrl+c quits (see armQuit)
	quitGen   int    // which arming a quitDisarmMsg ends
	closing   bool   // quitting, once others' answers are finished (see quit)
	serving   int    // how many answers for others are left, as last asked
	framing   bool
	frameWait time.Duration
	nextID    int
}

// New returns the TUI's model over b. Its commands run under ctx.
func New(ctx context.Context, b Backend, o Options) *Model {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	th := newTheme(o.Profile, o.Dark)
	m := &Model{ctx: ctx, b: b, opts: o, th: th, keys: newKeyMap(), tasks: &tasks{}, now: now, tick: tea.Tick,
		frameWait: frameMin}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	m.envModel = strings.TrimSpace(getenv("AIEX_MODEL"))
	m.conv = newConversation(th)
	m.input = newEditor(th)
	m.pane = newSidePane(th, now)
	m.sess.reset("")
	return m
}

// Init starts reading the status and the models (the status bar names
// the one a question goes to when only one is listed), and opens the
// session asked for.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.statusCmd(), m.modelsCmd()}
	if m.opts.Session != "" {
		m.opening = true
		cmds = append(cmds, m.docCmd(m.opts.Session, false))
	}
	return tea.Batch(cmds...)
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height, m.ready = msg.Width, msg.Height, true
		m.layout()
		return m, nil
	case tea.KeyMsg:
		return m, m.key(msg)
	case frameMsg:
		return m, m.frame()
	case askDoneMsg:
		return m, m.askDone(msg)
	case taskDoneMsg:
		return m, m.taskDone(msg)
	case proposalMsg:
		m.openProposal(msg)
		return m, nil
	case appliedMsg:
		m.applied(msg)
		return m, nil
	case declinedMsg:
		if msg.err != nil {
			m.errorNote("the proposal's turn could not record that it was closed unwritten: %s", oneLine(msg.err.Error()))
		}
		return m, nil
	case restoredMsg:
		m.restored(msg)
		return m, nil
	case filesMsg:
		m.pane.setFiles(msg.files, msg.err)
		return m, nil
	case previewTickMsg:
		if msg.gen != m.previewGen {
			return m, nil
		}
		return m, m.previewCmd(msg.gen)
	case previewMsg:
		m.gotPreview(msg)
		return m, nil
	case renderedMsg:
		if it := m.conv.find(msg.id); it != nil {
			m.conv.setBody(it, msg.width, msg.body)
		}
		return m, nil
	case docMsg:
		return m, m.opened(msg)
	case sessionsMsg:
		m.pane.setSessions(msg.list, msg.err)
		return m, nil
	case modelsMsg:
		return m, m.gotModels(msg)
	case modelsTickMsg:
		m.modelsRetrying = false
		if m.modelsErr == "" {
			return m, nil
		}
		return m, m.modelsCmd()
	case statusMsg:
		return m, m.gotStatus(msg)
	case statusTickMsg:
		if msg.gen != m.statusGen {
			return m, nil
		}
		return m, m.statusCmd()
	case liveMsg:
		return m, m.live(msg)
	case liveEndMsg:
		return m, m.liveEnded(msg)
	case servingMsg:
		return m, m.gotServing(msg)
	case servingTickMsg:
		return m, m.servingTick()
	case drainEndMsg:
		return m, m.drainEnd()
	case quitDisarmMsg:
		return m, m.quitExpired(msg.gen)
	}
	// Anything else is the editor's (a clipboard paste, the cursor).
	cmd := m.input.update(msg)
	if m.input.fit() {
		m.layout()
	}
	return m, cmd
}

// isText reports whether a key message is text rather than a key: a
// paste, or runes that arrived together. Bubble Tea v1 reports each word of
// input that arrives at once (typed fast, or pasted without bracketed
// paste) as one KeyRunes message, whose String is the word itself; a
// binding compares that string, so the word "enter" would send and
// "ctrl+c" would clear. A key on runes is one rune ("?", "q", "j"…), so
// more runes are text.
func isText(msg tea.KeyMsg) bool {
	return msg.Type == tea.KeyRunes && (msg.Paste || len(msg.Runes) > 1)
}

// key handles a key press.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if m.closing {
		return m.closingKey(msg)
	}
	if isText(msg) {
		return tea.Batch(m.disarmQuit(), m.text(msg))
	}
	k := m.keys
	if key.Matches(msg, k.Quit) {
		switch {
		case m.quitArmed:
			return m.quit()
		case m.showHelp:
			m.showHelp = false
		case m.picker != nil:
			m.closePicker()
		case m.prop != nil && m.focus == focusProposal && !m.prop.writing:
			return m.declineProposal()
		case m.ask != nil:
			m.ask.cancel()
			if len(m.queue) > 0 {
				// Its end would send the next question: that waits,
				// and the divider says so, as quitting does (armQuit).
				return m.armQuit()
			}
		case m.input.value() != "":
			m.input.clear()
			m.layout()
		case m.prop != nil && !m.prop.writing:
			return m.declineProposal()
		default:
			return m.armQuit()
		}
		return nil
	}
	if key.Matches(msg, k.Suspend) {
		return m.suspendCmd()
	}
	if m.quitArmed {
		// Esc only takes the quit back; any other key does too, and
		// does what it does.
		resume := m.disarmQuit()
		if key.Matches(msg, k.Stop) {
			return resume
		}
		return tea.Batch(resume, m.key(msg))
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Stop, k.Help) || msg.String() == "q":
			m.showHelp = false
		case key.Matches(msg, k.HistoryPrev, k.LineUp):
			m.scrollHelp(-1)
		case key.Matches(msg, k.HistoryNext, k.LineDown):
			m.scrollHelp(1)
		case key.Matches(msg, k.ScrollUp):
			m.scrollHelp(-max(m.conv.height/2, 1))
		case key.Matches(msg, k.ScrollDown):
			m.scrollHelp(max(m.conv.height/2, 1))
		case key.Matches(msg, k.Top):
			m.scrollHelp(-m.helpOffset)
		case key.Matches(msg, k.Bottom):
			m.scrollHelp(math.MaxInt32) // clamped to the last rows
		}
		return nil
	}
	switch {
	case m.picker != nil:
		return m.pickerKey(msg)
	case m.prop != nil && m.focus == focusProposal:
		return m.proposalKey(msg)
	case m.prop != nil && !m.prop.hidden && (key.Matches(msg, k.ScrollUp, k.ScrollDown, k.LineUp, k.LineDown) || m.endsKey(msg)):
		// The proposal shows, but the editor has the keys: the scroll
		// keys are the conversation's, where the answer to a question
		// queued behind the task streams. The first shows it as it is;
		// tab brings the proposal back.
		m.prop.hidden = true
		m.layout()
		return nil
	}
	switch {
	case key.Matches(msg, k.Models):
		return m.openPicker()
	case key.Matches(msg, k.Pane):
		return m.cyclePane()
	case key.Matches(msg, k.ScrollUp):
		m.conv.scroll(max(m.conv.height/2, 1))
		return nil
	case key.Matches(msg, k.ScrollDown):
		m.conv.scroll(-max(m.conv.height/2, 1))
		return nil
	case key.Matches(msg, k.LineUp):
		m.conv.scroll(1)
		return nil
	case key.Matches(msg, k.LineDown):
		m.conv.scroll(-1)
		return nil
	case m.endsKey(msg) && key.Matches(msg, k.Top):
		m.conv.toTop()
		return nil
	case m.endsKey(msg):
		m.conv.bottom()
		return nil
	}
	if m.focus == focusPane {
		return m.paneKey(msg)
	}
	return m.inputKey(msg)
}

// endsKey says whether msg takes the conversation to its top or end
// (Home, End, and Ctrl+ each): only while the editor has the keys and is
// empty. With text in it they are the editor's — the start and end of the
// line, and of the text with Ctrl — and in the side pane or a proposal
// those of the list.
func (m *Model) endsKey(msg tea.KeyMsg) bool {
	return key.Matches(msg, m.keys.Top, m.keys.Bottom) && m.focus == focusInput && m.input.value() == ""
}

// text handles text (see isText): the model picker's filter takes it, the
// editor inserts it as it is when it has the focus — or the proposal or
// the side pane had it: text typed over them is meant for the editor
// (see proposalKey, paneKey) — and the help ignores it.
func (m *Model) text(msg tea.KeyMsg) tea.Cmd {
	switch {
	case m.showHelp:
		return nil
	case m.picker != nil:
		return m.pickerKey(msg)
	case m.focus == focusProposal, m.focus == focusPane:
		m.setFocus(focusInput)
	}
	return m.insert(msg)
}

// inputKey handles a key for the editor.
func (m *Model) inputKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Send):
		return m.submit()
	case key.Matches(msg, k.Stop):
		switch {
		case m.ask != nil:
			m.ask.cancel()
		case m.prop != nil && !m.prop.hidden && !m.prop.writing:
			// The proposal on the screen says that esc closes it.
			return m.declineProposal()
		}
		return nil
	case key.Matches(msg, k.Help) && (msg.String() != "?" || m.input.value() == ""):
		m.openHelp()
		return nil
	case key.Matches(msg, k.Focus):
		switch {
		case m.prop != nil:
			m.prop.hidden = false
			m.setFocus(focusProposal)
			m.layout()
		case m.pane.view != paneHidden:
			m.setFocus(focusPane)
		}
		return nil
	case key.Matches(msg, k.HistoryPrev) && m.input.atTop():
		if m.input.prev() {
			m.layout()
			return nil
		}
	case key.Matches(msg, k.HistoryNext) && m.input.atBottom():
		if m.input.next() {
			m.layout()
			return nil
		}
	}
	return m.insert(msg)
}

// insert gives a key to the editor. Text goes in as a paste does: the
// textarea's own bindings (Alt+Enter, Ctrl+K, Left…) compare the key's
// String too, and a paste's never matches them.
func (m *Model) insert(msg tea.KeyMsg) tea.Cmd {
	if isText(msg) {
		msg.Paste = true
		if n := m.input.overflow(msg); n > 0 {
			m.errorNote("the paste was cut: the editor holds %s lines, the last %s were left out", thousands(maxInputLines), thousands(n))
		}
	}
	cmd := m.input.update(msg)
	if m.input.fit() {
		m.layout()
	}
	return tea.Batch(cmd, m.typed())
}

// paneKey handles a key while the side pane has the focus. Its keys are
// the arrows, Home and End, Enter (open the session, put the file's path
// in the editor), Esc and tab (back to the editor) and F1; any other key — a
// letter, Backspace, Ctrl+U — gives the keys back to the editor and is
// applied there, as over a proposal: after /session, what is typed next
// is a command or a question, and "/session new" and Enter used to open
// the session under the cursor instead.
func (m *Model) paneKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.String() {
	case "up":
		m.pane.move(-1)
	case "down":
		m.pane.move(1)
	case "home", "ctrl+home":
		m.pane.move(-math.MaxInt32)
	case "end", "ctrl+end":
		m.pane.move(math.MaxInt32)
	case "enter":
		if id := m.pane.selected(); id != "" {
			m.setFocus(focusInput)
			return m.openSession(id)
		}
		if path := m.pane.selectedFile(); path != "" {
			return m.insertPath(path)
		}
	case "esc", "tab":
		m.setFocus(focusInput)
	case "f1":
		m.openHelp()
	default:
		m.setFocus(focusInput)
		return m.key(msg)
	}
	return nil
}

// setFocus gives the keys to the editor, the side pane or the open
// proposal; the editor's placeholder says where they go when not to it,
// and how to give them to a proposal on the screen.
func (m *Model) setFocus(f focus) {
	m.focus = f
	m.pane.focused = f == focusPane
	if f == focusInput {
		m.input.ta.Focus()
	} else {
		m.input.ta.Blur()
	}
	switch {
	case f == focusProposal && !m.prop.writable():
		m.input.ta.Placeholder = failedPlaceholder
	case f == focusProposal:
		m.input.ta.Placeholder = proposalPlaceholder
	case m.prop != nil:
		m.input.ta.Placeholder = reviewPlaceholder
	default:
		m.input.ta.Placeholder = placeholder
	}
	if m.prop != nil {
		m.prop.setFocused(f == focusProposal)
	}
	m.pane.layout()
}

// cyclePane shows the next side pane view; the sessions list is read
// again each time it is shown. On a terminal too narrow for the pane it
// says so instead of changing a view that does not show.
func (m *Model) cyclePane() tea.Cmd {
	if m.paneTooNarrow("") {
		return nil
	}
	m.pane.cycle()
	if m.pane.view == paneHidden && m.focus == focusPane {
		m.setFocus(focusInput)
	}
	m.layout()
	switch m.pane.view {
	case paneSessions:
		m.pane.loading = true
		return m.sessionsCmd()
	case paneFiles:
		m.pane.filesLoading = true
		return m.filesCmd()
	case paneContext:
		m.previewText = "\x00" // build it for what is typed now
		return m.typed()
	}
	return nil
}

// paneTooNarrow says, in a note ending with hint, that the side pane
// does not fit the terminal, when it does not.
func (m *Model) paneTooNarrow(hint string) bool {
	if !m.ready || paneWidth(m.width) > 0 {
		return false
	}
	m.note("the side pane needs a terminal %d columns wide; this one has %d%s", minPaneTerm, m.width, hint)
	return true
}

func (m *Model) openHelp() {
	m.showHelp, m.helpOffset = true, 0
	m.layout()
}

// scrollHelp scrolls the help by n rows (up when negative), where it does
// not fit.
func (m *Model) scrollHelp(n int) {
	m.helpOffset += n
	m.layout()
}

// submit sends what was typed: a slash command, or a question.
func (m *Model) submit() tea.Cmd {
	text := m.input.value()
	if strings.TrimSpace(text) == "" {
		return nil
	}
	m.input.take()
	if m.prop != nil {
		// What was sent, and what it brings, show in the conversation;
		// tab brings the proposal back.
		m.prop.hidden = true
	}
	m.layout()
	typed := m.typed()
	if c, ok := parseSlash(text); ok {
		return tea.Batch(m.slash(c), typed)
	}
	text = strings.TrimSpace(unescapeSlash(text))
	return tea.Batch(m.enqueue(AskRequest{Prompt: text}, text), typed)
}

// layout sizes the components to the terminal.
func (m *Model) layout() {
	if !m.ready {
		return
	}
	pw := 0
	if m.pane.view != paneHidden {
		pw = paneWidth(m.width)
	}
	cw := m.width
	if pw > 0 {
		cw -= pw + 1
	} else if m.focus == focusPane {
		// Narrowed under the pane that had the keys: it no longer shows.
		m.setFocus(focusInput)
	}
	m.input.setWidth(m.width)
	m.input.fit()
	ch := max(m.height-m.input.ta.Height()-2, 1) // the divider and the status bar
	m.conv.setSize(max(cw, 1), ch)
	m.pane.setSize(pw, ch)
	m.sep = m.th.border.Render("│")
	if m.showHelp {
		m.helpLines, m.helpOffset = helpView(m.th, m.keys, max(cw, 1), ch, m.helpOffset)
	}
	if m.prop != nil {
		m.prop.setSize(max(cw, 1), ch)
	}
	if m.picker != nil {
		m.picker.setSize(max(cw, 1), ch)
	}
}

// View draws the screen from what Update left: the conversation (or the
// help) beside the side pane, a divider, the editor, the status bar.
func (m *Model) View() string {
	if !m.ready {
		return ""
	}
	var b strings.Builder
	b.Grow((m.width + 16) * m.height)
	rows := m.conv.view
	switch {
	case m.showHelp:
		rows = m.helpLines
	case m.picker != nil:
		rows = m.picker.view()
	case m.prop != nil && !m.prop.hidden:
		rows = m.prop.view()
	}
	for i, l := range rows {
		b.WriteString(l)
		if i < len(m.pane.lines) {
			b.WriteString(m.sep)
			b.WriteString(m.pane.lines[i])
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.divider())
	b.WriteByte('\n')
	b.WriteString(m.input.view())
	b.WriteByte('\n')
	b.WriteString(m.statusLine())
	return b.String()
}
