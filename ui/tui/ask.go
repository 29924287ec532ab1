package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
	tea "github.com/charmbracelet/bubbletea"
)

// askState is the question being answered.
type askState struct {
	id       int
	req      AskRequest
	task     *TaskRequest // a refactoring or generation task; nil for a question
	recorded string       // the prompt as the session records it
	turn     int64        // 0 until known (its turn.started event, or the answer)
	user     *item
	answer   *item
	buf      *streamBuf
	cancel   context.CancelFunc
}

// queued is a question waiting for the one before it, for the session
// being opened, for the model picked by name to be found, or for the
// connection to come back.
type queued struct {
	req  AskRequest
	task *TaskRequest
	user *item
}

func (m *Model) newItem(kind itemKind, text string) *item {
	m.nextID++
	return &item{id: m.nextID, kind: kind, text: text}
}

// note adds a line from the TUI to the conversation.
func (m *Model) note(format string, args ...any) {
	m.conv.add(m.newItem(noteItem, fmt.Sprintf(format, args...)))
}

func (m *Model) errorNote(format string, args ...any) {
	m.conv.add(m.newItem(errorItem, fmt.Sprintf(format, args...)))
}

// noteUnder puts a note (or an error) about an answer right under it:
// with questions queued, the answer is not the last item, and a note at
// the end would read as the next answer's.
func (m *Model) noteUnder(ans *item, kind itemKind, format string, args ...any) {
	m.conv.insertAfter(ans, m.newItem(kind, fmt.Sprintf(format, args...)))
}

// enqueue shows a question and asks it now, or after the answer being
// streamed, once the session being opened is read, or once the connection
// is back.
func (m *Model) enqueue(req AskRequest, display string) tea.Cmd {
	return m.enqueueQueued(queued{req: req}, display)
}

// enqueueTask queues a refactoring or generation task like a question:
// its answer streams into the conversation, then its proposal opens.
func (m *Model) enqueueTask(t TaskRequest, display string) tea.Cmd {
	return m.enqueueQueued(queued{task: &t}, display)
}

func (m *Model) enqueueQueued(q queued, display string) tea.Cmd {
	u := m.newItem(userItem, display)
	u.mine = true
	m.conv.add(u)
	m.conv.bottom()
	q.user = u
	if m.ask != nil || m.conn == connLost || m.opening || m.pendingModel != "" {
		u.state = "queued"
		m.conv.changed(u, true)
		m.queue = append(m.queue, q)
		return nil
	}
	return m.startAsk(q)
}

// pump asks the next queued question when nothing else is being answered,
// the connection is up, and the model to ask is known (/model NAME waits
// for the list to find it in) — unless the TUI is quitting, or a quit is
// armed that said the queue would not be sent (holding): what was queued
// then is dropped, or waits for the quit to be taken back.
func (m *Model) pump() tea.Cmd {
	if m.ask != nil || m.conn == connLost || m.opening || m.pendingModel != "" || len(m.queue) == 0 || m.closing || m.holding() {
		return nil
	}
	q := m.queue[0]
	m.queue = m.queue[1:]
	q.user.state = ""
	m.conv.changed(q.user, true)
	return m.startAsk(q)
}

// startAsk sends a question into the open session (a new one if none is
// open) and starts the frame tick that draws its answer.
func (m *Model) startAsk(q queued) tea.Cmd {
	req := q.req
	req.Session = "new"
	if m.sess.info.ID != "" {
		req.Session = m.sess.info.ID
	}
	if req.Provider == "" && req.Model == "" {
		req.Provider, req.Model = m.chosen()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.nextID++
	a := &askState{id: m.nextID, req: req, user: q.user, buf: &streamBuf{}, cancel: cancel, recorded: req.Prompt}
	if a.recorded == "" {
		a.recorded = strings.TrimSpace(req.Task + " " + req.Target)
	}
	a.answer = m.newItem(answerItem, "")
	a.answer.mine, a.answer.state = true, "answering…"
	// Under its question: questions typed while it waited come after it.
	m.conv.insertAfter(q.user, a.answer)
	m.ask = a
	if q.task != nil {
		t := *q.task
		t.Session = req.Session
		if t.Provider == "" && t.Model == "" {
			t.Provider, t.Model = req.Provider, req.Model
		}
		a.task, a.recorded = &t, recordedTask(t)
		return tea.Batch(m.taskCmd(ctx, a.id, t, a.buf), m.startFrames())
	}
	return tea.Batch(m.askCmd(ctx, a.id, req, a.buf), m.startFrames())
}

func (m *Model) startFrames() tea.Cmd {
	if m.framing {
		return nil
	}
	m.framing = true
	return m.frameTick(m.frameWait)
}

// frame draws what the streaming answer received since the last frame.
// The next frame waits four times as long as this one took to render (at
// least frameMin): drawing takes at most a fifth of the time whatever the
// answer's shape.
func (m *Model) frame() tea.Cmd {
	m.framing = false
	a := m.ask
	if a == nil {
		return nil
	}
	if text := a.buf.take(); text != "" {
		start := time.Now()
		if a.answer.state == "answering…" {
			a.answer.state = ""
			m.conv.changed(a.answer, true)
		}
		m.conv.appendStream(a.answer, text)
		m.frameWait = min(max(4*time.Since(start), frameMin), frameMax)
	}
	return m.startFrames()
}

// askDone finishes the answer: its last text, what answered it, the
// session it went into; then the next queued question goes.
func (m *Model) askDone(msg askDoneMsg) tea.Cmd {
	a := m.ask
	if a == nil || a.id != msg.id {
		return nil
	}
	m.ask = nil
	a.cancel()
	if text := a.buf.take(); text != "" {
		m.conv.appendStream(a.answer, text)
	}
	var cmds []tea.Cmd
	if res := msg.res; res != nil {
		cmds = append(cmds, m.answered(a, res))
	}
	ans := a.answer
	err := msg.err
	switch {
	case err == nil:
		ans.state = ""
		m.retries = 0
		if ans.text == "" {
			ans.state = "empty answer"
		}
	case errors.Is(err, context.Canceled) && m.ctx.Err() == nil:
		// As the session records it, and shows it when reopened.
		ans.state = turnState("interrupted", reasonCancelled)
	case errors.Is(err, ErrUnreachable) && a.buf.written() == 0:
		// Nothing was answered: ask again once the connection is back.
		m.conv.remove(ans)
		a.user.state = "queued"
		m.conv.changed(a.user, true)
		m.queue = append([]queued{{req: a.req, task: a.task, user: a.user}}, m.queue...)
		cmds = append(cmds, m.lost())
		return tea.Batch(cmds...)
	case a.req.Session != "new" && session.IsNotFound(err, a.req.Session):
		// Removed before its event came: the question was not asked.
		ans.state = "not asked: the session was removed"
		if a.req.Session == m.sess.info.ID {
			m.sessionRemoved("↑ recalls the question, to ask it in a new one")
		} else {
			m.noteUnder(ans, noteItem, "the session was removed before the question reached it; ↑ recalls it, to ask it in a new one")
		}
	case msg.res != nil && msg.res.Complete:
		// The answer arrived whole, and the session records its turn
		// completed: what failed came after it (recording it, for a full
		// disk; making a task's answer into a proposal).
		ans.state = ""
		m.noteUnder(ans, errorItem, "%s", errorText(err.Error()))
	default:
		// The core records an answer that broke off after some text as
		// interrupted (the text stands), one that got none as failed.
		ans.state = "failed"
		if a.buf.written() > 0 {
			ans.state = "interrupted"
		}
		if errors.Is(err, ErrUnreachable) {
			ans.state = "interrupted: the connection was lost"
			cmds = append(cmds, m.lost())
		} else if a.buf.written() == 0 {
			// No model answered: the providers may have gone since the
			// last listing, which the status bar still shows. Listed
			// again, it says "no model reachable" if none answers.
			cmds = append(cmds, m.modelsCmd())
		}
		m.noteUnder(ans, errorItem, "%s", errorText(err.Error()))
	}
	if res := msg.res; res != nil && res.Failover != "" {
		m.noteUnder(ans, noteItem, "note: %s", oneLine(res.Failover))
	}
	if res := msg.res; res != nil && res.Warning != "" {
		m.noteUnder(ans, noteItem, "warning: %s", oneLine(res.Warning))
	}
	switch {
	case ans.stream != nil && !ans.stream.split:
		// Rendered as the whole would be: keep it.
		m.conv.setBody(ans, m.conv.bodyWidth(), ans.stream.rendered())
	case ans.text != "":
		ans.pending = true
		cmds = append(cmds, m.renderCmd(ans.id, ans.text, m.conv.bodyWidth()))
	}
	m.conv.changed(ans, true)
	cmds = append(cmds, m.refreshSessions(), m.pump())
	return tea.Batch(cmds...)
}

// answered records what the backend said of an answer: its turn (and the
// session, for the first turn of a new one), what answered it, what
// context went with it.
func (m *Model) answered(a *askState, res *AskResult) tea.Cmd {
	var cmd tea.Cmd
	if res.Session != "" && m.sess.info.ID == "" && a.req.Session == "new" {
		// The first turn of a new session: follow it from its start (not
		// an answer into a session left since, when it was removed).
		m.sess.info.ID = res.Session
		m.pane.current = res.Session
		cmd = m.follow(0)
	}
	if res.Turn > 0 && res.Session == m.sess.info.ID {
		if other := m.sess.byTurn[res.Turn]; other != nil && other.answer != a.answer {
			// Its turn.started event came first and was not recognised.
			m.conv.remove(other.user)
			m.conv.remove(other.answer)
		}
		if other := m.sess.byTurn[res.Turn]; other != nil && other.answer.counted {
			// Counted already: from its event, or read with the session.
			a.answer.counted = true
		}
		a.turn = res.Turn
		a.user.turn = res.Turn
		m.sess.byTurn[res.Turn] = &turnItems{user: a.user, answer: a.answer}
		m.conv.changed(a.user, true)
		info := &m.sess.info
		info.Turns = max(info.Turns, res.Turn)
		if usage(res) && !a.answer.counted {
			info.PromptTokens += res.PromptTokens
			info.CompletionTokens += res.CompletionTokens
			info.CostUSD += res.CostUSD
			info.CostUnknown = info.CostUnknown || res.CostUnknown
			a.answer.counted = true
		}
	}
	if usage(res) {
		a.answer.setMeta(res.Provider, res.Model, res.Node, res.PromptTokens, res.CompletionTokens, res.CostUSD, res.CostUnknown, res.TotalMillis)
	}
	if why, ok := providers.Incomplete(res.StopReason); ok {
		m.noteUnder(a.answer, noteItem, "the answer stopped early: %s (stop reason %q)", why, oneLine(res.StopReason))
	}
	if res.Model != "" {
		m.last = *res
		m.modelsErr = "" // one answered
	}
	if res.Context != nil {
		m.pane.setContext(res.Turn, res.Context)
	}
	return cmd
}

// usage says whether a result tells what answered and what it cost. One
// cut short through a node does not: the node's last frame, which carries
// them, never came, and only the turn is known. The turn's event then has
// them (see apply).
func usage(res *AskResult) bool {
	return res.Model != "" || res.PromptTokens+res.CompletionTokens > 0 || res.CostUSD > 0 || res.CostUnknown
}

// setMeta sets an answer's header: what answered it (the node, shown
// when it is not this one) and what it cost. A cost left out for want of
// a price (unknown) is shown "+?", as the CLI shows it: the request never
// reads as a free one.
func (it *item) setMeta(provider, model, node string, in, out int64, cost float64, unknown bool, millis int64) {
	it.model, it.node = "", node
	if model != "" {
		it.model = modelName(provider, model)
	}
	var parts []string
	if in+out > 0 {
		parts = append(parts, fmt.Sprintf("%s→%s tokens", thousands(int(in)), thousands(int(out))))
	}
	if cost > 0 || unknown {
		parts = append(parts, pricing.Text(cost, unknown))
	}
	switch {
	case millis >= 1000:
		parts = append(parts, fmt.Sprintf("%.1f s", float64(millis)/1000))
	case millis > 0:
		parts = append(parts, fmt.Sprintf("%d ms", millis))
	}
	it.usage = strings.Join(parts, " · ")
}

func modelName(provider, model string) string {
	if provider == "" {
		return model
	}
	return provider + "/" + model
}
