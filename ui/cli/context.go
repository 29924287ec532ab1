package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
)

// ContextCmd shows the code a prompt about TARGET would carry.
type ContextCmd struct {
	Provider string   `placeholder:"NAME" help:"Provider the prompt is for (default: the one the strategy picks first)."`
	Model    string   `short:"m" env:"AIEX_MODEL" placeholder:"MODEL" help:"Model the prompt is for; its context window and tokenizer decide what fits."`
	Task     string   `default:"explain" enum:"ask,explain,gen-tests" help:"Prompt template: ask, explain or gen-tests (with the target's existing tests, types and constructors)."`
	Window   int      `placeholder:"TOKENS" help:"Fit to this context window instead of the model's."`
	Reserve  *int     `placeholder:"TOKENS" help:"Tokens kept for the answer, 0 included (default: a quarter of the window, at most 4096)."`
	Prompt   bool     `help:"Print the rendered prompt instead of the summary; with --json, add it to the object as messages ([{\"role\", \"content\"}])."`
	Target   string   `arg:"" optional:"" placeholder:"TARGET" predictor:"file" help:"PATH (the whole file; in outline if too large), PATH:LINE or a symbol name (MyApp.Accounts.get_user/1, 'http.(*Server).Serve')."`
	Question []string `arg:"" optional:"" help:"The question or instruction that goes with it."`
}

// Run builds the context and prints what went in, what was left out and
// the token counts; or, with --json, all of it as an object.
func (cc *ContextCmd) Run(c *Context) error {
	if strings.TrimSpace(cc.Target) == "" {
		return usererr.Usage("name the code the prompt is about: aiex context TARGET [QUESTION] (PATH, PATH:LINE or a symbol name); for a question about no code in particular, aiex ask --dry-run --json QUESTION shows its prompt, as messages")
	}
	if cc.Window < 0 || (cc.Reserve != nil && *cc.Reserve < 0) {
		return usererr.Usage("--window and --reserve take a number of tokens")
	}
	if cc.Window > 0 && cc.Reserve != nil && *cc.Reserve >= cc.Window {
		return usererr.Usage("--reserve (%d) leaves no room in a %d-token window", *cc.Reserve, cc.Window)
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	req := app.ContextRequest{Task: cc.Task, Root: root, Target: cc.Target,
		Question: strings.Join(cc.Question, " "), Provider: cc.Provider, Model: cc.Model,
		Strategy: coord.Strategy(""), Window: cc.Window, Reserve: cc.Reserve}
	b, err := viaNodeRead(c, func(cl *node.Client) (*app.BuiltContext, error) {
		// The node's working directory is not ours: the target's path goes
		// absolute, as it is read here.
		target, err := ctxbuild.AbsPath(root, req.Target, ctxbuild.FromCwd)
		if err != nil {
			return nil, err
		}
		remote := req
		remote.Target = target
		r, err := cl.Code(c, node.CodeRequest{Op: "context", Context: remote})
		if err != nil {
			return nil, err
		}
		return r.Context, nil
	}, func(core *app.App) (*app.BuiltContext, error) { return core.BuildContext(c, req) })
	if err != nil {
		return missingPath(cc.Target, reserveHint(err))
	}
	switch {
	case cc.Prompt && c.Out.JSON:
		return printContextPrompt(c, b)
	case cc.Prompt:
		for _, m := range b.Prompt {
			fmt.Fprintf(c.Out.Out, "── %s ──\n%s\n", m.Role, m.Content)
		}
		return nil
	}
	return printContext(c, root, b)
}

// contextMessage is one message of a rendered prompt as --json prints it.
type contextMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// printContextPrompt prints, for context --json --prompt, the object
// context --json prints and the rendered prompt as its messages, in the
// order they are sent.
func printContextPrompt(c *Context, b *app.BuiltContext) error {
	msgs := make([]contextMessage, len(b.Prompt))
	for i, m := range b.Prompt {
		msgs[i] = contextMessage{Role: string(m.Role), Content: m.Content}
	}
	return c.Out.PrintJSON(struct {
		*app.BuiltContext
		Messages []contextMessage `json:"messages"`
	}{b, msgs})
}

// printContext prints a built context, of the project at root: with
// --json, the object; else the summary of what went in, what was left out
// and the token counts, with warnings about the index on stderr. aiex
// context and aiex ask --dry-run print it alike.
func printContext(c *Context, root string, b *app.BuiltContext) error {
	if c.Out.JSON {
		return c.Out.PrintJSON(b)
	}
	how := "estimated"
	switch {
	case b.Exact:
		how = "exact"
	case b.Scale > 0:
		how = fmt.Sprintf("×%.2f as the model counted before,", b.Scale)
	}
	model := b.Provider + "/" + b.Model
	if b.Model == "" {
		model = "no model" // --window given, none reachable
	}
	fmt.Fprintf(c.Out.Out, "%s: %d of %d tokens (%d-token window, %d kept for the answer; %s %s count)\n",
		model, b.Tokens, b.Budget, b.Window, b.Reserve, how, b.Tokenizer)
	if len(b.Also) > 0 {
		fmt.Fprintf(c.Out.Out, "  also named so: %s; %s\n", strings.Join(b.Also, ", "), b.AlsoHint)
	}
	if cv := b.Conventions; cv != nil {
		cut := ""
		if cv.Cut {
			cut = ", cut to fit"
		}
		fmt.Fprintf(c.Out.Out, "  conventions: %s, %d tokens%s\n", shown(cv.Path), cv.Tokens, cut)
	}
	if b.HistoryTurns > 0 {
		fmt.Fprintf(c.Out.Out, "  session: %s, %d tokens\n", english.Count(b.HistoryTurns, "earlier turn"), b.HistoryTokens)
	}
	if b.HistoryLeftOut > 0 {
		// Only the most recent turns that fit go with a question.
		fmt.Fprintf(c.Out.Out, "  left out of the session: %s (only the most recent %s fit the history's share of the window)\n",
			english.Count(b.HistoryLeftOut, "older turn"), english.Count(b.HistoryTurns, "turn"))
	}
	if len(b.Included) == 0 && len(b.Dropped) == 0 {
		fmt.Fprintln(c.Out.Out, "  no code: the question alone")
	}
	tw := tabwriter.NewWriter(c.Out.Out, 2, 4, 2, ' ', 0)
	for _, it := range b.Included {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\n", it.Role, shown(it.Name), contextWhere(it), it.Form, it.Tokens)
	}
	tw.Flush()
	if t := b.Target; t != nil && t.Form != ctxbuild.FormFull {
		fmt.Fprintf(c.Out.Out, "  target %s: %s\n", t.Form, textLine(t.Reason))
		var reduced []ctxbuild.Item
		for _, u := range t.Units {
			if u.Form != ctxbuild.FormFull {
				reduced = append(reduced, u)
			}
		}
		if len(reduced) > 0 {
			fmt.Fprintf(c.Out.Out, "target units not in full (%d):\n", len(reduced))
			for _, u := range reduced {
				form := u.Form
				if form == "" {
					form = "left out"
				}
				fmt.Fprintf(tw, "  %s\t%s:%d-%d\t%s\t%d\n", shown(u.Name), shown(u.Path), u.StartLine, u.EndLine, form, u.Tokens)
			}
			tw.Flush()
		}
	}
	if len(b.Dropped) > 0 {
		fmt.Fprintf(c.Out.Out, "left out (%d):\n", len(b.Dropped))
		for _, it := range b.Dropped {
			fmt.Fprintf(tw, "  %s\t%s\t%s:%d-%d\t%s\n", it.Role, shown(it.Name), shown(it.Path), it.StartLine, it.EndLine, it.Reason)
		}
		tw.Flush()
	}
	for _, p := range b.Stale {
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s changed since it was indexed; its code was read as it is now (run aiex index)\n", shown(p))
	}
	if b.Incomplete {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+incompleteIndex(root))
	}
	if b.OtherVersion {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+ctxbuild.OtherVersionWarning(root))
	}
	if b.EmbedError != "" {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+search.EmbedWarning(b.EmbedError))
	}
	if b.TargetGone != "" {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+b.TargetGone)
	}
	return nil
}

// reserveHint adds to the refusal of a prompt that would fit if less were
// kept for the answer how much to keep, and the --reserve flag to do it
// with. ctxbuild's message does not say it, because `aiex ask`, `aiex
// explain`, `aiex refactor` and the TUI give the same refusal and have no
// way to set the reserve; this command has one.
func reserveHint(err error) error {
	var tl *ctxbuild.TooLongError
	ue := usererr.As(err)
	if ue == nil || !errors.As(err, &tl) || tl.Room <= 0 {
		return err
	}
	return &usererr.Error{Msg: fmt.Sprintf("%s, or keep less for the answer (%d tokens or less): pass --reserve %d or less", ue.Msg, tl.Room, tl.Room),
		Code: ue.Code, Err: err}
}

// contextWhere is PATH:START-END of an item, or the path alone when it has no
// lines: a Go package target's DIR/*.go, which spans its files.
func contextWhere(it ctxbuild.Item) string {
	if it.StartLine == 0 {
		return shown(it.Path)
	}
	return fmt.Sprintf("%s:%d-%d", shown(it.Path), it.StartLine, it.EndLine)
}
