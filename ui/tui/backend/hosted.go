package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/ui/tui"
)

// Hosted is a Backend over the core another process serves on the data
// dir's socket (cl). That process is either a node (aiex node run, which
// has a mesh address) or another command that only lends its core while
// it runs (another TUI, aiex events --follow: no address). A node that
// stops is waited for, as Node does: it is restarting, and would find its
// data dir taken. A lender that goes away is not coming back, so the
// backend takes the data dir over: it goes through whichever process took
// it first, else it runs the core itself (open, which should serve the
// socket in turn), and what the TUI queued meanwhile is sent there.
//
// An answer cut off because the process serving it went away keeps the
// text that arrived (see kept).
func Hosted(cl *node.Client, dataDir string, open func() (*app.App, error), project string) tui.Backend {
	return &keeping{Backend: &hosted{dataDir: dataDir, open: open, project: project, cur: &remote{cl: cl, project: project}}}
}

type hosted struct {
	dataDir string
	open    func() (*app.App, error)
	project string

	takeMu sync.Mutex  // one takeover at a time
	mu     sync.Mutex  // guards cur and lender
	cur    tui.Backend // *remote, or *local once taken over
	lender bool        // the host's last status had no mesh address
}

func (h *hosted) backend() tui.Backend {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// Status reports the host's status and learns whether it is a node. When
// a lender is gone it takes over (see Hosted); until that succeeds the
// error wraps tui.ErrUnreachable, so the TUI keeps probing.
func (h *hosted) Status(ctx context.Context) (tui.Status, error) {
	r, ok := h.backend().(*remote)
	if !ok {
		return h.backend().Status(ctx)
	}
	cs, err := r.cl.StatusWithPlan(ctx)
	if err == nil {
		h.set(r, cs.Addr == "")
		return status(cs), nil
	}
	err = unreachable(ctx, err)
	h.mu.Lock()
	lender := h.lender
	h.mu.Unlock()
	if !lender || !errors.Is(err, tui.ErrUnreachable) {
		return tui.Status{}, err
	}
	return h.takeOver(ctx, r, err)
}

func (h *hosted) set(b tui.Backend, lender bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cur, h.lender = b, lender
}

// takeOver replaces the lender gone: by the process that took the data
// dir first, else by the core in this process.
func (h *hosted) takeOver(ctx context.Context, gone *remote, why error) (tui.Status, error) {
	h.takeMu.Lock()
	defer h.takeMu.Unlock()
	if h.backend() != gone {
		// Taken over meanwhile: the next probe asks the new host.
		return tui.Status{}, fmt.Errorf("%w: %w", tui.ErrUnreachable, why)
	}
	if cl, err := node.Connect(ctx, h.dataDir); err == nil {
		cs, err := cl.StatusWithPlan(ctx)
		if err != nil {
			return tui.Status{}, unreachable(ctx, err)
		}
		h.set(&remote{cl: cl, project: h.project}, cs.Addr == "")
		return status(cs), nil
	}
	core, err := h.open()
	if errors.Is(err, syscall.EWOULDBLOCK) {
		// Another process holds the lock and does not serve yet (the
		// lender still closing, or another taking over): the next probe
		// tries again.
		return tui.Status{}, fmt.Errorf("%w: %w", tui.ErrUnreachable, why)
	}
	if err != nil {
		return tui.Status{}, err
	}
	l := &local{open: h.open, project: h.project, core: core}
	h.set(l, false)
	return l.Status(ctx)
}

func (h *hosted) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	return h.backend().Ask(ctx, req, fn)
}

func (h *hosted) Sessions(ctx context.Context) ([]session.Info, error) {
	return h.backend().Sessions(ctx)
}

func (h *hosted) Session(ctx context.Context, ref string) (*session.Document, error) {
	return h.backend().Session(ctx, ref)
}

func (h *hosted) Models(ctx context.Context) ([]tui.ModelInfo, error) {
	return h.backend().Models(ctx)
}

func (h *hosted) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	return h.backend().Subscribe(ctx, streams, after, fn)
}

func (h *hosted) Task(ctx context.Context, req tui.TaskRequest, fn func(string)) (*tui.TaskResult, error) {
	return h.backend().Task(ctx, req, fn)
}

func (h *hosted) Apply(ctx context.Context, req tui.ApplyRequest) (*checkpoint.Checkpoint, error) {
	return h.backend().Apply(ctx, req)
}

func (h *hosted) Restore(ctx context.Context, id string) (*checkpoint.RestoreResult, error) {
	return h.backend().Restore(ctx, id)
}

func (h *hosted) Context(ctx context.Context, req tui.AskRequest) (*session.ContextSummary, error) {
	return h.backend().Context(ctx, req)
}

func (h *hosted) Files(ctx context.Context) (*tui.Files, error) {
	return h.backend().Files(ctx)
}
