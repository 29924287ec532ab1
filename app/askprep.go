package app

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// preparedAsk is what prepareAsk built: the messages a question goes with
// (set on the request) and what they hold.
type preparedAsk struct {
	context *BuiltContext           // the code that went in; nil: none
	summary *session.ContextSummary // as the session's turn records it
	// plan is the model the prompt was fitted to; nil when none could be
	// planned (planErr says why) and the question goes as it is.
	plan    *planned
	planErr error
}

// prepareAsk builds the prompt of req, a question or task of kind task
// (sess, when not nil, is the session it is asked in), and sets it on
// req (Messages, Window): everything AskCode does before the request goes
// out, and all that DryAsk does, so that what a dry run shows is what
// is sent. It records nothing, unless record is set and the request,
// which needs a model to fit its code to, cannot be planned: then it
// records the failure, as a question sent without code records its own
// (coord.PlanOrRecord). Otherwise an explain with every provider down
// was missing from the history.
func (a *App) prepareAsk(ctx context.Context, req *CodeAsk, task string, sess *session.Session, record bool) (*preparedAsk, error) {
	withCode := false
	if req.Root != "" && !req.NoContext {
		_, indexed, err := a.codeProject(ctx, req.Root)
		if err != nil {
			return nil, err
		}
		withCode = indexed || req.Target != ""
	}
	if !withCode && task != "ask" {
		return nil, usererr.Usage("%s needs a target: PATH, PATH:LINE or a symbol name", task)
	}
	ap := &preparedAsk{}
	// The model the request goes to first: the code (and the session's
	// history) is fitted to its window, and a question too long for it
	// is refused before it is sent (a server would cut it silently).
	pr := coord.Request{Provider: req.Provider, Model: req.Model, Strategy: req.Strategy}
	record = record && withCode
	if record {
		// As the request would be recorded (askCode).
		pr.Prompt, pr.Actor, pr.SessionID, pr.Start = recordedPrompt(*req), req.Actor, req.SessionID, req.Start
	}
	p, err := a.planAs(ctx, pr, 0, record)
	switch {
	case err != nil && (withCode || errors.Is(err, coord.ErrUnknownModel)):
		// A model no provider has is a mistake in the question: refused
		// before anything is recorded, with code or without.
		return nil, err
	case err != nil:
		// No model to fit the question to (none reachable): the request
		// goes as it is, and the coordinator reports what is wrong as it
		// records the failure.
		a.logger.Debug("plan", "err", err)
		ap.planErr = err
	case withCode:
		ap.plan = p
		ap.context, err = a.buildContext(ctx, ContextRequest{Task: task, Root: req.Root, Target: req.Target,
			Question: req.Prompt, Data: req.Data}, p, sess)
		if err != nil {
			return nil, err
		}
		a.logger.Debug("context", "task", task, "built", describeContext(ap.context))
		req.Messages, req.Window = ap.context.Prompt, ap.context.Window
		ap.summary = session.SummarizeContext(ap.context.Context)
		ap.summary.HistoryTurns, ap.summary.HistoryTokens = ap.context.HistoryTurns, ap.context.HistoryTokens
	default:
		ap.plan = p
		if req.Messages, ap.summary, err = a.plainPrompt(req.Prompt, p, sess); err != nil {
			return nil, err
		}
	}
	return ap, nil
}

// checkAsk refuses a request no prompt can be built for, before anything
// is read, and returns its task.
func checkAsk(req CodeAsk) (string, error) {
	task := cmp.Or(req.Task, "ask")
	if task == "explain" && strings.TrimSpace(req.Target) == "" && req.Prepared == nil {
		return "", usererr.Usage("name the code to explain: PATH, PATH:LINE or a symbol name (aiex explain TARGET [QUESTION])")
	}
	return task, nil
}

// projectOf is the project req's session belongs to.
func projectOf(req CodeAsk) string { return cmp.Or(req.Project, req.Root) }

// DryAsk builds the prompt AskCode would send for req and returns it, as
// BuildContext does (its Prompt holds the messages), without sending it
// or recording anything: no interaction, no session turn or event, no new
// session. A question that would go without code gets a context of no
// items, the question (and the session's earlier turns) alone. note is
// the one Answer.Note would carry: that --session last found no session
// to continue. A question no model could be planned for, which AskCode
// would send as it is for the coordinator to fail, is refused with why.
func (a *App) DryAsk(ctx context.Context, req CodeAsk) (b *BuiltContext, note string, err error) {
	err = a.underDeadline(ctx, func(ctx context.Context) error {
		b, note, err = a.dryAsk(ctx, req)
		return err
	})
	return b, note, err
}

// dryAsk is DryAsk under the request's deadline.
func (a *App) dryAsk(ctx context.Context, req CodeAsk) (*BuiltContext, string, error) {
	task, err := checkAsk(req)
	if err != nil {
		return nil, "", err
	}
	if req.Prepared != nil {
		return nil, "", usererr.Usage("a prepared prompt is shown by the node that built it")
	}
	var sess *session.Session
	note := ""
	if req.Session != "" {
		svc, err := a.Sessions()
		if err != nil {
			return nil, "", err
		}
		// As Begin would take it, reading only.
		if sess, note, err = svc.Peek(ctx, req.Session, projectOf(req)); err != nil {
			return nil, "", err
		}
	}
	ap, err := a.prepareAsk(ctx, &req, task, sess, false)
	switch {
	case err != nil:
		return nil, "", err
	case ap.plan == nil:
		return nil, "", ap.planErr
	case ap.context != nil:
		return ap.context, note, nil
	}
	// The question alone: a context of no code, in the window it was
	// fitted to.
	p, sum := ap.plan, ap.summary
	built := &ctxbuild.Context{Window: sum.Window, Reserve: sum.Window - sum.Budget, Budget: sum.Budget, Tokens: sum.Tokens,
		Included: []ctxbuild.Item{}, Dropped: []ctxbuild.Item{}, Data: prompt.Data{Question: req.Prompt}, Prompt: req.Messages}
	return &BuiltContext{Context: built, Provider: p.provider, Model: p.model, Tokenizer: string(p.fam), Exact: p.fam.Exact(),
		Scale: p.scale, HistoryTurns: sum.HistoryTurns, HistoryTokens: sum.HistoryTokens, HistoryLeftOut: historyLeftOut(sess, sum.HistoryTurns)}, note, nil
}

// plainPrompt is the "ask" prompt without code, after as much of the
// session's history (sess may be nil) as fits in half the window and
// beside the question, and its summary. A question that does not fit the
// window, less the answer's reserve, on its own is refused as ctxbuild
// refuses one with code.
func (a *App) plainPrompt(question string, p *planned, sess *session.Session) ([]providers.Message, *session.ContextSummary, error) {
	prompts, err := a.Prompts()
	if err != nil {
		return nil, nil, err
	}
	msgs, err := prompts.Render("ask", prompt.Data{Question: question})
	if err != nil {
		return nil, nil, err
	}
	reserve := min(p.window/4, 4096) // as ctxbuild's default
	budget := p.window - reserve
	own := countMessages(p.count, msgs)
	if own > budget {
		return nil, nil, ctxbuild.TooLong(own, budget, p.window, reserve, "")
	}
	var history []providers.Message
	turns := 0
	if sess != nil {
		history, turns = sess.HistoryWithin(min(2*p.window/historyShare, budget-own), p.count.Count)
	}
	msgs = session.WithHistory(history, msgs)
	return msgs, &session.ContextSummary{Window: p.window, Budget: budget, Tokens: countMessages(p.count, msgs),
		HistoryTurns: turns, HistoryTokens: countMessages(p.count, history)}, nil
}
