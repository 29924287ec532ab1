package tui

import (
	"encoding/json"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// actor is who the TUI's questions are recorded as asked by.
const actor = "tui"

// recentEvents is how far back (in events of any stream) the subscription
// of a session just read starts: far enough back to take in whatever was
// appended between the read and the subscription. Events the read already
// had are recognised by their version and skipped.
const recentEvents = 1000

// sessState is the open session as the TUI knows it.
type sessState struct {
	info    session.Info // ID is "" until a new session's first answer
	version int64        // the stream version the conversation reflects
	seen    int64        // the highest version an event showed
	lastID  int64        // the last event id received: where to resume
	byTurn  map[int64]*turnItems
	removed bool // a batch of events being applied removed the session
}

func (s *sessState) reset(id string) {
	*s = sessState{byTurn: map[int64]*turnItems{}}
	s.info.ID = id
}

// turnItems are the conversation items of one turn.
type turnItems struct {
	user, answer *item
	// outcome says what became of the turn's proposal, as proposal
	// (folded from its events) has it; nil when nothing is said.
	outcome  *item
	proposal *session.Proposal
}

// busy says a question is being answered or waits: the session cannot
// change under it.
func (m *Model) busy() bool {
	if m.ask != nil || len(m.queue) > 0 {
		m.note("an answer is on its way (esc stops it); switch sessions after it")
		return true
	}
	return false
}

// openSession reads a session to show it (see opened).
func (m *Model) openSession(ref string) tea.Cmd {
	if m.busy() {
		return nil
	}
	m.opening = true
	return m.docCmd(ref, false)
}

// newSession empties the conversation; the next question starts a session.
func (m *Model) newSession() {
	if m.busy() {
		return
	}
	m.stopLive()
	m.sess.reset("")
	m.conv.reset()
	m.pane.current = ""
	m.pane.setContext(0, nil)
	m.note("new session: the next question starts it")
}

// sessionRemoved: the open session was removed elsewhere. Its
// conversation stays on the screen, but nothing goes into it any more: the
// next question starts a new session, as after /session new. The note
// says so, then what follows.
func (m *Model) sessionRemoved(then string) {
	m.stopLive()
	m.sess.reset("")
	m.pane.current = ""
	m.note("this session was removed elsewhere; %s", then)
}

// opened shows a session that was read, and follows it.
func (m *Model) opened(msg docMsg) tea.Cmd {
	if msg.reload {
		m.reloading = false
	} else {
		m.opening = false
	}
	if msg.err != nil {
		if msg.reload {
			return nil
		}
		m.errorNote("session %s: %s", msg.ref, oneLine(msg.err.Error()))
		return m.pump()
	}
	doc := msg.doc
	if msg.reload {
		if doc.Session.ID != m.sess.info.ID {
			return nil
		}
		if doc.Session.Version < m.sess.seen && m.reloads < 3 {
			// Read before the events we saw were applied here: again.
			m.reloads++
			m.reloading = true
			return m.docCmd(doc.Session.ID, true)
		}
		m.reloads = 0
		lastID := m.sess.lastID
		m.load(doc, false)
		m.sess.lastID = lastID
		return nil
	}
	if m.ask != nil {
		return nil // a question went out while it was read
	}
	// Questions typed while it was read wait in the queue: they go into it.
	m.load(doc, true)
	return tea.Batch(m.follow(-recentEvents), m.pump())
}

// load shows doc: one item per prompt and answer, rendered when scrolled
// into view. A question being answered stays at the end.
func (m *Model) load(doc *session.Document, seed bool) {
	m.sess.reset(doc.Session.ID)
	m.sess.info = doc.Session
	m.sess.version, m.sess.seen = doc.Session.Version, doc.Session.Version
	items := make([]*item, 0, 2*len(doc.Turns)+2*len(m.queue)+2)
	prompts := make([]string, 0, len(doc.Turns))
	var ctx *session.ContextSummary
	var ctxTurn int64
	for _, t := range doc.Turns {
		prompts = append(prompts, escapeSlash(t.Prompt))
		// A session read with only its recent turns has its totals
		// unmarked; a turn of unknown cost marks them.
		m.sess.info.CostUnknown = m.sess.info.CostUnknown || t.CostUnknown
		if t.Context != nil {
			ctx, ctxTurn = t.Context, t.N
		}
		if a := m.ask; a != nil && a.turn == t.N {
			// The totals read count it once it ended; its end event, if
			// it comes after them, counts it (see apply).
			a.answer.counted = t.Status != "running"
			continue
		}
		u, ans := m.turnItems(t)
		items = append(items, u, ans)
		if why := cutReason(ans.state, t.Reason); why != "" {
			items = append(items, m.newItem(errorItem, errorText(why)))
		}
		ti := &turnItems{user: u, answer: ans}
		if p := t.Proposal; p != nil {
			ti.outcome, ti.proposal = m.outcomeItem(p), p
			items = append(items, ti.outcome)
		}
		m.sess.byTurn[t.N] = ti
	}
	if a := m.ask; a != nil {
		items = append(items, a.user, a.answer)
		if a.turn > 0 {
			m.sess.byTurn[a.turn] = &turnItems{user: a.user, answer: a.answer}
		}
	}
	for _, q := range m.queue {
		items = append(items, q.user)
	}
	m.conv.setItems(items)
	if seed {
		m.input.seed(prompts)
	}
	m.pane.current = doc.Session.ID
	m.pane.setContext(ctxTurn, ctx)
	if m.last.Model == "" {
		// Nothing answered here yet: the status bar names the model that
		// answered the session's last turn, not "default".
		for i := len(doc.Turns) - 1; i >= 0; i-- {
			if t := doc.Turns[i]; t.Model != "" {
				m.last = AskResult{Provider: t.Provider, Model: t.Model, Node: t.Node}
				break
			}
		}
	}
}

// turnItems makes the items of a recorded turn.
func (m *Model) turnItems(t session.Turn) (*item, *item) {
	u := m.newItem(userItem, t.Prompt)
	u.turn = t.N
	if t.Actor != actor {
		u.actor = t.Actor
	}
	ans := m.newItem(answerItem, t.Answer)
	ans.turn = t.N
	ans.setMeta(t.Provider, t.Model, t.Node, t.PromptTokens, t.CompletionTokens, t.CostUSD, t.CostUnknown, t.TotalMillis)
	status := t.Status
	if t.Orphaned {
		status = "interrupted"
	}
	ans.state = turnState(status, t.Reason)
	// A turn read with the session is in its totals, unless it is still
	// being answered (its end event adds it).
	ans.counted = t.Status != "running" || t.Orphaned
	return u, ans
}

// reasonCancelled is the reason the core records for a turn stopped by
// the user (Esc here, Ctrl-C in the CLI); the interaction's status is
// "cancelled" too.
const reasonCancelled = "cancelled"

// turnState is how a turn's status shows in its answer's header, the
// same live and when the session is read again: a turn stopped by the
// user is "interrupted: cancelled" (interrupted in the session, cancelled
// in the history), one cut off otherwise "interrupted", one that failed
// "failed" (the reason, an error, is said whole under it: see
// cutReason).
func turnState(status, reason string) string {
	switch status {
	case "completed":
		return ""
	case "running":
		return "answering…"
	case "interrupted":
		if reason == reasonCancelled {
			return "interrupted: " + reasonCancelled
		}
	}
	return status
}

// cutReason is why a turn shown in state was cut off or failed, to say
// under its answer, wrapped, as it was said when it happened here: the
// header's "interrupted" alone reads the same for a stopped provider, a
// lost connection and a process that quit, and a failure's error (which
// of the providers failed how, what to do) does not fit a header. "" for
// other states, and for a turn the user stopped (its header says
// "cancelled").
func cutReason(state, reason string) string {
	if state != "interrupted" && state != "failed" {
		return ""
	}
	return reason
}

// follow subscribes to the open session's events after the event id
// after, replacing any subscription.
func (m *Model) follow(after int64) tea.Cmd {
	m.stopLive()
	if m.sess.info.ID == "" {
		return nil
	}
	m.subGen++
	sub, cmd := m.subscribeCmd(m.subGen, m.sess.info.ID, after)
	m.sub = sub
	return cmd
}

// refreshSessions reads the sessions list again while it shows: a turn
// ended (the open session's count, or a session the first answer made).
func (m *Model) refreshSessions() tea.Cmd {
	if m.pane.view != paneSessions {
		return nil
	}
	return m.sessionsCmd()
}

func (m *Model) stopLive() {
	if m.sub != nil {
		m.sub.cancel()
		m.sub = nil
	}
}

// live applies a batch of the open session's events: turns asked from
// other interfaces and nodes appear, their answers fill in. A gap in the
// versions (events missed) reads the session again.
func (m *Model) live(msg liveMsg) tea.Cmd {
	if m.sub == nil || msg.gen != m.sub.gen {
		return nil
	}
	m.retries = 0
	reload, ended := false, false
	for _, ev := range msg.evs {
		switch ev.Type {
		case session.TypeTurnCompleted, session.TypeTurnInterrupted, session.TypeTurnFailed:
			ended = true
		}
		m.sess.lastID = max(m.sess.lastID, ev.ID)
		m.sess.seen = max(m.sess.seen, ev.Version)
		switch {
		case ev.Version <= m.sess.version:
		case reload || ev.Version > m.sess.version+1:
			reload = true
		default:
			m.sess.version = ev.Version
			reload = !m.apply(ev)
		}
	}
	if m.sess.removed {
		m.sessionRemoved("the next question starts a new one")
		return nil
	}
	cmds := []tea.Cmd{m.waitLive(m.sub)}
	if ended {
		cmds = append(cmds, m.refreshSessions())
	}
	if reload && !m.reloading {
		m.reloading = true
		cmds = append(cmds, m.docCmd(m.sess.info.ID, true))
	}
	return tea.Batch(cmds...)
}

// apply shows one event of the open session; it reports false when the
// event cannot be placed (a turn that ends without having started here).
func (m *Model) apply(ev events.Event) bool {
	info := &m.sess.info
	info.UpdatedAt = ev.Time
	switch ev.Type {
	case session.TypeTurnStarted:
		var p session.TurnStarted
		if json.Unmarshal(ev.Payload, &p) != nil {
			return false
		}
		info.Turns = max(info.Turns, p.Turn)
		if m.sess.byTurn[p.Turn] != nil {
			return true
		}
		if a := m.ask; a != nil && a.turn == 0 && ev.Actor == actor && p.Prompt == a.recorded {
			// Our own question's turn.
			a.turn, a.user.turn = p.Turn, p.Turn
			m.sess.byTurn[p.Turn] = &turnItems{user: a.user, answer: a.answer}
			m.conv.changed(a.user, true)
			return true
		}
		u := m.newItem(userItem, p.Prompt)
		u.turn = p.Turn
		if ev.Actor != actor {
			u.actor = ev.Actor
		}
		ans := m.newItem(answerItem, "")
		ans.turn, ans.state = p.Turn, "answering…"
		if ev.Node != "" && ev.Node != m.status.Node {
			ans.state = "answering on " + ev.Node + "…"
		}
		m.sess.byTurn[p.Turn] = &turnItems{user: u, answer: ans}
		m.conv.insertBefore(m.firstPending(), u, ans)
	case session.TypeTurnCompleted, session.TypeTurnInterrupted, session.TypeTurnFailed:
		var p struct {
			Turn int64 `json:"turn"`
			session.Outcome
		}
		if json.Unmarshal(ev.Payload, &p) != nil {
			return false
		}
		if c := session.DecodeContext(p.Context); c != nil {
			m.pane.setContext(p.Turn, c)
		}
		ti := m.sess.byTurn[p.Turn]
		if ti == nil {
			return false
		}
		ans := ti.answer
		if !ans.counted {
			info.PromptTokens += p.PromptTokens
			info.CompletionTokens += p.CompletionTokens
			info.CostUSD += session.USD(p.CostNUSD)
			info.CostUnknown = info.CostUnknown || p.CostUnknown
			ans.counted = true
			ans.setMeta(p.Provider, p.Model, p.Node, p.PromptTokens, p.CompletionTokens, session.USD(p.CostNUSD), p.CostUnknown, p.TotalMillis)
		}
		if p.Model != "" {
			info.Provider, info.Model = p.Provider, p.Model
		}
		if ans.mine {
			// Its text and state are the answer's own, as it streamed and
			// ended here; its numbers come from its result when that had
			// them, else (an answer stopped through a node) from here.
			m.conv.changed(ans, true)
			return true
		}
		ans.text = p.Answer
		ans.state = turnState(map[string]string{session.TypeTurnCompleted: "completed", session.TypeTurnInterrupted: "interrupted",
			session.TypeTurnFailed: "failed"}[ev.Type], p.Reason)
		if why := cutReason(ans.state, p.Reason); why != "" {
			m.noteUnder(ans, errorItem, "%s", errorText(why))
		}
		m.conv.changed(ans, false)
	case session.TypeTurnProposal:
		return m.applyProposal(ev)
	case session.TypeArchived:
		info.Status = "archived"
		m.note("this session was archived elsewhere")
	case session.TypeUnarchived:
		info.Status = "active"
	case session.TypeRemoved:
		m.sess.removed = true
	}
	return true
}

// firstPending is the first item of this TUI's own question in flight or
// waiting, before which turns from elsewhere go; nil when there is none.
func (m *Model) firstPending() *item {
	if m.ask != nil && m.ask.turn == 0 {
		return m.ask.user
	}
	if len(m.queue) > 0 {
		return m.queue[0].user
	}
	return nil
}

// liveEnded handles the end of the subscription: the connection is lost.
func (m *Model) liveEnded(msg liveEndMsg) tea.Cmd {
	if m.sub == nil || msg.gen != m.sub.gen {
		return nil
	}
	m.sub = nil
	if msg.err == nil {
		msg.err = errors.New("the event stream ended")
	}
	m.statusErr = oneLine(msg.err.Error())
	return m.lost()
}

// lost marks the connection lost and starts probing it.
func (m *Model) lost() tea.Cmd {
	if m.conn == connLost {
		return nil
	}
	m.conn = connLost
	m.statusGen++
	return m.statusTick(m.backoff())
}

// backoff is how long to wait before the next reconnection attempt.
func (m *Model) backoff() time.Duration {
	d := reconnectMin << min(m.retries, 5)
	m.retries++
	return min(d, statusEvery)
}

// gotStatus shows the status; after a lost connection it resumes the
// subscription where it stopped and sends what was queued.
func (m *Model) gotStatus(msg statusMsg) tea.Cmd {
	if msg.gen != m.statusGen {
		// Asked before the connection was lost: it says nothing of now.
		return nil
	}
	if msg.err != nil {
		if u := (*Unusable)(nil); errors.As(msg.err, &u) {
			m.unusable = u.Err
			return tea.Quit
		}
		text := oneLine(msg.err.Error())
		if errors.Is(msg.err, ErrUnreachable) {
			m.statusErr, m.conn = text, connLost
			return m.statusTick(m.backoff())
		}
		if text != m.statusErr {
			// The bar has room for the start of it only, and the end is
			// often what to do (a store a newer aiex used: upgrade): the
			// conversation says it whole, wrapped, once while it lasts.
			m.errorNote("%s", errorText(text))
		}
		m.statusErr = text
		return m.statusTick(statusEvery)
	}
	m.status, m.statusErr = msg.st, ""
	m.conv.setSelf(msg.st.Node)
	m.conn = connUp
	cmds := []tea.Cmd{m.statusTick(statusEvery)}
	if m.sub == nil && m.sess.info.ID != "" {
		if m.sess.lastID > 0 {
			cmds = append(cmds, m.follow(m.sess.lastID))
		} else {
			m.reloading = true
			cmds = append(cmds, m.docCmd(m.sess.info.ID, true), m.follow(-recentEvents))
		}
	}
	cmds = append(cmds, m.pump())
	return tea.Batch(cmds...)
}
