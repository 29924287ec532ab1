package backend

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/tui"
)

// Attached is a Backend attached to another node of the cluster, named
// nodeName (its ID or name), through the node running on the data dir
// (cl), which relays over the mesh. The conversation runs on the node
// attached to: questions (answered by its providers and recorded by it),
// sessions, their events, the models, the status. The project's work
// stays here, where its files are: tasks, their writes and undo, the
// files. Errors that say either node cannot be reached wrap
// tui.ErrUnreachable.
//
// A question's code context is built here, where the files are, for the
// model the node attached to answers with (the one picked, else its first
// local model, else the one its plan names: a cloud model of its own when
// it has no local one), and sent with the question as a prepared prompt.
// A task runs here with the model picked, named as this node knows it
// (see attached_names.go); the node attached to's cloud models are not
// this node's to use, so a task refuses them.
//
// An answer cut off because either node went away keeps the text that
// arrived (see kept).
func Attached(cl *node.Client, nodeName, project string) tui.Backend {
	return &keeping{Backend: &attached{local: &remote{cl: cl, project: project}, via: cl.Via(nodeName), name: nodeName, project: project}}
}

type attached struct {
	local   *remote      // the node on the data dir: the project's work
	via     *node.Client // relayed to the node attached to: the conversation
	name    string
	project string

	mu    sync.Mutex
	label string // how the node on the data dir names the node attached to; "" until known
}

func (a *attached) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	areq := node.AskRequest{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model, NoContext: true,
		Actor: actor, Session: req.Session, Project: a.project}
	prep, err := a.prepare(ctx, req)
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	if prep != nil {
		areq.Prepared, areq.Task, areq.Target = prep.Prepared, req.Task, req.Target
		areq.Provider, areq.Model = prep.provider, prep.model
	}
	ans, err := a.via.Ask(ctx, areq, func(text string) error {
		fn(text)
		return nil
	})
	res := result(ans)
	if res != nil && res.Context == nil && prep != nil {
		res.Context = prep.Context
	}
	return res, unreachable(ctx, err)
}

// defaultWindow is the window assumed for a model whose window the node
// attached to does not know (the smallest in common use).
const defaultWindow = 4096

// prepared is a question's prompt built here, and the model it was built
// for.
type prepared struct {
	*app.Prepared
	provider, model string
}

// prepare builds the question's context on the node on the data dir, for
// the model the node attached to will answer with, in that model's
// window. It returns nil when no code would go (the project is not
// indexed and there is no target): the node attached to then builds the
// prompt, with the session's history, itself.
func (a *attached) prepare(ctx context.Context, req tui.AskRequest) (*prepared, error) {
	mr, err := a.via.Models(ctx)
	if err != nil {
		return nil, err
	}
	pick := a.pickModel(ctx, mr.Models, req.Provider, req.Model)
	if pick == nil {
		if req.Target != "" {
			return nil, usererr.New("node %s has no model to send %s to; pick one with /model", a.name, req.Target)
		}
		return nil, nil // the node attached to says what is wrong
	}
	// The node on the data dir knows the provider by its own name for it
	// (localProvider), with the window and tokenizer family of the model
	// there. Until it lists the node's models (they come with its
	// heartbeat) the context is built in the window alone, to learn
	// whether any code would go: the question goes without it when none
	// would, and waits for the list when some would. A cloud model of the
	// node attached to has no name here: its context is built in its
	// window, counted with its model's tokenizer family.
	creq := app.ContextRequest{Task: cmp.Or(req.Task, "ask"), Root: a.project, Target: req.Target, Question: req.Prompt,
		Window: cmp.Or(pick.ContextWindow, defaultWindow)}
	provider, lerr := a.localProvider(ctx, *pick)
	switch {
	case lerr == nil:
		creq.Provider, creq.Model = provider, pick.Model
	case errors.Is(lerr, errNotHere):
		creq.Model, lerr = pick.Model, nil
	}
	if req.Session != "" && req.Session != "new" {
		creq.Session = req.Session
	}
	res, err := a.local.cl.Code(ctx, node.CodeRequest{Op: "context", Context: creq})
	switch {
	case err != nil:
		// Said, not swallowed: a question sent without the code it was
		// meant to go with reads as answered about the code. One that
		// names the provider ("unknown provider …") may say the label
		// changed: it is read again next time.
		if creq.Provider != "" && strings.Contains(err.Error(), strconv.Quote(creq.Provider)) {
			a.forgetLabel()
		}
		return nil, err
	case res.Context == nil || res.Context.Context == nil:
		return nil, nil
	case req.Target == "" && len(res.Context.Included) == 0:
		return nil, nil // no code: the plain prompt, built there
	case lerr != nil:
		return nil, lerr
	}
	sum := session.SummarizeContext(res.Context.Context)
	sum.HistoryTurns, sum.HistoryTokens = res.Context.HistoryTurns, res.Context.HistoryTokens
	return &prepared{Prepared: &app.Prepared{Messages: res.Context.Prompt, Context: sum, Window: res.Context.Window}, provider: pick.Provider, model: pick.Model}, nil
}

func (a *attached) Sessions(ctx context.Context) ([]session.Info, error) {
	res, err := a.via.Session(ctx, app.SessionRequest{Op: app.SessionList, Project: a.project, Limit: sessionsLimit})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Sessions, nil
}

func (a *attached) Session(ctx context.Context, ref string) (*session.Document, error) {
	res, err := a.via.Session(ctx, app.SessionRequest{Op: app.SessionShow, Ref: ref, Project: a.project, Actor: actor})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Document, nil
}

func (a *attached) Models(ctx context.Context) ([]tui.ModelInfo, error) {
	mr, err := a.via.Models(ctx)
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return models(mr.Models, mr.Errors)
}

func (a *attached) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	err := a.via.Subscribe(ctx, after, streams, func(ev events.Event) error {
		return fn([]events.Event{ev})
	})
	return unreachable(ctx, err)
}

// Status is the node attached to, in mode "attached".
func (a *attached) Status(ctx context.Context) (tui.Status, error) {
	cs, err := a.via.StatusWithPlan(ctx)
	if err != nil {
		return tui.Status{}, unreachable(ctx, err)
	}
	s := status(cs)
	s.Mode = "attached"
	return s, nil
}

// Context is what a question would be sent with: built here, for the
// model the node attached to answers with.
func (a *attached) Context(ctx context.Context, req tui.AskRequest) (*session.ContextSummary, error) {
	p, err := a.prepare(ctx, req)
	if err != nil || p == nil {
		return nil, unreachable(ctx, err)
	}
	return p.Context, nil
}

// The project's work stays on the node on the data dir, where the files
// are.

func (a *attached) Task(ctx context.Context, req tui.TaskRequest, fn func(string)) (*tui.TaskResult, error) {
	req, err := a.taskModel(ctx, req)
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return a.local.Task(ctx, req, fn)
}

func (a *attached) Apply(ctx context.Context, req tui.ApplyRequest) (*checkpoint.Checkpoint, error) {
	return a.local.Apply(ctx, req)
}

func (a *attached) Restore(ctx context.Context, id string) (*checkpoint.RestoreResult, error) {
	return a.local.Restore(ctx, id)
}

func (a *attached) Files(ctx context.Context) (*tui.Files, error) {
	return a.local.Files(ctx)
}
