package tui

import (
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/english"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

// Tasks on the project: /refactor, /gen, /tests stream the model's answer
// like a question, then open its proposal (proposalView); what is kept is
// written through a checkpoint, and /undo restores the last one written
// from this TUI.

// recordedTask is the prompt the core records for a task's turn.
func recordedTask(t TaskRequest) string {
	switch t.Kind {
	case TaskRefactor:
		return "refactor " + t.Target + ": " + t.Goal
	case TaskGenModule:
		return "gen module " + t.Name + ": " + t.Description
	case TaskGenTests:
		return "gen tests " + t.Target
	}
	return t.Kind
}

// taskCommand parses /refactor TARGET GOAL…, /gen [module] NAME DESC…,
// /gen tests TARGET and /tests TARGET.
func taskCommand(c slash) (TaskRequest, string) {
	args, after := c.args, c.after
	switch c.name {
	case "refactor":
		if len(args) < 2 {
			return TaskRequest{}, "/refactor needs a target and a goal: /refactor TARGET what the change should do"
		}
		return TaskRequest{Kind: TaskRefactor, Target: args[0], Goal: after(1)}, ""
	case "gen":
		if len(args) > 0 && args[0] == "tests" {
			if len(args) != 2 {
				return TaskRequest{}, "/gen tests needs one target: /gen tests TARGET"
			}
			return TaskRequest{Kind: TaskGenTests, Target: args[1]}, ""
		}
		skip := 0
		if len(args) > 0 && args[0] == "module" {
			skip = 1
		}
		if len(args) < skip+2 {
			return TaskRequest{}, "/gen needs a module name and what it should do: /gen MyApp.Cache a cache with expiry"
		}
		return TaskRequest{Kind: TaskGenModule, Name: args[skip], Description: after(skip + 1)}, ""
	case "tests":
		if len(args) != 1 {
			return TaskRequest{}, "/tests needs one target: /tests TARGET (PATH, PATH:LINE or a symbol)"
		}
		return TaskRequest{Kind: TaskGenTests, Target: args[0]}, ""
	}
	return TaskRequest{}, "unknown task /" + c.name
}

// taskDone finishes a task's answer as a question's, then opens its
// proposal once the files it changes are read.
func (m *Model) taskDone(msg taskDoneMsg) tea.Cmd {
	if a := m.ask; a == nil || a.id != msg.id {
		return nil
	}
	var ans *AskResult
	if msg.res != nil {
		ans = msg.res.Answer
	}
	cmd := m.askDone(askDoneMsg{id: msg.id, res: ans, err: msg.err})
	if msg.res != nil && msg.res.Confinement != "" {
		// As the CLI warns on stderr: the proposal's checks ran model-
		// written code less confined than the user's mode asked.
		m.errorNote("warning: %s", msg.res.Confinement)
	}
	if msg.err != nil || msg.res == nil || msg.res.Proposal == nil {
		return cmd
	}
	return tea.Batch(cmd, m.proposalCmd(msg.req, msg.res))
}

// openProposal shows a proposal over the conversation.
func (m *Model) openProposal(msg proposalMsg) {
	if len(msg.files) == 0 {
		m.note("the answer changes no file")
		return
	}
	m.prop = newProposalView(m.th, msg.req, msg.res, msg.files)
	if !msg.res.Proposal.OK() {
		m.prop.msg, m.prop.msgErr = "failed its checks: "+strings.Join(msg.res.Proposal.Failures(), "; ")+" · esc closes", true
	}
	// It does not take the keys: what is being typed, or typed next,
	// is meant for the editor. Tab gives them to it (see proposalKey).
	if m.focus == focusProposal {
		m.focus = focusInput
	}
	m.setFocus(m.focus)
	m.layout()
}

// proposalKey handles a key while the proposal has the keys (tab gave
// them to it). Its keys are the arrows, space, a and n, Enter (write),
// Esc (close), tab and ? — any other key, an editing key (Backspace,
// Ctrl+U, Left…) or a letter, gives the keys back to the editor and is
// applied there: whoever presses it means the editor, and an Enter that
// follows then sends what is typed rather than writing the proposal.
func (m *Model) proposalKey(msg tea.KeyMsg) tea.Cmd {
	v := m.prop
	switch msg.String() {
	case "up":
		v.move(-1)
	case "down":
		v.move(1)
	case " ":
		v.toggle()
	case "a":
		v.setAll(true)
	case "n":
		v.setAll(false)
	case "pgup":
		v.scroll(-max(v.bodyHeight()/2, 1))
	case "pgdown":
		v.scroll(max(v.bodyHeight()/2, 1))
	case "shift+up":
		v.scroll(-1)
	case "shift+down":
		v.scroll(1)
	case "home":
		v.cursor = 0
		v.move(0)
	case "end":
		v.move(len(v.choices))
	case "enter":
		return m.writeProposal()
	case "esc":
		if !v.writing {
			return m.declineProposal()
		}
	case "tab":
		m.setFocus(focusInput)
		m.layout()
	case "?", "f1":
		m.openHelp()
	default:
		m.setFocus(focusInput)
		m.layout()
		return m.key(msg)
	}
	return nil
}

// writeProposal writes what is kept of the open proposal.
func (m *Model) writeProposal() tea.Cmd {
	v := m.prop
	p := v.res.Proposal
	switch {
	case v.writing:
		return nil
	case !p.OK():
		v.say(true, "the change failed its checks (%s); it cannot be written · esc closes", strings.Join(p.Failures(), "; "))
		return nil
	}
	changes := v.selected()
	if len(changes) == 0 {
		v.say(true, "nothing is kept: space keeps a hunk, a keeps all; esc closes")
		return nil
	}
	v.writing = true
	v.say(false, "writing…")
	req := ApplyRequest{Changes: changes, Session: m.sess.info.ID, Reason: strings.ReplaceAll(v.req.Kind, "-", " "), Label: p.Target,
		Partial: v.leftOut()}
	if a := v.res.Answer; a != nil {
		req.Session, req.Turn = a.Session, a.Turn
	}
	return m.applyCmd(req)
}

// declinedInTUI is how a turn records a proposal closed unwritten.
const declinedInTUI = "closed unwritten in the TUI"

// declineProposal closes the open proposal unwritten. One that passed its
// checks was shown to be written and was not: its turn records it as
// declined, as the CLI records a no at its prompt (its turn said a dry
// run until then). One that failed them stays recorded as refused.
func (m *Model) declineProposal() tea.Cmd {
	v := m.prop
	m.closeProposal("proposal closed; nothing written")
	a := v.res.Answer
	if !v.res.Proposal.OK() || a == nil || a.Session == "" || a.Turn < 1 {
		return nil
	}
	return m.declineCmd(ApplyRequest{Session: a.Session, Turn: a.Turn, Reason: strings.ReplaceAll(v.req.Kind, "-", " "),
		Label: v.res.Proposal.Target, Declined: true, DeclinedHow: declinedInTUI})
}

func (m *Model) closeProposal(note string) {
	m.prop = nil
	if m.focus == focusProposal {
		m.focus = focusInput
	}
	m.setFocus(m.focus)
	if note != "" {
		m.note("%s", note)
	}
	m.layout()
}

// applied ends a write: the proposal closes and the checkpoint goes on
// the undo stack.
func (m *Model) applied(msg appliedMsg) {
	v := m.prop
	if v != nil {
		v.writing = false
	}
	switch {
	case msg.err != nil && v != nil:
		v.say(true, "not written: %s", oneLine(msg.err.Error()))
	case msg.err != nil:
		m.errorNote("not written: %s", oneLine(msg.err.Error()))
	case msg.cp == nil:
		m.closeProposal("nothing to write: the files already are as the change makes them")
	default:
		partial := ""
		if v != nil && v.partial() {
			partial = " (the hunks kept; the checks ran on the whole change)"
		}
		m.undo = append(m.undo, msg.cp.ID)
		m.closeProposal(fmt.Sprintf("wrote %s%s · checkpoint %s · /undo puts it back", checkpointFiles(msg.cp), partial, shortID(msg.cp.ID)))
	}
}

// undoLast restores the last checkpoint written from this TUI.
func (m *Model) undoLast() tea.Cmd {
	if len(m.undo) == 0 {
		m.note("nothing written from this TUI to undo; aiex checkpoint list shows the project's checkpoints")
		return nil
	}
	if m.undoing {
		return nil
	}
	m.undoing = true
	return m.restoreCmd(m.undo[len(m.undo)-1])
}

func (m *Model) restored(msg restoredMsg) {
	m.undoing = false
	if msg.err != nil {
		m.errorNote("/undo: %s", oneLine(msg.err.Error()))
		return
	}
	if n := len(m.undo); n > 0 && m.undo[n-1] == msg.id {
		m.undo = m.undo[:n-1]
	}
	files := "nothing (the files already were as before)"
	if r := msg.res; r != nil && len(r.Files) > 0 {
		names := make([]string, len(r.Files))
		for i, f := range r.Files {
			names[i] = f.Path
		}
		files = listNames(names)
	}
	m.note("undone: restored %s as before checkpoint %s", files, shortID(msg.id))
}

func checkpointFiles(cp *checkpoint.Checkpoint) string {
	if len(cp.Files) == 0 {
		return english.Count(cp.NFiles, "file")
	}
	names := make([]string, len(cp.Files))
	for i, f := range cp.Files {
		names[i] = f.Path
	}
	return listNames(names)
}

// listNames lists up to three names of files, then how many more.
func listNames(names []string) string {
	shown := make([]string, min(len(names), 3))
	for i := range shown {
		shown[i] = shownName(names[i])
	}
	if len(names) <= 3 {
		return strings.Join(shown, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(shown, ", "), len(names)-3)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
