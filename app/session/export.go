package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// Export formats.
const (
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Export writes the session ref names to w as Markdown or JSON.
func (s *Service) Export(ctx context.Context, ref Ref, project, format string, w io.Writer) error {
	if format != FormatMarkdown && format != FormatJSON && format != "md" {
		return usererr.Usage("unknown export format %q; use markdown or json", format)
	}
	sess, err := s.Open(ctx, ref, project)
	if err != nil {
		return err
	}
	if format == FormatJSON {
		return sess.WriteJSON(ctx, w)
	}
	return sess.WriteMarkdown(ctx, w)
}

// Document is a whole session as JSON exports it.
type Document struct {
	Session Info    `json:"session"`
	Usage   []Usage `json:"usage"`
	Turns   []Turn  `json:"turns"`
	// NodeNames names the nodes the session and its turns record by ID
	// (those with a name of their own): the Markdown shows names, as
	// the providers of other nodes (NODE/PROVIDER) and aiex cluster
	// status do.
	NodeNames map[string]string `json:"node_names,omitempty"`
}

// nodeName is the name of the node id, or id when it has none.
func (d Document) nodeName(id string) string {
	if n := d.NodeNames[id]; n != "" {
		return n
	}
	return id
}

// Recent is Document with only the last n turns (aiex session resume):
// the session's totals, and its nodes by name.
func (s *Session) Recent(ctx context.Context, n int64) Document {
	return Document{Session: s.Info(), Usage: s.Usage(), Turns: s.Last(ctx, n), NodeNames: s.svc.nodeNames(ctx)}
}

// Document returns the whole session. Its cost, and that of each
// provider and model, is marked unknown when a turn's request was of
// unknown cost (Turns marks the turns).
func (s *Session) Document(ctx context.Context) Document {
	d := Document{Session: s.Info(), Usage: s.Usage(), Turns: s.Turns(ctx, 1, 0)}
	d.NodeNames = s.svc.nodeNames(ctx)
	for _, t := range d.Turns {
		if !t.CostUnknown {
			continue
		}
		d.Session.CostUnknown = true
		for i := range d.Usage {
			if u := &d.Usage[i]; u.Provider == t.Provider && u.Model == t.Model {
				u.CostUnknown = true
			}
		}
	}
	return d
}

// WriteJSON writes the session's Document, indented.
func (s *Session) WriteJSON(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s.Document(ctx))
}

// WriteMarkdown writes the session as a Markdown document: a header with
// what the session is, then each turn's prompt and answer with what
// answered it and what context went with it.
func (s *Session) WriteMarkdown(ctx context.Context, w io.Writer) error {
	return s.Document(ctx).WriteMarkdown(w)
}

// WriteMarkdown writes the document as Session.WriteMarkdown does. What
// the session holds is written as printable text (see Printable), and a
// prompt or answer that ends inside a code block has it closed, so that
// the headings and turns after it stay headings and turns.
func (d Document) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	in := d.Session
	title := escapeTitle(in.Title)
	if title == "" {
		title = "Session " + in.ID
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "- **Session:** %s (%s)\n", in.ID, in.Status)
	fmt.Fprintf(&b, "- **Project:** %s\n", in.Project)
	fmt.Fprintf(&b, "- **Started:** %s by %s on %s\n", stamp(in.CreatedAt), in.Actor, d.nodeName(in.Node))
	fmt.Fprintf(&b, "- **Updated:** %s\n", stamp(in.UpdatedAt))
	fmt.Fprintf(&b, "- **Turns:** %d · %d → %d tokens · %s\n", in.Turns, in.PromptTokens, in.CompletionTokens, pricing.Text(in.CostUSD, in.CostUnknown))
	for _, u := range d.Usage {
		fmt.Fprintf(&b, "- **%s/%s:** %s · %d → %d tokens · %s\n", u.Provider, u.Model, english.Count(u.Turns, "turn"), u.PromptTokens,
			u.CompletionTokens, pricing.Text(u.CostUSD, u.CostUnknown))
	}
	for _, t := range d.Turns {
		b.WriteString("\n")
		t.Node = d.nodeName(t.Node)
		writeTurn(&b, t)
	}
	_, err := io.WriteString(w, Printable(b.String()))
	return err
}

// WriteTurn writes one of the document's turns as WriteMarkdown does (a
// resumed session shows its last turns first).
func (d Document) WriteTurn(w io.Writer, t Turn) error {
	t.Node = d.nodeName(t.Node)
	return WriteTurnMarkdown(w, t)
}

// nodeNames maps the IDs of the cluster's nodes to their names, for those
// that have one; nil when the nodes cannot be read (the IDs are shown).
func (s *Service) nodeNames(ctx context.Context) map[string]string {
	if s.st == nil {
		return nil
	}
	ns, err := s.st.Nodes(ctx)
	if err != nil {
		return nil
	}
	var out map[string]string
	for _, n := range ns {
		if n.Name != "" && n.Name != n.ID {
			if out == nil {
				out = map[string]string{}
			}
			out[n.ID] = n.Name
		}
	}
	return out
}

// WriteTurnMarkdown writes one turn as WriteMarkdown does (a resumed
// session shows its last turn first).
func WriteTurnMarkdown(w io.Writer, t Turn) error {
	var b strings.Builder
	writeTurn(&b, t)
	_, err := io.WriteString(w, Printable(b.String()))
	return err
}

// answeredOn names the node that answered t: the turn records the node it
// was asked on, and a provider of another node of the cluster
// (NODE/PROVIDER; a configured provider's name has no "/") names the node
// that answered, then the one it was asked on.
func answeredOn(t Turn) string {
	host, _, ok := strings.Cut(t.Provider, "/")
	switch {
	case !ok || host == "" || host == t.Node:
		return t.Node
	case t.Node == "":
		return host
	}
	return host + " (asked on " + t.Node + ")"
}

func writeTurn(b *strings.Builder, t Turn) {
	fmt.Fprintf(b, "## Turn %d\n\n", t.N)
	parts := []string{t.Status}
	if t.Reason != "" {
		parts[0] += ": " + t.Reason
	}
	if t.Provider != "" || t.Model != "" {
		who := strings.Trim(t.Provider+"/"+t.Model, "/") // a turn that never reached a provider may name only one
		if n := answeredOn(t); n != "" {
			who += " on " + n
		}
		parts = append(parts, who)
	}
	if t.Status == db.TurnCompleted || t.PromptTokens+t.CompletionTokens > 0 {
		parts = append(parts, fmt.Sprintf("%d → %d tokens", t.PromptTokens, t.CompletionTokens), pricing.Text(t.CostUSD, t.CostUnknown))
	}
	if t.TotalMillis > 0 {
		parts = append(parts, millis(t.TotalMillis))
	}
	if t.InteractionID != "" {
		parts = append(parts, "interaction "+t.InteractionID)
	}
	fmt.Fprintf(b, "*%s · %s*\n\n", strings.Join(parts, " · "), stamp(t.StartedAt))
	if c := t.Context; c != nil {
		fmt.Fprintf(b, "**Context:** %d of %d tokens", c.Tokens, c.Budget)
		if c.HistoryTurns > 0 {
			fmt.Fprintf(b, "; %s of history (%d tokens)", english.Count(c.HistoryTurns, "earlier turn"), c.HistoryTokens)
		}
		if len(c.Chunks) > 0 {
			names := make([]string, 0, len(c.Chunks))
			for _, ch := range c.Chunks {
				names = append(names, fmt.Sprintf("`%s` %s (%d)", sandbox.QuoteName(ch.Path), sandbox.QuoteName(ch.Name), ch.Tokens))
			}
			fmt.Fprintf(b, "; %d chunks: %s", len(c.Chunks), strings.Join(names, ", "))
		}
		if c.Dropped > 0 {
			fmt.Fprintf(b, "; %d dropped", c.Dropped)
		}
		b.WriteString("\n\n")
	}
	if p := t.Proposal; p != nil {
		fmt.Fprintf(b, "**Proposal:** %s\n\n", proposalLine(p))
	}
	fmt.Fprintf(b, "### Prompt\n\n%s\n", closeFence(escapeBlocks(strings.TrimRight(Printable(t.Prompt), "\n"))))
	if t.Answer != "" {
		fmt.Fprintf(b, "\n### Answer\n\n%s\n", closeFence(escapeBlocks(strings.TrimRight(Printable(t.Answer), "\n"))))
	}
}

// closeFence closes the fenced code block md ends in, if it does (an
// answer cut short inside a block): left open, it would take in every
// heading and turn after it. A block inside a list item or a quote is
// left alone: the heading that follows ends those.
func closeFence(md string) string {
	blocks := parse.CodeBlocks(md)
	if len(blocks) == 0 || blocks[len(blocks)-1].Closed {
		return md
	}
	src := []byte(md)
	doc := parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...)).Parse(text.NewReader(src))
	if _, ok := doc.LastChild().(*ast.FencedCodeBlock); !ok {
		return md
	}
	lines := strings.Split(md, "\n")
	n := blocks[len(blocks)-1].StartLine
	if n < 1 || n > len(lines) {
		return md
	}
	open := strings.TrimLeft(lines[n-1], " \t")
	if open == "" || open[0] != '`' && open[0] != '~' {
		return md
	}
	fence := open[:len(open)-len(strings.TrimLeft(open, open[:1]))]
	return md + "\n" + fence
}

// stamp is a time as a person reads it: in local time, as every other
// view shows times, with its offset from UTC, so that an export read in
// another zone (one shared with a teammate) still says when.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05 -07:00")
}

// dollars is a cost as the other views show it: what is known, marked "+?"
// when part of it is unknown.

func millis(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return fmt.Sprintf("%.1f s", float64(ms)/1000)
}
