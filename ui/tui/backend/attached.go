package backend

import (
	"cmp"
	"context"

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
// Questions go without the project's code: the node attached to cannot
// read this machine's files. Context says so (nil: no code), and explain
// is refused.
func Attached(cl *node.Client, nodeName, project string) tui.Backend {
	return &attached{local: &remote{cl: cl, project: project}, via: cl.Via(nodeName), name: nodeName, project: project}
}

type attached struct {
	local   *remote      // the node on the data dir: the project's work
	via     *node.Client // relayed to the node attached to: the conversation
	name    string
	project string
}

func (a *attached) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	if req.Task != "" && req.Task != "ask" || req.Target != "" {
		return nil, usererr.Usage("%s reads this project's files, which node %s does not have; ask without a target, or run aiex tui without --node",
			cmp.Or(req.Task, "a target"), a.name)
	}
	ans, err := a.via.Ask(ctx, node.AskRequest{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model, NoContext: true,
		Actor: actor, Session: req.Session, Project: a.project},
		func(text string) error {
			fn(text)
			return nil
		})
	return result(ans), unreachable(ctx, err)
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
	cs, err := a.via.Status(ctx)
	if err != nil {
		return tui.Status{}, unreachable(ctx, err)
	}
	s := status(cs)
	s.Mode = "attached"
	return s, nil
}

// Context is what a question would be sent with: no code (see Attached).
func (a *attached) Context(context.Context, tui.AskRequest) (*session.ContextSummary, error) {
	return nil, nil
}

// The project's work stays on the node on the data dir, where the files
// are.

func (a *attached) Task(ctx context.Context, req tui.TaskRequest, fn func(string)) (*tui.TaskResult, error) {
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
