// Package backend connects the TUI (ui/tui) to the core: the core in this
// process (an *app.App, opened on first use, so that the TUI draws its
// first frame before the store is open), the node running on the data
// dir (a *node.Client, through its unix socket), or another node of the
// cluster, through the one on the data dir, which relays over the mesh
// (Attached).
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/ui/tui"
)

// actor is who the TUI's questions are recorded as asked by.
const actor = "tui"

// sessionsLimit is how many sessions the side pane lists.
const sessionsLimit = 100

// Local is a Backend over the core in this process, opened by open on
// first use (and again after a failure). project is the project's root:
// its sessions are listed, and its code goes with questions when it is
// indexed.
func Local(open func() (*app.App, error), project string) tui.Backend {
	return &local{open: open, project: project}
}

type local struct {
	open    func() (*app.App, error)
	project string

	mu   sync.Mutex
	core *app.App

	next planner // the model a question would go to, for Status
}

func (l *local) app() (*app.App, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.core == nil {
		core, err := l.open()
		if err != nil {
			return nil, err
		}
		l.core = core
	}
	return l.core, nil
}

func (l *local) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	ans, err := core.AskCode(ctx, app.CodeAsk{
		Request: ask.Request{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model, Actor: actor},
		Task:    req.Task, Target: req.Target, Root: l.project, Session: session.Ref(req.Session), Project: l.project,
	}, func(text string) error {
		fn(text)
		return nil
	})
	l.next.stale()
	return result(ans), err
}

func (l *local) Sessions(ctx context.Context) ([]session.Info, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	res, err := core.Session(ctx, app.SessionRequest{Op: app.SessionList, Project: l.project, Limit: sessionsLimit})
	if err != nil {
		return nil, err
	}
	return res.Sessions, nil
}

func (l *local) Session(ctx context.Context, ref string) (*session.Document, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	res, err := core.Session(ctx, app.SessionRequest{Op: app.SessionShow, Ref: ref, Project: l.project, Actor: actor})
	if err != nil {
		return nil, err
	}
	return res.Document, nil
}

func (l *local) Models(ctx context.Context) ([]tui.ModelInfo, error) {
	core, err := l.app()
	if err != nil {
		return nil, err
	}
	ms, errs, err := core.Models(ctx)
	if err != nil {
		return nil, err
	}
	out, err := models(ms, errs)
	l.next.models(out)
	return out, err
}

func (l *local) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	core, err := l.app()
	if err != nil {
		return err
	}
	log, err := core.Events()
	if err != nil {
		return err
	}
	return log.Subscribe(ctx, streams, after, fn)
}

func (l *local) Status(ctx context.Context) (tui.Status, error) {
	core, err := l.app()
	if err != nil {
		return tui.Status{}, err
	}
	select {
	case <-core.Store.Lost():
		// The data dir was deleted or replaced under the TUI: what it
		// writes from now on is lost. The TUI ends, saying so.
		return tui.Status{}, &tui.Unusable{Err: core.Store.LostErr()}
	default:
	}
	st := core.Store.Status()
	s := tui.Status{Node: st.NodeID, Mode: "embedded", Leader: st.Leader, Members: max(st.Members, 1)}
	if st.Leader == "" {
		s.Problem = "no leader"
	}
	// Without a coordinator (a provider's setup failed) no model is named;
	// a question says why.
	if c, err := core.Coord(ctx); err == nil {
		l.next.fill(ctx, c, &s)
	}
	return s, nil
}

// Node is a Backend over the node running on the data dir. Errors that
// say the node cannot be reached wrap tui.ErrUnreachable; an answer cut
// off that way keeps the text that arrived (see kept).
func Node(cl *node.Client, project string) tui.Backend {
	return &keeping{Backend: &remote{cl: cl, project: project}}
}

type remote struct {
	cl      *node.Client
	project string
}

func (r *remote) Ask(ctx context.Context, req tui.AskRequest, fn func(string)) (*tui.AskResult, error) {
	ans, err := r.cl.Ask(ctx, node.AskRequest{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model, Task: req.Task,
		Root: r.project, Target: req.Target, Actor: actor, Session: req.Session, Project: r.project},
		func(text string) error {
			fn(text)
			return nil
		})
	return result(ans), unreachable(ctx, err)
}

func (r *remote) Sessions(ctx context.Context) ([]session.Info, error) {
	res, err := r.cl.Session(ctx, app.SessionRequest{Op: app.SessionList, Project: r.project, Limit: sessionsLimit})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Sessions, nil
}

func (r *remote) Session(ctx context.Context, ref string) (*session.Document, error) {
	res, err := r.cl.Session(ctx, app.SessionRequest{Op: app.SessionShow, Ref: ref, Project: r.project, Actor: actor})
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return res.Document, nil
}

func (r *remote) Models(ctx context.Context) ([]tui.ModelInfo, error) {
	mr, err := r.cl.Models(ctx)
	if err != nil {
		return nil, unreachable(ctx, err)
	}
	return models(mr.Models, mr.Errors)
}

func (r *remote) Subscribe(ctx context.Context, streams []string, after int64, fn func([]events.Event) error) error {
	err := r.cl.Subscribe(ctx, after, streams, func(ev events.Event) error {
		return fn([]events.Event{ev})
	})
	return unreachable(ctx, err)
}

func (r *remote) Status(ctx context.Context) (tui.Status, error) {
	cs, err := r.cl.StatusWithPlan(ctx)
	if err != nil {
		return tui.Status{}, unreachable(ctx, err)
	}
	return status(cs), nil
}

// status is a node's cluster status for the status bar, in mode "node",
// with the model the node plans a question to go to when it was asked
// for one (node.Client.StatusWithPlan).
func status(cs *node.ClusterStatus) tui.Status {
	s := tui.Status{Node: cs.Self, Mode: "node", Leader: cs.Store.Leader, Problem: cs.Error,
		Provider: cs.Provider, Model: cs.Model, ModelNode: cs.ModelNode}
	for _, m := range cs.Members {
		if m.Voter {
			s.Members++
			if !m.Reachable {
				s.Down++
			}
		}
	}
	s.Members = max(s.Members, 1)
	if s.Leader == "" && s.Problem == "" {
		s.Problem = "no leader"
	}
	return s
}

// unreachable marks the errors that say the node is gone (it stopped, or
// quit while it served an answer, or the connection dropped mid-answer),
// or that the node it relays to is, as tui.ErrUnreachable.
func unreachable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var op *net.OpError
	if errors.As(err, &op) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ENOENT) || errors.Is(err, node.ErrNoNode) || errors.Is(err, node.ErrCutOff) ||
		errors.Is(err, node.ErrPeerUnreachable) || errors.Is(err, node.ErrHostQuit) {
		return fmt.Errorf("%w: %w", tui.ErrUnreachable, err)
	}
	return err
}

// result converts an answer for the TUI.
func result(ans *app.Answer) *tui.AskResult {
	if ans == nil {
		return nil
	}
	r := &tui.AskResult{Session: ans.Session, Turn: ans.Turn, Warning: ans.Warning}
	if in := ans.Interaction; in != nil {
		r.Provider, r.Model, r.Node = in.Provider, in.Model, in.Node
		r.PromptTokens, r.CompletionTokens, r.CostUSD = int64(in.PromptTokens), int64(in.CompletionTokens), in.CostUSD
		r.CostUnknown = in.CostUnknown != nil && *in.CostUnknown
		r.StopReason, r.Complete = in.StopReason, in.Status == "ok" // the history's status of an answer that arrived whole
		r.Failover = coord.FailoverNote(in)
		if in.TotalMillis != nil {
			r.TotalMillis = int64(*in.TotalMillis)
		}
	}
	if c := ans.Context; c != nil {
		r.Context = session.SummarizeContext(c.Context)
		if r.Context != nil {
			r.Context.HistoryTurns, r.Context.HistoryTokens = c.HistoryTurns, c.HistoryTokens
		}
	}
	return r
}

// models converts the model list; with none at all, why each provider
// was unreachable is the error.
func models(ms []app.ModelInfo, errs map[string]string) ([]tui.ModelInfo, error) {
	if len(ms) == 0 && len(errs) > 0 {
		names := make([]string, 0, len(errs))
		for n := range errs {
			names = append(names, n)
		}
		sort.Strings(names)
		why := make([]string, len(names))
		for i, n := range names {
			// A provider's error names it already ("ollama: unavailable: …").
			why[i] = errs[n]
			if !strings.HasPrefix(why[i], n+": ") {
				why[i] = n + ": " + why[i]
			}
		}
		return nil, fmt.Errorf("no provider answered (%s)", strings.Join(why, "; "))
	}
	out := make([]tui.ModelInfo, 0, len(ms))
	for _, m := range ms {
		if m.NoChat {
			continue // not one to pick for a conversation
		}
		mi := tui.ModelInfo{Provider: m.Provider, Model: m.Model, Node: m.Node, ContextWindow: m.ContextWindow, Local: m.Local}
		if m.Price != nil {
			mi.Priced, mi.InputUSD, mi.OutputUSD = true, m.Price.Input, m.Price.Output
		}
		out = append(out, mi)
	}
	return out, nil
}

func errUnknownTask(kind string) error { return fmt.Errorf("unknown task %q", kind) }
