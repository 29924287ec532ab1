package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
)

// pickerView is the model picker: every model of the cluster with the
// node that hosts it, local or cloud, its context window and price,
// filtered by what is typed. It covers the conversation while open.
type pickerView struct {
	th            *theme
	width, height int

	all     []ModelInfo
	shown   []int // indexes into all that match the filter
	filter  string
	cursor  int
	top     int
	loading bool
	err     string

	provider, model string // the current choice, marked
	node            string // the node hosting it, when the TUI knows it is another; else any

	lines []string
}

func newPicker(th *theme, provider, model, node string) *pickerView {
	return &pickerView{th: th, provider: provider, model: model, node: node, loading: true}
}

// set fills the list: this node's local models first, then other nodes',
// then cloud models, each by name.
func (p *pickerView) set(list []ModelInfo, err error) {
	p.loading = false
	if err != nil {
		p.err = oneLine(err.Error())
	}
	p.all = slices.Clone(list)
	rank := func(mi ModelInfo) int {
		switch {
		case mi.Local && mi.Node == "":
			return 0
		case mi.Node != "":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(p.all, func(a, b ModelInfo) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Node, b.Node),
			cmp.Compare(modelName(a.Provider, a.Model), modelName(b.Provider, b.Model)))
	})
	if p.node != "" && !slices.ContainsFunc(p.all, p.isCurrent) {
		p.node = "" // listed under another name of its node: mark it anywhere
	}
	p.refilter()
	// Start on the current choice.
	for i, k := range p.shown {
		if p.isCurrent(p.all[k]) {
			p.cursor = i
		}
	}
	p.layout()
}

func (p *pickerView) isCurrent(mi ModelInfo) bool {
	if p.model == "" || (p.node != "" && mi.Node != p.node) {
		return false
	}
	if p.provider == "" {
		// A name as typed (AIEX_MODEL): NAME or PROVIDER/NAME, as
		// findModel takes it.
		_, ok := findModel([]ModelInfo{mi}, p.model)
		return ok
	}
	return mi.Model == p.model && mi.Provider == p.provider
}

// refilter keeps the models whose name, provider or node contains every
// word of the filter.
func (p *pickerView) refilter() {
	words := strings.Fields(strings.ToLower(p.filter))
	p.shown = p.shown[:0]
	for i, mi := range p.all {
		hay := strings.ToLower(modelName(mi.Provider, mi.Model) + " " + where(mi))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *pickerView) setSize(w, h int) {
	p.width, p.height = w, h
	p.layout()
}

func (p *pickerView) move(n int) {
	p.cursor = max(0, min(p.cursor+n, len(p.shown)-1))
	p.layout()
}

// selected is the model under the cursor.
func (p *pickerView) selected() (ModelInfo, bool) {
	if p.cursor >= len(p.shown) {
		return ModelInfo{}, false
	}
	return p.all[p.shown[p.cursor]], true
}

const pickerHead = 5 // title, hint, filter, blank, column names

// markW is the width of a row's marks: the cursor (▸), the current
// choice (●), a space.
const markW = 3

func (p *pickerView) layout() {
	if p.width <= 0 {
		return
	}
	th, w := p.th, p.width
	ls := []string{
		th.bold.Render("Models") + th.dim.Render(fmt.Sprintf(" · %d in the cluster", len(p.all))),
		th.dim.Render("type to filter · ↑↓ move · enter picks · esc closes"),
		"filter: " + p.filter + th.attrStyle().Reverse(true).Render(" "),
		"",
	}
	// The columns beside the names give way where they do not all fit —
	// the price, then the window, then where — before a name is cut: a
	// name cut to "good/fake-b…" cannot be told from the next one.
	nameW, whereW, priceW := len("model"), len("where"), len("price")
	for _, mi := range p.all {
		nameW = max(nameW, xansi.StringWidth(oneLine(modelName(mi.Provider, mi.Model))))
		whereW = max(whereW, xansi.StringWidth(oneLine(where(mi))))
		priceW = max(priceW, xansi.StringWidth(price(mi)))
	}
	colsW := []int{2 + whereW, 2 + 9, 2 + priceW} // where, window, price
	cols := len(colsW)
	rest := func() (n int) {
		for _, c := range colsW[:cols] {
			n += c
		}
		return n
	}
	for cols > 0 && markW+nameW+rest() > w {
		cols--
	}
	nameW = max(min(nameW, w-markW-rest()), 1)
	row := func(mark, name, wh, window, pr string) string {
		l := mark + pad(xansi.Truncate(oneLine(name), nameW, "…"), nameW)
		if cols > 0 {
			l += "  " + pad(oneLine(wh), whereW)
		}
		if cols > 1 {
			l += fmt.Sprintf("  %9s", window)
		}
		if cols > 2 {
			l += "  " + pr
		}
		return l
	}
	ls = append(ls, th.dim.Render(row("   ", "model", "where", "window", "price")))
	body := p.height - len(ls)
	switch {
	case p.loading:
		ls = append(ls, th.dim.Render("  listing the cluster's models…"))
	case p.err != "" && len(p.all) == 0:
		ls = append(ls, th.errorText.Render("  "+p.err))
	case len(p.shown) == 0:
		ls = append(ls, th.dim.Render("  no model matches"))
	}
	if body > 0 && len(p.shown) > 0 {
		if p.cursor < p.top {
			p.top = p.cursor
		}
		if p.cursor >= p.top+body {
			p.top = p.cursor - body + 1
		}
		p.top = max(0, min(p.top, len(p.shown)-body))
		for i := p.top; i < len(p.shown) && i < p.top+body; i++ {
			mi := p.all[p.shown[i]]
			// The cursor, then the current choice: both show when
			// the cursor is on it.
			mark := []rune("   ")
			if i == p.cursor {
				mark[0] = '▸'
			}
			if p.isCurrent(mi) {
				mark[1] = '●'
			}
			window := "-"
			if mi.ContextWindow > 0 {
				window = thousands(mi.ContextWindow)
			}
			l := row(string(mark), modelName(mi.Provider, mi.Model), where(mi), window, price(mi))
			if i == p.cursor {
				l = th.selected.Render(pad(l, w))
			}
			ls = append(ls, l)
		}
	}
	for i, l := range ls {
		ls[i] = pad(xansi.Truncate(l, w, "…"), w)
	}
	for len(ls) < p.height {
		ls = append(ls, strings.Repeat(" ", w))
	}
	p.lines = ls[:max(p.height, 0)]
}

func (p *pickerView) view() []string { return p.lines }

// openPicker opens the model picker and lists the models.
func (m *Model) openPicker() tea.Cmd {
	provider, model, node := m.current()
	m.picker = newPicker(m.th, provider, model, node)
	m.layout()
	return m.modelsCmd()
}

// current is the model the next question goes to, as the status bar
// names it (see nextModel), for the picker to mark and start on: the one
// picked, else AIEX_MODEL's, else the backend's plan, else what answered
// last; and the node hosting it when another ("" when it is this one, or
// not known).
func (m *Model) current() (provider, model, node string) {
	switch {
	case m.model != "" || m.envModel != "":
		provider, model = m.chosen()
	case m.status.Model != "":
		provider, model, node = m.status.Provider, m.status.Model, m.status.ModelNode
	case m.last.Model != "":
		provider, model, node = m.last.Provider, m.last.Model, m.last.Node
	}
	if node == m.status.Node {
		node = ""
	}
	return provider, model, node
}

func (m *Model) closePicker() {
	m.picker = nil
	m.layout()
}

// pickerKey handles a key while the picker is open.
func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p := m.picker
	switch msg.Type {
	case tea.KeyUp, tea.KeyShiftTab:
		p.move(-1)
	case tea.KeyDown, tea.KeyTab:
		p.move(1)
	case tea.KeyPgUp:
		p.move(-max(p.height-pickerHead, 1))
	case tea.KeyPgDown:
		p.move(max(p.height-pickerHead, 1))
	case tea.KeyEnter:
		if mi, ok := p.selected(); ok {
			m.provider, m.model = mi.Provider, mi.Model
			m.closePicker()
			m.note("model: %s", describeModel(mi))
		}
	case tea.KeyEsc:
		m.closePicker()
	case tea.KeyBackspace:
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
			p.refilter()
			p.layout()
		}
	case tea.KeyCtrlU:
		p.filter = ""
		p.refilter()
		p.layout()
	case tea.KeyRunes, tea.KeySpace:
		if !msg.Paste {
			p.filter += string(msg.Runes)
			p.refilter()
			p.layout()
		}
	}
	return nil
}
