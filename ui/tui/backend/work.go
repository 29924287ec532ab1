package backend

import (
	"context"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/ui/tui"
)

// The TUI's work on the project: tasks, their writes and undo, the
// context a question would take, the project's files.

func taskRequest(project string, req tui.TaskRequest) app.TaskRequest {
	return app.TaskRequest{Root: project, Target: req.Target, Goal: req.Goal, Name: req.Name, Description: req.Description,
		Provider: req.Provider, Model: req.Model, Session: req.Session, Actor: actor, Toolchain: true}
}

func taskResult(res *app.TaskResult) *tui.TaskResult {
	if res == nil {
		return nil
	}
	return &tui.TaskResult{Answer: result(res.Answer), Proposal: res.Proposal, Tests: res.Tests, Confinement: res.Confinement}
}

func applyRequest(project string, req tui.ApplyRequest) app.ApplyRequest {
	return app.ApplyRequest{Root: project, Changes: req.Changes, Session: req.Session, Turn: req.Turn, Reason: req.Reason,
		Label: req.Label, Actor: actor, Partial: req.Partial, Declined: req.Declined,
		DeclinedHow: req.DeclinedHow}
}

func contextRequest(project string, req tui.AskRequest) app.ContextRequest {
	task := req.Task
	if task == "" {
		task = "ask"
	}
	creq := app.ContextRequest{Task: task, Root: project, Target: req.Target, Question: req.Prompt, Provider: req.Provider, Model: req.Model}
	if req.Session != "new" {
		creq.Session = req.Session // its history goes with the question
	}
	return creq
}

func contextSummary(c *app.BuiltContext) *session.ContextSummary {
	if c == nil {
		return nil
	}
	sum := session.SummarizeContext(c.Context)
	if sum != nil {
		sum.HistoryTurns, sum.HistoryTokens = c.HistoryTurns, c.HistoryTokens
	}
	return sum
}

func files(pf *app.ProjectFiles) *tui.Files {
	if pf == nil {
		return &tui.Files{}
	}
	out := &tui.Files{Indexed: pf.Indexed, List: make([]tui.File, len(pf.Files))}
	for i, f := range pf.Files {
		out.List[i] = tui.File{Path: f.Path, Lang: f.Lang, Size: f.Size, Skipped: f.Skipped}
	}
	return out
}

func (l *local) Task(ctx context.Context, req tui.TaskRequest, fn func(string)) (*tui.TaskResult, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	run := map[string]func(context.Context, app.TaskRequest, func(string) error) (*app.TaskResult, error){
		tui.TaskRefactor: core.Refactor, tui.TaskGenModule: core.GenModule, tui.TaskGenTests: core.GenTests,
	}[req.Kind]
	if run == nil {
		return nil, errUnknownTask(req.Kind)
	}
	res, err := run(ctx, taskRequest(l.project, req), func(text string) error {
		fn(text)
		return nil
	})
	l.next.stale()
	return taskResult(res), err
}

func (l *local) Apply(ctx context.Context, req tui.ApplyRequest) (*checkpoint.Checkpoint, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	res, err := core.Apply(ctx, applyRequest(l.project, req))
	if err != nil {
		return nil, err
	}
	return res.Checkpoint, nil
}

func (l *local) Restore(ctx context.Context, id string) (*checkpoint.RestoreResult, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	res, err := core.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: l.project, Ref: id, Actor: actor})
	if err != nil {
		return nil, err
	}
	return res.Restore, nil
}

func (l *local) Context(ctx context.Context, req tui.AskRequest) (*session.ContextSummary, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	c, err := core.BuildContext(ctx, contextRequest(l.project, req))
	if err != nil {
		return nil, err
	}
	return contextSummary(c), nil
}

func (l *local) Files(ctx context.Context) (*tui.Files, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	pf, err := core.Files(ctx, l.project)
	if err != nil {
		return nil, err
	}
	return files(pf), nil
}

func (r *remote) Task(ctx context.Context, req tui.TaskRequest, fn func(string)) (*tui.TaskResult, error) {
	if req.Kind != tui.TaskRefactor && req.Kind != tui.TaskGenModule && req.Kind != tui.TaskGenTests {
		return nil, errUnknownTask(req.Kind)
	}
	res, err := r.cl.Task(ctx, node.TaskRequest{Kind: req.Kind, TaskRequest: taskRequest(r.project, req)}, func(text string) error {
		fn(text)
		return nil
	})
	return taskResult(res), unreachable(ctx, err)
}

func (r *remote) Apply(ctx context.Context, req tui.ApplyRequest) (*checkpoint.Checkpoint, error) {
	res, err := r.cl.Apply(ctx, applyRequest(r.project, req))
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Checkpoint, nil
}

func (r *remote) Restore(ctx context.Context, id string) (*checkpoint.RestoreResult, error) {
	res, err := r.cl.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: r.project, Ref: id, Actor: actor})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Restore, nil
}

func (r *remote) Context(ctx context.Context, req tui.AskRequest) (*session.ContextSummary, error) {
	res, err := r.cl.Code(ctx, node.CodeRequest{Op: "context", Context: contextRequest(r.project, req)})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return contextSummary(res.Context), nil
}

func (r *remote) Files(ctx context.Context) (*tui.Files, error) {
	res, err := r.cl.Code(ctx, node.CodeRequest{Op: "files", Root: r.project})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return files(res.Files), nil
}
