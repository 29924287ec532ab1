package coord

import (
	"context"

	"github.com/sony/gobreaker/v2"

	"github.com/aiex-dev/aiex/providers"
)

// hostReach is implemented by the providers other nodes of the cluster
// host (app/node): HostDown says whether the node is known not to answer
// now — a request found it out of reach, and no heartbeat of it came
// since — and why, in one clause: "node n1 (127.0.0.1:7421) is not
// reachable".
//
// Such a target is passed over while its node is down, without being
// sent the request (nor retried: each try would fail alike, and each was
// counted against its breaker, so that one request opened it); and a
// breaker that such failures opened is closed once the node is back,
// rather than refusing requests for the rest of its open period.
type hostReach interface {
	HostDown() (why string, down bool)
}

// HostAdvice is what to do about a node of the cluster that is not
// reachable, said after the clause that says so (hostReach).
const HostAdvice = "start aiex node run there, or see aiex cluster status"

// hostDown reports whether t's provider is hosted by another node known
// not to answer now, and why.
func hostDown(t *target) (string, bool) {
	h, ok := t.Provider.(hostReach)
	if !ok {
		return "", false
	}
	return h.HostDown()
}

// downErr is the failure of a request passed over on t, whose node is
// known down (why).
func downErr(t *target, why string) error {
	return &providers.Error{Provider: t.name, Kind: providers.KindUnavailable, Message: why}
}

// revive returns the route of model on t to use now: rt, or, when t's node
// is back (not known down) and rt's breaker was opened by failures to
// reach it, a fresh route in its place, its breaker closed. A model
// listing, the probe of other providers (Probe), says nothing of another
// node: its providers list what it published, down or not; the cluster's
// view of the node (its heartbeats) does.
func (c *Coordinator) revive(t *target, model string, rt *route) *route {
	if _, ok := t.Provider.(hostReach); !ok || rt.breaker.State() == gobreaker.StateClosed || !rt.unreached.Load() {
		return rt
	}
	if _, down := hostDown(t); down {
		return rt
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur := t.models[model]; cur != rt {
		if cur == nil {
			return rt
		}
		return cur // revived already
	}
	nr := newRoute(t, model, c.cfg.Breaker)
	nr.reqs, nr.toks = rt.reqs, rt.toks // the limits are the provider's, not the breaker's
	nr.until.Store(rt.until.Load())
	t.models[model] = nr
	return nr
}

// reviveHosts closes the breakers of other nodes' providers that failures
// to reach them opened, for the nodes that are back (revive), and returns
// how many it closed.
func (c *Coordinator) reviveHosts(ctx context.Context) int {
	closed := 0
	for _, t := range c.remoteTargets() {
		if ctx.Err() != nil {
			break
		}
		t.mu.Lock()
		routes := make(map[string]*route, len(t.models))
		for m, r := range t.models {
			routes[m] = r
		}
		t.mu.Unlock()
		for m, r := range routes {
			if c.revive(t, m, r) != r {
				closed++
			}
		}
	}
	return closed
}

// downHostPinned reports whether the request was pinned to another node's
// provider whose node is known down, and why ("node n1 (…) is not
// reachable").
func (r *run) downHostPinned() (string, bool) {
	if r.req.Provider == "" {
		return "", false
	}
	for _, t := range r.c.allTargets() {
		if t.name == r.req.Provider {
			return hostDown(t)
		}
	}
	return "", false
}
