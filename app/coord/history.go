package coord

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// History is the record of earlier requests a coordinator starts from. A
// Recorder that implements it (db.Store does) lets a coordinator in a new
// process — every one-shot command is one — carry on from what earlier
// processes of this node did: breakers open after repeated faults, rate
// limits used up, the latencies load_balanced compares, round_robin's turn.
type History interface {
	// RecentRoutes returns node's finished requests started at or after
	// since, newest first, at most limit.
	RecentRoutes(ctx context.Context, node string, since time.Time, limit int) ([]db.RouteRecord, error)
	// LastRouteStart is the provider node's latest finished request of
	// strategy tried first, among its latest among requests; "" if none.
	LastRouteStart(ctx context.Context, node, strategy string, among int) (string, error)
}

// The records a coordinator starts from: the requests of the last
// historyWindow, at most historyLimit of them, read again when a route is
// first used more than historyTTL after the last read (a long-running
// node). The columns read lie after the prompt and the answer in a row:
// 200 rows of 12 KiB cost 3.5–5 ms, which every one-shot request pays when
// that many are that recent, 2 ms with an index holding them (DESIGN.md).
// A round_robin request older than those is looked for among the latest
// rrAmong requests.
const (
	historyWindow = 15 * time.Minute
	historyLimit  = 200
	historyTTL    = 10 * time.Second
	rrAmong       = 1000
)

// routeKey names a provider+model.
type routeKey struct{ provider, model string }

// sentAttempt is one recorded attempt that reached the provider, with
// when it started and ended as near as the record tells.
type sentAttempt struct {
	start, end time.Time
	outcome    string
	err        string
	tokens     int
}

// history is what the records of earlier requests say.
type history struct {
	at      time.Time                     // when it was read
	routes  map[routeKey][]sentAttempt    // oldest first
	latency map[string]time.Duration      // per provider: moving average of successful attempts
	rrStart map[Strategy]string           // strategy → provider its latest request tried first
	faults  map[routeKey]consecutiveFault // breaker-counting faults at the end of each route
	// listings is, per provider, its latest failed model listing with no
	// answer from it since (seedListing).
	listings map[string]failedListing
}

// failedListing is a model listing that failed: when it ended, how long
// it took, and why.
type failedListing struct {
	end  time.Time
	took time.Duration
	err  string
}

// consecutiveFault is how many breaker-counting faults a route's latest
// attempts were, with no success between them, and when the last ended.
type consecutiveFault struct {
	n    uint32
	last time.Time
	// unreached tells whether the last of them was a server out of reach
	// (route.unreached), as far as its recorded message tells.
	unreached bool
	err       string // the last one's recorded message (route.lastFault)
}

// history returns what the records of this node's earlier requests say,
// reading them (one query) if they were not read in the last historyTTL.
// Without a History, or when the store fails, it is empty: the coordinator
// starts from nothing, as it did before it had one.
func (c *Coordinator) history(ctx context.Context) *history {
	hs, ok := c.cfg.Recorder.(History)
	if !ok {
		return &history{}
	}
	c.histMu.Lock()
	defer c.histMu.Unlock()
	now := c.cfg.Now()
	if c.hist != nil && now.Sub(c.hist.at) < historyTTL {
		return c.hist
	}
	recs, err := hs.RecentRoutes(ctx, c.cfg.Node, now.Add(-historyWindow), historyLimit)
	if err != nil {
		c.logger.Warn("coord: cannot read recent requests; starting afresh", "err", err)
		return &history{}
	}
	c.hist = newHistory(recs, now)
	return c.hist
}

// newHistory reads recs, newest first, as read at now.
func newHistory(recs []db.RouteRecord, now time.Time) *history {
	h := &history{at: now, routes: map[routeKey][]sentAttempt{}, latency: map[string]time.Duration{},
		rrStart: map[Strategy]string{}, faults: map[routeKey]consecutiveFault{}, listings: map[string]failedListing{}}
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		rec := recs[i]
		if s := Strategy(rec.Strategy); len(rec.Route) > 0 {
			h.rrStart[s] = rec.Route[0].Provider
		}
		at := rec.StartedAt
		for j, a := range rec.Route {
			if a.Millis <= 0 {
				continue // passed over: no request was sent
			}
			d := time.Duration(a.Millis * float64(time.Millisecond))
			end := at.Add(d)
			if j == len(rec.Route)-1 && rec.FinishedAt != nil && rec.FinishedAt.After(end) {
				end = *rec.FinishedAt // backoffs are not in the attempts' times
			}
			if a.Model == "" { // a model listing (run.tryTarget), not a chat
				if unavailableOutcome(a.Outcome) {
					h.listings[a.Provider] = failedListing{end: end, took: d, err: a.Error}
				}
				at = end
				continue
			}
			if a.Outcome == "ok" {
				delete(h.listings, a.Provider) // it answered since
			}
			k := routeKey{a.Provider, a.Model}
			h.routes[k] = append(h.routes[k], sentAttempt{start: at, end: end, outcome: a.Outcome, err: a.Error,
				tokens: a.PromptTokens + a.CompletionTokens})
			if a.Outcome == "ok" {
				h.latency[a.Provider] = ewma(h.latency[a.Provider], d)
			}
			at = end
		}
	}
	for k, as := range h.routes {
		var f consecutiveFault
		for _, a := range slices.Backward(as) {
			if a.outcome == "ok" {
				break
			}
			if breakerFault(&providers.Error{Kind: outcomeKind(a.outcome)}) {
				if f.n == 0 {
					f.last, f.err = a.end, a.err
					f.unreached = a.outcome == string(providers.KindUnavailable) && unreachedMessage(a.err)
				}
				f.n++
			}
		}
		if f.n > 0 {
			h.faults[k] = f
		}
	}
	return h
}

// ewma folds d into the moving average old (0: none yet), as
// target.observe does.
func ewma(old, d time.Duration) time.Duration {
	if old == 0 {
		return d
	}
	return (old*7 + d) / 8
}

// seedRoute starts rt, new in this process, from the records: its
// breaker, and its rate limiters as the requests of the last minute left
// them. The limiters are this node's share already (shareLimits), and the
// records are this node's requests, so the two agree.
func (c *Coordinator) seedRoute(h *history, name, model string, rt *route) {
	k := routeKey{name, model}
	now := c.cfg.Now()
	if f, ok := h.faults[k]; ok {
		bc := c.cfg.Breaker
		n := f.n
		if n >= bc.Failures {
			// The breaker opened in an earlier process: it is open for the
			// rest of its period, then half-open, and the next request is
			// its one trial (others fail over meanwhile) — a failure opens
			// it again at once. gobreaker keeps time by time.Now, so the
			// end of the period is moved from this coordinator's clock to
			// that one.
			until := time.Now().Add(f.last.Add(bc.OpenFor).Sub(now))
			if b, err := openBreaker(rt, rt.breaker.Name(), bc, until); err == nil {
				rt.breaker, n = b, 0
				rt.tripped.Store(f.n)
			} else {
				c.logger.Warn("coord: cannot restore an open circuit breaker", "route", rt.breaker.Name(), "err", err)
			}
		}
		for range n {
			_, _ = rt.breaker.Execute(func() (struct{}, error) { return struct{}{}, errRecordedFault })
		}
		// A health probe may close it if its server was out of reach.
		rt.unreached.Store(f.unreached)
		rt.faulted(f.err)
	}
	if rt.reqs == nil && rt.toks == nil {
		return
	}
	since := now.Add(-time.Minute)
	for _, a := range h.routes[k] {
		if a.start.Before(since) {
			continue
		}
		if rt.reqs != nil {
			rt.reqs.ReserveN(a.start, 1)
		}
		if rt.toks != nil && a.tokens > 0 {
			charge(rt.toks, a.start, a.tokens)
		}
	}
}

// unreachedMessage reports whether the recorded message of an unavailable
// attempt says that its server could not be reached — what unreached tells
// of the error itself, which the record does not keep: every provider
// words a connection that failed "cannot reach <server> at <URL>: …", and
// a server that took it and never answered NoAnswer's "… did not answer
// within …". A server that answered 500 says something else.
func unreachedMessage(msg string) bool {
	return strings.HasPrefix(msg, "cannot reach ") || strings.Contains(msg, noAnswerWords) ||
		strings.HasPrefix(msg, "node ") && strings.Contains(msg, " is not reachable") // another node's (hostReach)
}

// errRecordedFault is a fault an earlier process recorded, replayed into a
// new breaker.
var errRecordedFault = &providers.Error{Kind: providers.KindUnavailable, Message: "recorded fault"}

// seedLatency gives the targets this process has not yet seen answer the
// latency the records show, for load_balanced.
func (c *Coordinator) seedLatency(ctx context.Context, ts []*target) {
	var h *history
	for _, t := range ts {
		if t.ewma.Load() != 0 {
			continue
		}
		if h == nil {
			h = c.history(ctx)
		}
		if d := h.latency[t.name]; d > 0 {
			t.ewma.CompareAndSwap(0, d.Microseconds())
		}
	}
}

// rrTurn is the round-robin turn of the request: in a process that has
// made none yet, the turn after the target this node's latest round_robin
// request started with, as the records show, so that one-shot commands
// take turns too.
func (c *Coordinator) rrTurn(ctx context.Context, next bool) uint64 {
	c.rrOnce.Do(func() {
		h := c.history(ctx)
		start, ok := h.rrStart[RoundRobin]
		if !ok {
			if hs, isHist := c.cfg.Recorder.(History); isHist {
				var err error
				start, err = hs.LastRouteStart(ctx, c.cfg.Node, string(RoundRobin), rrAmong)
				if err != nil {
					c.logger.Warn("coord: cannot read the last round-robin request", "err", err)
				}
			}
		}
		all := c.allTargets()
		if i := slices.IndexFunc(all, func(t *target) bool { return t.name == start }); start != "" && i >= 0 {
			c.rr.Store(uint64(i + 1))
		}
	})
	if next {
		return c.rr.Add(1) - 1
	}
	return c.rr.Load()
}
