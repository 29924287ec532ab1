package node

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
)

// PlanEvery is how long the model a question would go to is trusted
// before it is planned again. A status bar reads the status every few
// seconds, and planning may list a provider's models: at most one plan
// in this time keeps that cost off the status.
const PlanEvery = 30 * time.Second

// PlanTimeout is how long one plan may take by default. A provider that
// is slow to list its models must not hold a status up (a relayed status
// fails after 10 s): a plan that runs out of time names no model, and is
// kept as a failed one is.
const PlanTimeout = 5 * time.Second

// Planned is the model a question naming none would go to now: its
// provider (a target name, NODE/PROVIDER for another node's), the model,
// and the node hosting it when another ("" for this one).
type Planned struct {
	Provider, Model, Node string
}

// Planner keeps the model a question without a model picked would go to
// now (the strategy's first choice, coord.Coordinator.Plan), for a status
// that names it. It plans again after PlanEvery, when the coordinator is
// a new one (the providers were reloaded), when the state the plan
// depends on changed (Note), and when told (Stale: a question was sent,
// which may have opened a breaker or taken round_robin's turn). Its zero
// value is ready to use; it is safe for concurrent use.
type Planner struct {
	// Plan plans with c; nil means c.Plan of a request naming nothing.
	Plan func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error)
	Now  func() time.Time // nil means time.Now
	// Timeout bounds one plan; 0 means PlanTimeout.
	Timeout time.Duration

	planMu sync.Mutex // one plan at a time

	mu   sync.Mutex // guards the rest
	c    *coord.Coordinator
	at   time.Time // when planned; zero: plan at the next call
	key  string    // the state as last noted (Note)
	next Planned
}

// Next returns the planned model, planning with c when what is kept is
// stale. A plan that fails (or runs out of Timeout) returns the zero
// Planned, and is kept as long as one that did not: what it is wanted
// for is still worth showing without it. A plan the caller gave up on
// (ctx ended) is not kept.
func (p *Planner) Next(ctx context.Context, c *coord.Coordinator) Planned {
	p.planMu.Lock()
	defer p.planMu.Unlock()
	if next, ok := p.kept(c); ok {
		return next
	}
	p.mu.Lock()
	key := p.key
	p.mu.Unlock()
	plan := p.Plan
	if plan == nil {
		plan = func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error) {
			return c.Plan(ctx, coord.Request{})
		}
	}
	pctx, cancel := context.WithTimeout(ctx, cmp.Or(p.Timeout, PlanTimeout))
	t, model, err := plan(pctx, c)
	cancel()
	var next Planned
	if err == nil {
		next = Planned{Provider: t.Provider.Name(), Model: model, Node: t.Node}
	} else if ctx.Err() != nil {
		return Planned{} // the caller gave up: that says nothing of the providers
	}
	p.mu.Lock()
	// State that changed while planning may have made the plan stale
	// already: it is returned, and planned again at the next call.
	if p.key == key {
		p.c, p.at = c, p.clock()
	}
	p.next = next
	p.mu.Unlock()
	return next
}

// kept returns the planned model when it is still to be trusted for c.
func (p *Planner) kept(c *coord.Coordinator) (Planned, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at.IsZero() || p.c != c || p.clock().Sub(p.at) >= PlanEvery {
		return Planned{}, false
	}
	return p.next, true
}

// Stale makes the next call plan again.
func (p *Planner) Stale() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = time.Time{}
}

// Note notes the state the plan depends on, named as one string (a model
// list, the breakers): one that differs from the last makes the next
// call plan again.
func (p *Planner) Note(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if key != p.key {
		p.key, p.at = key, time.Time{}
	}
}

func (p *Planner) clock() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// fillPlan sets cs's Provider, Model and ModelNode to the model a
// question naming none would go to now, as this node's core plans it.
// Without a coordinator (a provider's setup failed) or a plan it names
// none: a question says why, and the status is no less worth having.
func (n *Node) fillPlan(ctx context.Context, cs *ClusterStatus) {
	c, err := n.app.Coord(ctx)
	if err != nil {
		return
	}
	// The questions this node answers come from any of its clients, so
	// none can say when one was sent: the coordinator's state says it
	// instead (a failure counts against a breaker, a success moves its
	// target's latency, a question in flight its load), beside the models
	// the cluster's nodes list.
	n.plan.Note(planState(cs.Models, c.Status()))
	p := n.plan.Next(ctx, c)
	cs.Provider, cs.Model, cs.ModelNode = p.Provider, p.Model, p.Node
}

// planState names, as one string, what a plan depends on besides the
// time and the coordinator: the models the nodes list (in any order),
// and each target's load, latency and the breakers that are not closed
// and clean. A route the coordinator takes up (planning does, for the
// model it resolves) starts closed and clean, so that planning does not
// change the state it is keyed by.
func planState(ms []db.NodeModel, ts []coord.TargetStatus) string {
	lines := make([]string, 0, len(ms)+len(ts))
	for _, m := range ms {
		lines = append(lines, fmt.Sprintf("m\x00%s\x00%s\x00%s\x00%t", m.Node, m.Provider, m.Model, m.Loaded))
	}
	for _, t := range ts {
		line := fmt.Sprintf("t\x00%s\x00%d\x00%g", t.Name, t.InFlight, t.LatencyM)
		for _, r := range t.Routes {
			if r.Breaker != "closed" || r.ConsecutiveFailures != 0 {
				line += fmt.Sprintf("\x00%s=%s/%d", r.Model, r.Breaker, r.ConsecutiveFailures)
			}
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
