package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// AskCmd asks a one-shot question.
type AskCmd struct {
	Provider string   `placeholder:"NAME" help:"Provider to use, by its configured name (default: the configured one, else as the strategy routes)."`
	Model    string   `short:"m" env:"AIEX_MODEL" placeholder:"MODEL" help:"Model to use (default: the configured one, else the provider's first chat model)."`
	Strategy string   `placeholder:"NAME" predictor:"strategy" help:"Routing strategy: local_affinity, load_balanced or round_robin (default: the configured one)."`
	Target   string   `placeholder:"TARGET" predictor:"file" help:"Code the question is about: PATH, PATH:LINE or a symbol name."`
	NoCode   bool     `name:"no-code" help:"Send the question alone, without code from the project's index."`
	Session  string   `placeholder:"ID|new|last" default:"new" help:"Continue a session: its id (or a prefix), last (this project's most recent), or new. Its earlier turns go with the question."`
	DryRun   bool     `name:"dry-run" help:"Send nothing: print what the prompt would carry, as aiex context does (the code, what was left out, the session's earlier turns, tokens and window), or with --json its object and the messages that would be sent. Nothing is recorded."`
	Prompt   []string `arg:"" optional:"" help:"The question. With - as the last word, or piped input, stdin is read too and appended to the words given."`
}

// maxPromptBytes bounds a prompt read from stdin.
const maxPromptBytes = 4 << 20

// Run streams the answer to stdout.
func (a *AskCmd) Run(c *Context) error {
	ref, err := sessionRef(a.Session)
	if err != nil {
		return err
	}
	if strings.TrimSpace(a.Target) == "" && onCommandLine(c.args, "--target") {
		// --target "$UNSET" would ask without the code meant, as if the
		// flag had been left out.
		return usererr.Usage("--target is empty: name the code the question is about (PATH, PATH:LINE or a symbol name), or leave the flag out")
	}
	prompt, err := a.prompt(c)
	if err != nil {
		return err
	}
	req := app.CodeAsk{Request: ask.Request{Prompt: prompt, Provider: a.Provider, Model: a.Model, Actor: "cli"},
		Target: a.Target, NoContext: a.NoCode, Session: ref}
	// A --target where nothing is is said as aiex context and aiex
	// explain say it (missingPath), with or without --dry-run.
	if a.DryRun {
		return missingPath(a.Target, dryAsk(c, a.Strategy, req))
	}
	return missingPath(a.Target, answer(c, a.Strategy, req))
}

// sessionRef checks a --session flag before the store is opened: an empty
// one (--session "$UNSET") would record a turn of no session. One too short
// to be a prefix is left to the store, which names the sessions it may have
// meant.
func sessionRef(s string) (session.Ref, error) {
	if strings.TrimSpace(s) == "" {
		return "", usererr.Usage("--session needs a value: a session id (or %d or more of its first characters), last, or new", session.MinPrefix)
	}
	return session.Ref(s), nil
}

// answer sends a question about the current project's code (with its code
// when it is indexed) and streams the answer to stdout.
func answer(c *Context, strategyName string, req app.CodeAsk) error {
	req, err := inProject(strategyName, req)
	if err != nil {
		return err
	}
	// A node running on the data dir holds it: ask through the node.
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	cl, err := connect(c, cfg.DataDir)
	if err != nil && !errors.Is(err, node.ErrNoNode) {
		return err
	}
	// A reader of stdout that goes away mid-answer (aiex ask … | head)
	// stops the request as Ctrl-C does: the request is cancelled and
	// recorded so, and the store closes cleanly. Without the notification
	// the first write to the closed pipe would kill the process (SIGPIPE)
	// with its request left running.
	ctx, cancel := context.WithCancelCause(c)
	defer cancel(nil)
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)

	// recorded is what the store keeps of an interaction, which --json
	// shows: the credentials of this process's providers taken out
	// (coord.Recorded). Through a node, the node's coordinator did that
	// for the record, and this process cannot; the interaction is shown
	// as the node sent it.
	recorded := func(in *app.Interaction) *app.Interaction { return in }
	ask := func(fn func(string) error) (*app.Answer, error) {
		if cl != nil {
			ar, err := nodeAsk(req)
			if err != nil {
				return nil, err
			}
			return cl.Ask(ctx, ar, fn)
		}
		core, err := c.App()
		if err != nil {
			return nil, err
		}
		if co, err := core.Coord(ctx); err == nil {
			recorded = func(in *app.Interaction) *app.Interaction { return storedInteraction(co, in) }
		}
		return core.AskCode(ctx, req, fn)
	}

	stop := c.Out.Spinner("thinking…")
	defer stop()
	wrote := false
	last := byte('\n')
	var partial strings.Builder // with --json, what arrived
	var screen session.PrintableStream
	ans, err := ask(func(text string) error {
		stop()
		if c.Out.JSON {
			partial.WriteString(text) // the whole record is printed at the end
			return nil
		}
		if c.Out.TTY {
			// The terminal would act on escape sequences and control
			// characters in the model's text (clear the screen, set the
			// title, write the clipboard): they are dropped there, also
			// a sequence split between pieces of the answer.
			if text = screen.Next(text); text == "" {
				return nil
			}
		}
		wrote = true
		last = text[len(text)-1]
		_, err := io.WriteString(c.Out.Out, text)
		if errors.Is(err, syscall.EPIPE) {
			cancel(errStdoutClosed)
		}
		return err
	})
	stop()
	if errors.Is(context.Cause(ctx), errStdoutClosed) {
		// Not context.Canceled as the cause: that would read as Ctrl-C.
		return &usererr.Error{Msg: "stdout was closed before the answer ended; the request is recorded as cancelled",
			Code: exitPipe, Err: errStdoutClosed}
	}
	if wrote && last != '\n' {
		fmt.Fprintln(c.Out.Out)
	}
	if err != nil {
		if c.Out.JSON && (partial.Len() > 0 || (ans != nil && ans.Interaction != nil)) {
			c.Out.PrintJSON(failedAskJSON(cfg.File, req.Prompt, ans, partial.String(), err, recorded))
		}
		if ans != nil && ans.Session != "" && c.Out.ErrTTY {
			// As history records it: cancelled (Ctrl-C), interrupted (the
			// provider broke off), or failed; with what arrived, if any.
			how := "failed"
			switch {
			case errors.Is(err, context.Canceled), ans.Interaction != nil && ans.Interaction.Status == "cancelled":
				how = "cancelled"
			case wrote || partial.Len() > 0, ans.Interaction != nil && ans.Interaction.Status == "interrupted":
				how = "interrupted"
			}
			if wrote || partial.Len() > 0 {
				how += ", with what arrived"
			}
			fmt.Fprintln(c.Out.Err, c.Out.Dim(fmt.Sprintf("session %s · turn %d recorded as %s", ans.Session, ans.Turn, how)))
		}
		return err
	}
	in := ans.Interaction
	// An answer cut off at the output limit, or refused, ended without an
	// error; it must not pass for a whole one.
	if why, ok := providers.Incomplete(in.StopReason); ok {
		fmt.Fprintf(c.Out.Err, "aiex: the answer stopped early: %s (stop reason %q)\n", why, in.StopReason)
	}
	if ans.Note != "" {
		fmt.Fprintf(c.Out.Err, "aiex: note: %s\n", textLine(ans.Note))
	}
	// Built by the coordinator (coord.FailoverNote), as every front end
	// says it.
	failover := coord.FailoverNote(in)
	if failover != "" {
		fmt.Fprintf(c.Out.Err, "aiex: note: %s\n", textLine(failover))
	}
	if bc := ans.Context; bc != nil && bc.Context != nil && len(bc.Also) > 0 && bc.Target != nil {
		fmt.Fprintf(c.Out.Err, "aiex: note: the target named several; this took %s (%s:%d), not %s; %s\n",
			shown(bc.Target.Name), shown(bc.Target.Path), bc.Target.StartLine, strings.Join(bc.Also, ", "), bc.AlsoHint)
	}
	if ans.Warning != "" {
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s\n", textLine(ans.Warning))
	}
	contextNotes(c, ans.Context)
	if c.Out.JSON {
		if failover != "" {
			// The answer's note, with the session's if it has one.
			shown := *ans
			shown.Note = strings.TrimPrefix(ans.Note+"; "+failover, "; ")
			ans = &shown
		}
		return c.Out.PrintJSON(newAskJSON(cfg.File, ans, asStored(recorded(in))))
	}
	if c.Out.TTY && c.Out.ErrTTY {
		code := ""
		if ans.Context != nil {
			code = fmt.Sprintf(" · %d code chunks", len(ans.Context.Included))
			if cv := ans.Context.Conventions; cv != nil {
				code += " · " + shown(cv.Path)
			}
		}
		sess := ""
		if ans.Session != "" {
			sess = fmt.Sprintf(" · session %s turn %d", ans.Session, ans.Turn)
		}
		fmt.Fprintln(c.Out.Err, c.Out.Dim(fmt.Sprintf("%s · %s · %d→%d tokens%s · %s%s",
			in.Provider, in.Model, in.PromptTokens, in.CompletionTokens, code, fmtMillis(in.TotalMillis), sess)))
	}
	return nil
}

// inProject is req, a question about the current project's code, with
// its routing strategy (strategyName, "" for the configured one) and its
// project: with the project's code unless req.NoContext.
func inProject(strategyName string, req app.CodeAsk) (app.CodeAsk, error) {
	strategy, err := coord.ParseStrategy(strategyName)
	if err != nil {
		return req, err
	}
	if strategyName == "" {
		strategy = ""
	}
	req.Strategy = strategy
	if req.Project, err = projectRoot(); err != nil {
		return req, err
	}
	if !req.NoContext {
		req.Root = req.Project
	}
	return req, nil
}

// nodeAsk is req as the node running on the data dir takes it: its
// target's path made absolute (ctxbuild.AbsPath), as the node's working
// directory is not this process's; one out of the project is refused here.
func nodeAsk(req app.CodeAsk) (node.AskRequest, error) {
	target, err := ctxbuild.AbsPath(req.Project, req.Target, ctxbuild.FromCwd)
	if err != nil {
		return node.AskRequest{}, err
	}
	return node.AskRequest{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model,
		Strategy: string(req.Strategy), Task: req.Task, Root: req.Root, Target: target, NoContext: req.NoContext,
		Actor: req.Actor, Session: string(req.Session), Project: req.Project}, nil
}

// errStdoutClosed is the cause of a request cancelled because stdout's
// reader went away.
var errStdoutClosed = errors.New("stdout closed")

// exitPipe is the exit code when stdout's reader went away: what a shell
// reports for a process SIGPIPE ended (128 + 13), so that pipelines
// (set -o pipefail) see it as they would see any other writer's.
const exitPipe = 128 + int(syscall.SIGPIPE)

// prompt assembles the question from the arguments and, when it is piped
// or "-" is given, stdin; an empty one is a usage error.
func (a *AskCmd) prompt(c *Context) (string, error) {
	prompt, err := a.readPrompt(c)
	if err == nil && prompt == "" {
		return "", usererr.Usage("empty prompt; give the question as arguments (aiex ask \"…\") or on stdin (echo \"…\" | aiex ask)")
	}
	return prompt, err
}

// readPrompt is prompt, "" when there is none.
func (a *AskCmd) readPrompt(c *Context) (string, error) {
	words := a.Prompt
	readStdin := c.StdinPiped
	if n := len(words); n > 0 && words[n-1] == "-" {
		// "-" last: the words, then stdin ("aiex ask review this -").
		words, readStdin = words[:n-1], true
	}
	parts := []string{}
	if len(words) > 0 {
		parts = append(parts, strings.Join(words, " "))
	}
	if readStdin && c.Stdin != nil {
		b, err := io.ReadAll(io.LimitReader(c.Stdin, maxPromptBytes+1))
		if err != nil {
			return "", fmt.Errorf("read prompt from stdin: %w", err)
		}
		if len(b) > maxPromptBytes {
			return "", usererr.Usage("prompt on stdin is larger than %d MiB; send less", maxPromptBytes>>20)
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			parts = append(parts, s)
		}
	}
	// Text in another encoding (a Latin-1 file piped in) goes to the model
	// and into the records with U+FFFD for each byte that is not UTF-8.
	return strings.ToValidUTF8(strings.TrimSpace(strings.Join(parts, "\n\n")), "\uFFFD"), nil
}

func fmtMillis(ms *float64) string {
	if ms == nil {
		return "-"
	}
	if *ms < 1000 {
		return fmt.Sprintf("%.0f ms", *ms)
	}
	return fmt.Sprintf("%.2f s", *ms/1000)
}

// contextNotes says on stderr what of the code an answer was given is not
// as the user might think, as aiex context says it: a target that went
// reduced for the model's window (in outline, cut to its lines, without
// its doc), and files read as they are now because they changed since
// they were indexed.
func contextNotes(c *Context, bc *app.BuiltContext) {
	if bc == nil || bc.Context == nil {
		return
	}
	if t := bc.Target; t != nil && t.Form != "" && t.Form != ctxbuild.FormFull && t.Reason != "" {
		fmt.Fprintf(c.Out.Err, "aiex: note: the target was reduced for this model's window (%s): %s (%s)\n", t.Form, shown(t.Reason), shown(t.Name))
	}
	for _, p := range bc.Stale {
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s changed since it was indexed; its code was read as it is now (run aiex index)\n", shown(p))
	}
}
