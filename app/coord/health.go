package coord

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/sony/gobreaker/v2"
)

// RouteStatus is the breaker state of one provider+model.
type RouteStatus struct {
	Model   string `json:"model"`
	Breaker string `json:"breaker"` // closed, half-open, open
	// ConsecutiveFailures is how many faults in a row the breaker has
	// counted since the last success: for an open or half-open breaker,
	// those that opened it (and a failed trial).
	ConsecutiveFailures uint32 `json:"consecutive_failures"`
	// LastError is the message of the last failure the breaker counted,
	// as its attempt recorded it ("HTTP 500 from URL: …"), while it is
	// open or half-open; HTTPStatus is that failure's HTTP status (0: no
	// server answered it: out of reach, or silent).
	LastError  string `json:"last_error,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	// RetryAt is when an open breaker lets its next trial request
	// through; nil while it is closed or half-open.
	RetryAt *time.Time `json:"retry_at,omitempty"`
}

// TargetStatus is one provider's state in this process.
type TargetStatus struct {
	Name     string        `json:"name"`
	Kind     string        `json:"kind"`
	Endpoint string        `json:"endpoint"`
	Local    bool          `json:"local"`
	Limits   Limits        `json:"limits"`
	InFlight int64         `json:"in_flight"`
	LatencyM float64       `json:"latency_ms"` // moving average of successful requests
	Routes   []RouteStatus `json:"routes"`
}

// Status reports every target's breakers, limits and load. A route whose
// breaker an earlier process opened (History) is open here too.
func (c *Coordinator) Status() []TargetStatus {
	all := append(slices.Clip(c.targets), c.remoteTargets()...)
	out := make([]TargetStatus, 0, len(all))
	for _, t := range all {
		ts := TargetStatus{
			Name: t.name, Kind: t.Provider.Kind(), Endpoint: t.Provider.Endpoint(), Local: t.Local,
			Limits: t.Limits, InFlight: t.inflight.Load(), LatencyM: float64(t.ewma.Load()) / 1000,
			Routes: []RouteStatus{},
		}
		t.mu.Lock()
		for model, r := range t.models {
			ts.Routes = append(ts.Routes, r.status(model))
		}
		t.mu.Unlock()
		sort.Slice(ts.Routes, func(i, j int) bool { return ts.Routes[i].Model < ts.Routes[j].Model })
		out = append(out, ts)
	}
	return out
}

// status is the state of r, the route of model.
func (r *route) status(model string) RouteStatus {
	st := r.breaker.State()
	rs := RouteStatus{Model: model, Breaker: st.String(), ConsecutiveFailures: r.failures()}
	if st == gobreaker.StateClosed {
		return rs
	}
	if msg := r.lastFault.Load(); msg != nil {
		rs.LastError, rs.HTTPStatus = *msg, messageStatus(*msg)
	}
	if at := time.Unix(0, r.reopens.Load()); st == gobreaker.StateOpen && time.Until(at) > 0 {
		rs.RetryAt = &at
	}
	return rs
}

// Probe sends a health probe (a model listing) through every half-open
// breaker that a server out of reach opened, so that a provider back up is
// closed again by the probe rather than by a user's request. A breaker
// opened by a server that answered — an error status, overload, a broken
// stream — is left half-open: its model listing may work while its chats
// fail, so only a request (the next one is the single trial) can tell.
// Probe first takes up the routes the records of earlier requests show
// failing (History), so that Status reports their breakers in a new
// process too. A provider whose model list a silent server held
// (listing.go) is listed again, and used again at once if that works.
// aiex providers and aiex status run it; nothing runs it on a timer (a
// half-open breaker's next request is its trial). It returns how many
// breakers (and held listings) it closed.
func (c *Coordinator) Probe(ctx context.Context) int {
	for k := range c.history(ctx).faults {
		if t, ok := c.byName[k.provider]; ok {
			c.route(ctx, t, k.model)
		}
	}
	// Other nodes' providers, whose listings are what the node published
	// (no round trip): those of the nodes back are closed by the
	// cluster's view of them.
	closed := c.reviveHosts(ctx)
	for _, t := range c.targets {
		// A silent model list held (listing.go) is a server out of reach
		// too: a listing that works shows it is back.
		if t.probeListing(ctx, c) {
			closed++
		}
		t.mu.Lock()
		var half []*route
		for _, r := range t.models {
			if r.breaker.State() == gobreaker.StateHalfOpen && r.unreached.Load() {
				half = append(half, r)
			}
		}
		t.mu.Unlock()
		for _, r := range half {
			probed := false
			// The breaker counts the listing's outcome.
			_, _ = r.breaker.Execute(func() (struct{}, error) {
				probed = true
				pctx, cancel := context.WithTimeout(ctx, c.cfg.ListTimeout)
				defer cancel()
				_, err := t.Provider.Models(pctx)
				if err != nil && pctx.Err() != nil && ctx.Err() == nil {
					err = NoAnswer(t.Provider, c.cfg.ListTimeout) // a fault of the provider's
				}
				return struct{}{}, err
			})
			if probed && r.breaker.State() == gobreaker.StateClosed {
				closed++
			}
			// Not probed: another trial is under way.
		}
	}
	return closed
}

// Targets returns the configured targets, in configuration order, then
// those other nodes of the cluster host.
func (c *Coordinator) Targets() []Target {
	out := make([]Target, len(c.targets))
	for i, t := range c.targets {
		out[i] = t.Target
	}
	for _, t := range c.remoteTargets() {
		out = append(out, t.Target)
	}
	return out
}
