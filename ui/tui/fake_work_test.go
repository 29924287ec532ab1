package tui

import (
	"context"
	"fmt"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/session"
)

// The fake backend's work on the project: Task streams the chunks like
// Ask and returns taskResult; Apply and Restore record their calls;
// Context and Files return what is set.
type fakeWork struct {
	taskResult *TaskResult
	taskErr    error
	tasks      []TaskRequest
	applies    []ApplyRequest
	applyErr   error
	restores   []string
	restoreErr error
	ctxSum     *session.ContextSummary
	ctxErr     error
	ctxReqs    []AskRequest
	files      *Files
}

func (f *fakeBackend) Task(ctx context.Context, req TaskRequest, fn func(string)) (*TaskResult, error) {
	f.mu.Lock()
	if err := f.unreachable(); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	f.work.tasks = append(f.work.tasks, req)
	chunks, res, err := f.chunks, f.work.taskResult, f.work.taskErr
	f.nextTurn++
	turn := f.nextTurn
	f.mu.Unlock()
	for _, c := range chunks {
		fn(c)
	}
	if res == nil {
		return nil, err
	}
	out := *res
	a := f.result
	a.Turn, a.Session = turn, req.Session
	if req.Session == "new" {
		a.Session = "s-new"
	}
	out.Answer = &a
	return &out, err
}

func (f *fakeBackend) Apply(_ context.Context, req ApplyRequest) (*checkpoint.Checkpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.work.applies = append(f.work.applies, req)
	if f.work.applyErr != nil {
		return nil, f.work.applyErr
	}
	cp := &checkpoint.Checkpoint{ID: fmt.Sprintf("cp%d", len(f.work.applies)), Status: "applied", NFiles: len(req.Changes)}
	for _, c := range req.Changes {
		cp.Files = append(cp.Files, checkpoint.FileChanged{Path: c.Path})
	}
	return cp, nil
}

func (f *fakeBackend) Restore(_ context.Context, id string) (*checkpoint.RestoreResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.work.restores = append(f.work.restores, id)
	if f.work.restoreErr != nil {
		return nil, f.work.restoreErr
	}
	return &checkpoint.RestoreResult{Files: []checkpoint.Restored{{Path: "calc.go", Action: "write"}}}, nil
}

func (f *fakeBackend) Context(_ context.Context, req AskRequest) (*session.ContextSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.work.ctxReqs = append(f.work.ctxReqs, req)
	return f.work.ctxSum, f.work.ctxErr
}

func (f *fakeBackend) Files(context.Context) (*Files, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.work.files == nil {
		return &Files{}, nil
	}
	return f.work.files, nil
}
