package tui

import (
	"fmt"
	"math"
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
)

// itemKind is what a conversation item shows.
type itemKind int

const (
	userItem   itemKind = iota // a prompt
	answerItem                 // an answer, as Markdown
	noteItem                   // a line from the TUI itself
	errorItem                  // something that went wrong
)

// item is one message of the conversation. Its body is rendered once per
// width and cached; its header (who, what answered, tokens) is cheap and
// recomposed when it changes.
type item struct {
	id   int
	kind itemKind
	text string // the prompt, the answer's Markdown or the note

	// Header details.
	turn    int64
	actor   string // the interface that asked, when not this TUI
	model   string // what answered: provider/model
	node    string // the node that answered
	usage   string // tokens, cost, time
	state   string // "", "answering…", "queued", "interrupted: cancelled", "failed: …"
	mine    bool   // asked from this TUI
	counted bool   // the answer's tokens and cost are in the session's totals
	pending bool   // a final render is on its way (see renderCmd)

	stream *streamDoc // while the answer streams

	body      []string // rendered body at bodyWidth
	bodyWidth int
	lines     []string // header + body + a blank line, at width
	width     int
}

// gutter is the indent of message bodies under their header.
const gutter = 2

// conversation is the conversation pane: a list of items shown from the
// bottom up. Only the items in view are rendered, so a session of
// thousands of messages opens, resizes and scrolls at the cost of a
// screenful. Update calls layout after every change; View only joins the
// lines layout left.
type conversation struct {
	th            *theme
	md            *markdown // at the body width
	width, height int
	items         []*item
	self          string // this node's id: answers from others say where they came from
	offset        int    // lines between the bottom of the view and the end; 0 follows new text
	top           bool   // the view reaches the first item
	view          []string
}

func newConversation(th *theme) *conversation {
	return &conversation{th: th}
}

// setSize changes the pane's size; at a new width every item renders
// again (when it comes into view).
func (c *conversation) setSize(w, h int) {
	if w != c.width {
		c.width = w
		c.md = newMarkdown(c.th.profile, c.th.dark, c.bodyWidth())
		for _, it := range c.items {
			it.lines = nil
			if it.stream != nil {
				it.stream.rerender(c.md)
			}
		}
	}
	c.height = h
	c.layout()
}

func (c *conversation) bodyWidth() int { return max(c.width-gutter, 10) }

// setSelf sets this node's id (the headers change).
func (c *conversation) setSelf(id string) {
	if id == c.self {
		return
	}
	c.self = id
	for _, it := range c.items {
		it.lines = nil
	}
	c.layout()
}

// add appends an item and returns it.
func (c *conversation) add(it *item) *item {
	c.items = append(c.items, it)
	if c.offset > 0 {
		c.offset += len(c.render(it))
	}
	c.layout()
	return it
}

// setItems replaces the items and follows the end.
func (c *conversation) setItems(items []*item) {
	c.items, c.offset = items, 0
	c.layout()
}

// insertBefore inserts items before anchor (at the end when anchor is nil
// or not there).
func (c *conversation) insertBefore(anchor *item, items ...*item) {
	at := len(c.items)
	for i, x := range c.items {
		if x == anchor {
			at = i
			break
		}
	}
	c.items = append(c.items[:at], append(items, c.items[at:]...)...)
	if c.offset > 0 {
		for _, it := range items {
			c.offset += len(c.render(it))
		}
	}
	c.layout()
}

// insertAfter inserts items right after anchor (at the end when anchor is
// not there): an answer goes under its question, above the questions
// queued after it.
func (c *conversation) insertAfter(anchor *item, items ...*item) {
	var next *item
	for i, x := range c.items {
		if x == anchor && i+1 < len(c.items) {
			next = c.items[i+1]
			break
		}
	}
	c.insertBefore(next, items...)
}

// remove takes an item out.
func (c *conversation) remove(it *item) {
	for i, x := range c.items {
		if x == it {
			c.items = append(c.items[:i], c.items[i+1:]...)
			break
		}
	}
	c.layout()
}

// find returns the item with id, or nil.
func (c *conversation) find(id int) *item {
	for i := len(c.items) - 1; i >= 0; i-- {
		if c.items[i].id == id {
			return c.items[i]
		}
	}
	return nil
}

// reset empties the conversation.
func (c *conversation) reset() {
	c.items, c.offset = nil, 0
	c.layout()
}

// changed re-lays an item out after its text changed (or, with
// headerOnly, its header), keeping the view where it is if the user
// scrolled up.
func (c *conversation) changed(it *item, headerOnly bool) {
	before := len(it.lines)
	if !headerOnly && it.stream == nil {
		it.body = nil
	}
	it.lines = nil
	if c.offset > 0 {
		c.offset += len(c.render(it)) - before
	}
	c.layout()
}

// appendStream adds streamed text to an answer.
func (c *conversation) appendStream(it *item, text string) {
	if it.stream == nil {
		it.stream = newStreamDoc(c.md)
	}
	it.stream.write(text)
	it.text = it.stream.text()
	c.changed(it, false)
}

// setBody installs a body rendered elsewhere (see renderCmd) if it was
// rendered at the current width.
func (c *conversation) setBody(it *item, width int, body []string) {
	it.pending = false
	if width != c.bodyWidth() {
		it.stream, it.body, it.lines = nil, nil, nil
		c.layout()
		return
	}
	it.stream, it.body, it.bodyWidth = nil, body, width
	c.changed(it, true)
}

// scroll moves the view n lines up (negative: down).
func (c *conversation) scroll(n int) {
	c.offset = max(c.offset+n, 0)
	c.layout()
}

// toTop shows the first item. The offset counts lines from the bottom,
// so the whole conversation is rendered to find it (once per width: the
// lines are cached), where scrolling renders a screenful at a time.
func (c *conversation) toTop() {
	c.offset = math.MaxInt32 // clamped by layout
	c.layout()
}

// bottom follows the end again.
func (c *conversation) bottom() {
	c.offset = 0
	c.layout()
}

// layout renders the items in view (from the bottom up) and cuts the
// view's lines out of them.
func (c *conversation) layout() {
	if c.height <= 0 || c.width <= 0 {
		c.view = nil
		return
	}
	need := c.height + c.offset
	first, total := len(c.items), 0
	for first > 0 && total < need {
		first--
		total += len(c.render(c.items[first]))
	}
	if first == 0 && total < need {
		// Scrolled past the first item (or everything fits): clamp, and
		// start at the top.
		c.offset = max(0, total-c.height)
	}
	skip := max(0, total-c.offset-c.height) // lines above the view
	c.top = first == 0 && skip == 0
	view := make([]string, 0, c.height)
	for _, it := range c.items[first:] {
		for _, l := range it.lines {
			if skip > 0 {
				skip--
				continue
			}
			if len(view) == c.height {
				break
			}
			view = append(view, pad(l, c.width))
		}
	}
	blank := strings.Repeat(" ", c.width)
	for len(view) < c.height {
		view = append(view, blank)
	}
	c.view = view
}

// render returns an item's lines at the current width, rendering what is
// stale.
func (c *conversation) render(it *item) []string {
	if it.lines != nil && it.width == c.width {
		return it.lines
	}
	if it.kind == noteItem || it.kind == errorItem {
		return c.renderNote(it)
	}
	bw := c.bodyWidth()
	var body []string
	switch {
	case it.stream != nil:
		body = it.stream.rendered()
	case it.body != nil && it.bodyWidth == bw:
		body = it.body
	default:
		body = c.renderBody(it, bw)
		it.body, it.bodyWidth = body, bw
	}
	lines := make([]string, 0, len(body)+2)
	lines = append(lines, c.header(it))
	ind := strings.Repeat(" ", gutter)
	for _, l := range body {
		lines = append(lines, ind+l)
	}
	it.lines = append(lines, "")
	it.width = c.width
	return it.lines
}

// renderNote renders a note or an error: its lines wrapped, marked.
func (c *conversation) renderNote(it *item) []string {
	style, mark := c.th.note, "· "
	if it.kind == errorItem {
		style, mark = c.th.errorText, "✗ "
	}
	var lines []string
	for _, l := range strings.Split(printable(it.text), "\n") {
		for _, w := range strings.Split(xansi.Wrap(l, max(c.width-gutter, 1), ""), "\n") {
			lines = append(lines, style.Render(mark+w))
			mark = strings.Repeat(" ", gutter)
		}
	}
	it.lines = append(lines, "")
	it.width = c.width
	return it.lines
}

func (c *conversation) renderBody(it *item, width int) []string {
	switch it.kind {
	case answerItem:
		if it.text == "" {
			return nil
		}
		return c.md.render(it.text)
	case userItem:
		return strings.Split(xansi.Wrap(printable(it.text), width, ""), "\n")
	}
	return nil
}

// header is an item's first line. Where it does not fit the width, what
// answered and what it cost give way — the time, then the tokens and
// cost, then the node, then the model — before the state, which says
// whether the answer is whole: "interrupted" is never cut to "interr…".
func (c *conversation) header(it *item) string {
	var usage []string
	if it.usage != "" {
		usage = strings.Split(it.usage, " · ")
	}
	var h string
	for drop := 0; drop <= len(usage)+2; drop++ {
		h = c.headerOf(it, usage[:max(len(usage)-drop, 0)], drop <= len(usage), drop <= len(usage)+1)
		if xansi.StringWidth(h) <= c.width {
			return h
		}
	}
	return xansi.Truncate(h, c.width, "…")
}

// headerOf is a header with the usage parts given, and with or without
// the node and the model.
func (c *conversation) headerOf(it *item, usage []string, node, model bool) string {
	th := c.th
	var b strings.Builder
	switch it.kind {
	case userItem:
		b.WriteString(th.user.Render("You"))
		if it.actor != "" {
			b.WriteString(th.dim.Render(" (" + oneLine(it.actor) + ")"))
		}
	case answerItem:
		b.WriteString(th.assistant.Render("aiex"))
	}
	var parts []string
	if it.turn > 0 && it.kind == userItem {
		parts = append(parts, fmt.Sprintf("turn %d", it.turn))
	}
	if model && it.model != "" {
		parts = append(parts, it.model)
	}
	if node && it.node != "" && it.node != c.self {
		parts = append(parts, "on "+it.node)
	}
	parts = append(parts, usage...)
	if it.state != "" {
		parts = append(parts, it.state)
	}
	if len(parts) > 0 {
		b.WriteString(th.dim.Render(" · " + oneLine(strings.Join(parts, " · "))))
	}
	return b.String()
}

// pad fills l with spaces to width cells.
func pad(l string, width int) string {
	w := xansi.StringWidth(l)
	if w >= width {
		return l
	}
	return l + strings.Repeat(" ", width-w)
}
