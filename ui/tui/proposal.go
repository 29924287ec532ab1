package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/aymanbagabas/go-udiff"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/workflow"
)

// proposalView shows what a refactoring or generation task proposes: its
// checks, then each file's hunks, which the user keeps or drops one by
// one before writing what is kept (through a checkpoint: /undo puts it
// back). It covers the conversation while open.
type proposalView struct {
	th            *theme
	width, height int

	req     TaskRequest
	res     *TaskResult
	files   []*proposalFile
	choices []choice
	cursor  int
	top     int // the first body line shown

	head       []string // the fixed lines above the body
	body       []string
	choiceLine []int  // the body line of each choice's header
	msg        string // the last thing said (a refusal, writing…)
	msgErr     bool
	writing    bool
	focused    bool // it has the keys (else the editor has)
	hidden     bool // the conversation shows instead: a question was sent
}

// proposalFile is one file of a proposal, with what the user keeps of it.
type proposalFile struct {
	change parse.Change
	status string // added, modified, deleted, renamed
	old    string
	hunks  []*udiff.Hunk // nil: the file is kept or dropped whole
	keep   []bool        // per hunk; one for a whole file
}

// choice is a hunk of a file, or a whole file (hunk -1).
type choice struct{ file, hunk int }

// loadProposal reads the files a proposal changes, as they are now, and
// cuts each modified one into hunks. It reads the project (I/O): it runs
// in a command.
func loadProposal(root string, res *TaskResult) []*proposalFile {
	p := res.Proposal
	status := map[string]string{}
	for _, f := range p.Files {
		status[f.Path] = f.Status
	}
	var out []*proposalFile
	for _, c := range p.Changes {
		f := &proposalFile{change: c, status: status[c.Path], keep: []bool{true}}
		if f.status == "" {
			f.status = "modified"
		}
		if f.status == "modified" && !c.Delete {
			if b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.Path))); err == nil {
				f.old = string(b)
				if hs, err := workflow.Hunks(f.old, string(c.Content)); err == nil && len(hs) > 0 {
					f.hunks = hs
					f.keep = make([]bool, len(hs))
					for i := range f.keep {
						f.keep[i] = true
					}
				}
			}
		}
		out = append(out, f)
	}
	return out
}

func newProposalView(th *theme, req TaskRequest, res *TaskResult, files []*proposalFile) *proposalView {
	v := &proposalView{th: th, req: req, res: res, files: files}
	for i, f := range files {
		if f.hunks == nil {
			v.choices = append(v.choices, choice{i, -1})
			continue
		}
		for j := range f.hunks {
			v.choices = append(v.choices, choice{i, j})
		}
	}
	return v
}

// reviewHint says, while the editor has the keys, how to give them to
// the proposal and what its keys then do.
const reviewHint = "tab: review the proposal — enter writes the kept hunks, esc closes"

// failedHint is reviewHint for a proposal that failed its checks, which
// enter does not write.
const failedHint = "tab: review the proposal — its checks failed, it cannot be written; esc closes"

// writable reports whether the proposal passed its checks: enter writes
// what is kept of it (writeProposal refuses one that did not).
func (v *proposalView) writable() bool {
	return v != nil && v.res != nil && v.res.Proposal != nil && v.res.Proposal.OK()
}

// setFocused says whether the proposal has the keys: its hint line says
// which keys it takes, or how to give them back to it.
func (v *proposalView) setFocused(f bool) {
	v.focused = f
	v.layout()
}

// maxMsgRows bounds the rows a message over the proposal wraps into (a
// refusal, failed checks), so that the hunks keep the room.
const maxMsgRows = 4

func (v *proposalView) setSize(w, h int) {
	v.width, v.height = w, h
	v.layout()
}

// kept reports whether a choice is kept.
func (v *proposalView) kept(c choice) bool {
	return v.files[c.file].keep[max(c.hunk, 0)]
}

func (v *proposalView) toggle() {
	if len(v.choices) == 0 {
		return
	}
	c := v.choices[v.cursor]
	k := &v.files[c.file].keep[max(c.hunk, 0)]
	*k = !*k
	v.layout()
}

func (v *proposalView) setAll(keep bool) {
	for _, f := range v.files {
		for i := range f.keep {
			f.keep[i] = keep
		}
	}
	v.layout()
}

// move moves the cursor n choices and scrolls its hunk into view.
func (v *proposalView) move(n int) {
	if len(v.choices) == 0 {
		return
	}
	v.cursor = max(0, min(v.cursor+n, len(v.choices)-1))
	v.layout()
	v.reveal()
}

// reveal scrolls so that the cursor's hunk is in view, from its header.
func (v *proposalView) reveal() {
	if len(v.choiceLine) == 0 {
		return
	}
	h := v.bodyHeight()
	start := v.choiceLine[v.cursor]
	end := len(v.body)
	if v.cursor+1 < len(v.choiceLine) {
		end = v.choiceLine[v.cursor+1]
	}
	if start < v.top || end-start > h {
		v.top = start
	} else if end > v.top+h {
		v.top = end - h
	}
	v.clampTop()
}

func (v *proposalView) scroll(n int) {
	v.top += n
	v.clampTop()
}

func (v *proposalView) clampTop() {
	v.top = max(0, min(v.top, len(v.body)-v.bodyHeight()))
}

func (v *proposalView) bodyHeight() int { return max(v.height-len(v.head), 1) }

// say shows a line under the header.
func (v *proposalView) say(err bool, format string, args ...any) {
	v.msg, v.msgErr = fmt.Sprintf(format, args...), err
	v.layout()
}

// selected returns the changes to write: whole files kept, and modified
// files with only their kept hunks applied; nil when nothing is kept.
func (v *proposalView) selected() []parse.Change {
	var out []parse.Change
	for _, f := range v.files {
		if f.hunks == nil {
			if f.keep[0] {
				out = append(out, f.change)
			}
			continue
		}
		n := 0
		for _, k := range f.keep {
			if k {
				n++
			}
		}
		switch n {
		case 0:
		case len(f.keep):
			out = append(out, f.change)
		default:
			c := f.change
			c.Content = []byte(workflow.Pick(f.old, f.hunks, f.keep))
			c.Notes = nil
			out = append(out, c)
		}
	}
	return out
}

// partial says whether some of the proposal is dropped.
func (v *proposalView) partial() bool {
	for _, c := range v.choices {
		if !v.kept(c) {
			return true
		}
	}
	return false
}

// leftOut says what of the proposal is dropped, file by file ("1 of 2
// hunks of calc.go left out; lib/new.go left out"), for the turn's
// record of the write; "" when all of it is kept.
func (v *proposalView) leftOut() string {
	var parts []string
	for _, f := range v.files {
		dropped := 0
		for _, k := range f.keep {
			if !k {
				dropped++
			}
		}
		switch {
		case dropped == 0:
		case dropped == len(f.keep):
			parts = append(parts, f.change.Path+" left out")
		default:
			parts = append(parts, fmt.Sprintf("%d of %d hunks of %s left out", dropped, len(f.keep), f.change.Path))
		}
	}
	return strings.Join(parts, "; ")
}

// taskTitle names a task as its slash command does.
func taskTitle(req TaskRequest) string {
	switch req.Kind {
	case TaskRefactor:
		return "refactor " + shownName(req.Target)
	case TaskGenModule:
		return "gen " + shownName(req.Name)
	case TaskGenTests:
		return "tests " + shownName(req.Target)
	}
	return req.Kind
}

// layout renders the header and the body.
func (v *proposalView) layout() {
	if v.width <= 0 {
		return
	}
	th, w := v.th, v.width
	p := v.res.Proposal
	added, removed := 0, 0
	for _, f := range p.Files {
		added += f.Added
		removed += f.Removed
	}
	files := english.Count(len(p.Files), "file")
	if len(p.Files) == 1 {
		files = "1 file"
	}
	head := []string{th.bold.Render(taskTitle(v.req)) + th.dim.Render(fmt.Sprintf(" · %s · ", files)) +
		th.added.Render(fmt.Sprintf("+%d", added)) + " " + th.removed.Render(fmt.Sprintf("−%d", removed))}
	var checks []string
	for _, c := range p.Checks {
		switch c.Status {
		case workflow.OK:
			checks = append(checks, th.added.Render("✓ "+c.Name))
		case workflow.Failed:
			checks = append(checks, th.removed.Render("✗ "+c.Name))
		default:
			checks = append(checks, th.dim.Render("- "+c.Name+" skipped"))
		}
	}
	head = append(head, strings.Join(checks, "  "))
	if t := v.res.Tests; t != nil {
		head = append(head, "tests: "+oneLine(t.ScoredSummary()))
	}
	switch {
	case !v.focused && !v.writable():
		head = append(head, th.dim.Render(failedHint))
	case !v.focused:
		head = append(head, th.dim.Render(reviewHint))
	case v.msg == "" && !v.writable():
		head = append(head, th.dim.Render("↑↓ hunk · its checks failed: it cannot be written · esc close · other keys: the editor"))
	case v.msg == "":
		head = append(head, th.dim.Render("↑↓ hunk · space keep/drop · a all · n none · enter write · esc close · other keys: the editor"))
	}
	if v.msg != "" {
		// Wrapped, not cut: a refusal says what to do at its end.
		style := th.note
		if v.msgErr {
			style = th.errorText
		}
		rows := strings.Split(xansi.Wrap(v.msg, w, ""), "\n")
		if len(rows) > maxMsgRows {
			rows = rows[:maxMsgRows]
			rows[maxMsgRows-1] = xansi.Truncate(rows[maxMsgRows-1]+" …", w, "…")
		}
		for _, r := range rows {
			head = append(head, style.Render(r))
		}
	}
	head = append(head, th.border.Render(strings.Repeat("─", w)))
	for i, l := range head {
		head[i] = pad(xansi.Truncate(l, w, "…"), w)
	}
	v.head = head

	var body []string
	add := func(l string) { body = append(body, pad(xansi.Truncate(l, w, "…"), w)) }
	for _, c := range p.Checks {
		if c.Status != workflow.Failed || c.Detail == "" {
			continue
		}
		add(th.removed.Render("✗ " + c.Name + ":"))
		ls := strings.Split(strings.TrimRight(c.Detail, "\n"), "\n")
		for _, l := range ls[:min(len(ls), 8)] {
			add("  " + printable(l))
		}
		add("")
	}
	for _, w := range p.Warnings {
		add(th.errorText.Render("warning: " + oneLine(w)))
	}
	for _, n := range p.Notes {
		add(th.note.Render("note: " + oneLine(n)))
	}
	v.choiceLine = v.choiceLine[:0]
	ci := 0
	for i, f := range v.files {
		name := shownName(f.change.Path)
		if f.change.OldPath != "" && f.change.OldPath != f.change.Path {
			name = shownName(f.change.OldPath) + " → " + name
		}
		add(th.bold.Render(name) + th.dim.Render(" ("+f.status+")"))
		if f.hunks == nil {
			v.choiceLine = append(v.choiceLine, len(body))
			add(v.choiceHeader(ci, choice{i, -1}, wholeLabel(f)))
			ci++
			keep := f.keep[0]
			if !f.change.Delete {
				ls := strings.SplitAfter(string(f.change.Content), "\n")
				if ls[len(ls)-1] == "" {
					ls = ls[:len(ls)-1]
				}
				for _, l := range ls {
					for _, dl := range v.diffLines(udiff.Insert, l, keep, w) {
						add(dl)
					}
				}
			}
			add("")
			continue
		}
		for j, h := range f.hunks {
			v.choiceLine = append(v.choiceLine, len(body))
			add(v.choiceHeader(ci, choice{i, j}, hunkHeader(h)))
			ci++
			for _, l := range h.Lines {
				for _, dl := range v.diffLines(l.Kind, l.Content, f.keep[j], w) {
					add(dl)
				}
			}
		}
		add("")
	}
	v.body = body
	v.clampTop()
}

func wholeLabel(f *proposalFile) string {
	switch {
	case f.change.Delete:
		return "delete the file"
	case f.status == "added":
		return "new file"
	}
	return "the whole file"
}

// hunkHeader is a hunk's unified-diff header.
func hunkHeader(h *udiff.Hunk) string {
	del, ins := 0, 0
	for _, l := range h.Lines {
		switch l.Kind {
		case udiff.Delete:
			del++
		case udiff.Insert:
			ins++
		default:
			del++
			ins++
		}
	}
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.FromLine, del, h.ToLine, ins)
}

func (v *proposalView) choiceHeader(i int, c choice, label string) string {
	th := v.th
	cur := "  "
	if i == v.cursor {
		cur = "▸ "
	}
	mark := th.added.Render("[✓]")
	if !v.kept(c) {
		mark = th.removed.Render("[ ]")
	}
	l := cur + mark + " " + th.accent.Render(label)
	if i == v.cursor {
		l = th.bold.Render(cur) + mark + " " + th.accent.Render(label)
	}
	return l
}

// diffLines renders one line of a diff in rows of width w: a line too
// long is wrapped, its rows after the first without the sign, never cut,
// since what is written must be seen whole before it is.
func (v *proposalView) diffLines(kind udiff.OpKind, text string, keep bool, w int) []string {
	th := v.th
	text = printable(strings.TrimRight(text, "\n"))
	style, sign := th.dim, " "
	switch {
	case kind == udiff.Insert && keep:
		style, sign = th.added, "+"
	case kind == udiff.Delete && keep:
		style, sign = th.removed, "-"
	case kind == udiff.Insert:
		sign = "+"
	case kind == udiff.Delete:
		sign = "-"
	}
	const indent = "    "
	rows := strings.Split(xansi.Hardwrap(text, max(w-len(indent)-1, 1), true), "\n")
	out := make([]string, len(rows))
	for i, r := range rows {
		if i > 0 {
			sign = " "
		}
		out[i] = style.Render(indent + sign + r)
	}
	return out
}

// view returns the view's lines: the header, then the body from top.
func (v *proposalView) view() []string {
	out := make([]string, 0, v.height)
	out = append(out, v.head...)
	end := min(v.top+v.bodyHeight(), len(v.body))
	out = append(out, v.body[min(v.top, end):end]...)
	for len(out) < v.height {
		out = append(out, strings.Repeat(" ", v.width))
	}
	return out[:v.height]
}
