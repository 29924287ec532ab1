package coord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/providers"
)

// Target is a provider the coordinator may route requests to.
type Target struct {
	Provider providers.Provider
	// Model is the provider's default model; "" means Wanted if the
	// provider lists it, else the first model it lists.
	Model string
	// Wanted, for a target without a Model, is the configuration's
	// default model (its top-level model): asked for where the provider
	// lists it, as a model a request names is. A target that does not
	// list it is tried after every one that may serve it (the strategy's
	// order otherwise kept), with its own first model: the configuration
	// names the model it wants, and failover still has somewhere to go.
	// The preferred provider (Config.Preferred) stays first all the same.
	Wanted string
	// Local marks a provider on this machine (Ollama, LM Studio, a
	// loopback server): preferred by local_affinity, and free.
	Local bool
	// Limits caps the request and token rates sent to each of its models.
	Limits Limits
	// AddressFrom says where the provider's address (its base URL) came
	// from, for the advice on reaching it: "" the config's base_url;
	// AddressDefault none was given, so the provider's default; else the
	// name of the environment variable that gave it (OPENAI_BASE_URL,
	// OLLAMA_HOST). Advice to check a base_url the config does not have
	// sent the user to the wrong place.
	AddressFrom string
	// Node, when set, is the node of the cluster that hosts the provider:
	// requests are forwarded to it over the mesh. local_affinity tries this
	// node's local providers first, then other nodes', then the cloud.
	Node string
}

// AddressDefault is Target.AddressFrom of a provider at its default
// address (no base_url, no variable naming one).
const AddressDefault = "default"

// tier is where local_affinity puts t: this machine, another node, cloud.
func (t *target) tier() int {
	switch {
	case t.Local && t.Node == "":
		return 0
	case t.Node != "":
		return 1
	}
	return 2
}

// Limits are per-model rate limits; zero means unlimited.
type Limits struct {
	RequestsPerMinute int `toml:"requests_per_minute" json:"requests_per_minute"`
	TokensPerMinute   int `toml:"tokens_per_minute" json:"tokens_per_minute"`
}

// String names the limits set, "60 req/min, 200000 tok/min", or "none";
// an absent (0) limit is no limit, not a limit of zero.
func (l Limits) String() string {
	var parts []string
	if l.RequestsPerMinute > 0 {
		parts = append(parts, fmt.Sprintf("%d req/min", l.RequestsPerMinute))
	}
	if l.TokensPerMinute > 0 {
		parts = append(parts, fmt.Sprintf("%d tok/min", l.TokensPerMinute))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// IsLocalKind reports whether providers of kind run on the user's machine
// by nature, or, for URL-configured kinds, whether endpoint's host is local
// by the rule the provider itself marks its models local with
// (providers.IsLocalHost: loopback, 0.0.0.0, private and link-local
// addresses, localhost names). One rule for both keeps what `aiex models`
// shows as local and free what the spend caps and local_affinity treat so.
func IsLocalKind(kind, endpoint string) bool {
	switch kind {
	case "ollama", "lmstudio":
		return true
	case "openai-compatible":
		u, err := url.Parse(endpoint)
		return err == nil && providers.IsLocalHost(u.Hostname())
	}
	return false
}

// target is a Target with its runtime state.
type target struct {
	Target
	name string

	inflight atomic.Int64
	// ewma is the smoothed latency of successful requests, in microseconds.
	ewma atomic.Int64

	mu      sync.Mutex
	models  map[string]*route // per model: breaker and limiters
	catalog []string          // model names, from Provider.Models: chat models first
	// catModels are the models of catalog as listed (context windows).
	catModels []providers.Model
	noChat    map[string]bool // the catalog's models that do not chat
	catErr    error
	catAt     time.Time
	// catHeld marks a failed listing in catErr that found the server
	// silent (listing.go): kept for Breaker.OpenFor, not catalogErrTTL.
	catHeld bool
	// catTook is how long the failed listing in catErr took, and
	// catUnrecorded that no request has recorded it yet.
	catTook       time.Duration
	catUnrecorded bool
	catSeeded     bool // the records of earlier processes were read
	catalogM      sync.Mutex
}

// route is the per provider+model state: a breaker and rate limiters.
type route struct {
	breaker *gobreaker.CircuitBreaker[struct{}]
	reqs    *rate.Limiter // nil: unlimited
	toks    *rate.Limiter // nil: unlimited
	// until is when the provider's last Retry-After ends (Unix ns): no
	// request is sent before, by any caller.
	until atomic.Int64
	// unreached tells whether the last fault the breaker counted was a
	// server that could not be reached (no HTTP answer): only then does
	// a model listing that works (Probe) show it is back.
	unreached atomic.Bool
	// reopens is when its breaker, last opened, lets a trial through
	// (Unix ns, by time.Now), for the message of a request it refuses.
	reopens atomic.Int64
	// tripped is how many faults in a row its breaker has counted since
	// the last success, while it is open or half-open: gobreaker's own
	// count starts again from 0 when it opens. Status and refusal show it.
	tripped atomic.Uint32
	// lastFault is the message of the last fault its breaker counted, as
	// its attempt recorded it ("HTTP 500 from URL: …"), for refusal: "open
	// after 5 failures" alone did not say what failed. nil: none known.
	lastFault atomic.Pointer[string]
}

// faulted notes msg, the message of a fault the breaker of r counted.
func (r *route) faulted(msg string) {
	if msg != "" {
		r.lastFault.Store(&msg)
	}
}

// breakerOpened notes that the breaker of r opened, until until.
func (r *route) breakerOpened(until time.Time) { r.reopens.Store(until.UnixNano()) }

// refusal is why r's breaker refused a request: open, and until when, or
// half-open with its one trial under way.
func (r *route) refusal() string {
	if left := time.Until(time.Unix(0, r.reopens.Load())); r.open() && left > 0 {
		last := ""
		if msg := r.lastFault.Load(); msg != nil {
			last = " (the last: " + *msg + ")"
		}
		// The time, not the wait: the message is recorded (SayWhen says
		// it as of when it is read).
		return fmt.Sprintf("circuit breaker open after %s in a row%s; %s",
			english.Count(int(r.tripped.Load()), "failure"), last, triedAgainAt(time.Unix(0, r.reopens.Load())))
	}
	return "circuit breaker half-open: a trial request is under way"
}

// open reports whether the route's breaker refuses requests now.
func (r *route) open() bool { return r.breaker.State() == gobreaker.StateOpen }

// unreached reports whether err is a server that could not be reached: no
// HTTP answer (connection refused, no answer in time), as opposed to one
// that answered with an error status or broke its stream, or one that took
// a chat and sent nothing (noFirstToken), whose model list may answer.
func unreached(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && pe.Kind == providers.KindUnavailable && pe.StatusCode == 0 && !errors.Is(err, errNoFirstToken)
}

// cooling returns how long the provider asked this route to wait yet.
func (r *route) cooling(now time.Time) time.Duration {
	return time.Duration(r.until.Load() - now.UnixNano())
}

// waitFor records that the provider asked for no request before now+d.
func (r *route) waitFor(now time.Time, d time.Duration) {
	end := now.Add(d).UnixNano()
	for {
		cur := r.until.Load()
		if cur >= end || r.until.CompareAndSwap(cur, end) {
			return
		}
	}
}

// route returns the state of model on t, creating it on first use from
// the records of earlier requests (seedRoute); for another node's model,
// a fresh one when that node is back after failures to reach it opened
// the breaker (revive).
func (c *Coordinator) route(ctx context.Context, t *target, model string) *route {
	return c.revive(t, model, c.routeFrom(t, model, func() *history { return c.history(ctx) }))
}

// routeFrom returns the state of model on t, creating it on first use
// from the records earlier returns (called not under t.mu: it may query
// the store).
func (c *Coordinator) routeFrom(t *target, model string, earlier func() *history) *route {
	t.mu.Lock()
	r, ok := t.models[model]
	t.mu.Unlock()
	if ok {
		return r
	}
	h := earlier()
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.models[model]; ok {
		return r
	}
	r = newRoute(t, model, c.cfg.Breaker)
	c.shareLimits(t, r)
	c.seedRoute(h, t.name, model, r)
	if t.models == nil {
		t.models = map[string]*route{}
	}
	t.models[model] = r
	return r
}

// LoadEmbedRoutes takes up the routes of the embedding models whose latest
// requests, in this node's records, failed in a row, so that Status reports
// their breakers in a new process too, as Probe does for chat models. An
// embedding model's route is otherwise made only when it is next used.
func (c *Coordinator) LoadEmbedRoutes(ctx context.Context) {
	h := c.embedHistory(ctx)
	for k := range h.faults {
		if t, ok := c.byName[k.provider]; ok {
			c.routeFrom(t, k.model, func() *history { return h })
		}
	}
}

// newRoute returns a fresh route of model on t.
func newRoute(t *target, model string, bc BreakerConfig) *route {
	r := &route{}
	r.breaker = gobreaker.NewCircuitBreaker[struct{}](r.settings(t.name+"/"+model, bc))
	if l := t.Limits.RequestsPerMinute; l > 0 {
		r.reqs = rate.NewLimiter(rate.Limit(float64(l)/60), l)
	}
	if l := t.Limits.TokensPerMinute; l > 0 {
		r.toks = rate.NewLimiter(rate.Limit(float64(l)/60), l)
	}
	return r
}

// settings are breakerSettings for r's breaker, noting when it opens and
// after how many faults in a row (tripped).
func (r *route) settings(name string, bc BreakerConfig) gobreaker.Settings {
	st := breakerSettings(name, bc)
	ready := st.ReadyToTrip
	st.ReadyToTrip = func(c gobreaker.Counts) bool {
		if !ready(c) {
			return false
		}
		r.tripped.Store(c.ConsecutiveFailures)
		return true
	}
	st.OnStateChange = func(_ string, from, to gobreaker.State) {
		if to == gobreaker.StateOpen {
			if from == gobreaker.StateHalfOpen {
				r.tripped.Add(1) // its trial failed too
			}
			r.breakerOpened(time.Now().Add(bc.OpenFor))
		}
	}
	return st
}

// failures is how many faults in a row the breaker of r has counted since
// the last success.
func (r *route) failures() uint32 {
	if r.breaker.State() == gobreaker.StateClosed {
		return r.breaker.Counts().ConsecutiveFailures
	}
	return r.tripped.Load()
}

// breakerSettings configures the breaker of the route named name. Once
// open for OpenFor, it is half-open: it lets one trial request through
// (MaxRequests), and refuses the others as if it were open, until the
// trial's outcome closes it or opens it again.
func breakerSettings(name string, bc BreakerConfig) gobreaker.Settings {
	return gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     bc.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= bc.Failures },
		// Only faults of the provider count against it; a refused key, an
		// unknown model, a cancelled request or one never sent (errNotSent)
		// say nothing of its health, and count neither way.
		IsExcluded: func(err error) bool { return err != nil && !breakerFault(err) },
	}
}

// openBreaker returns the breaker of the route named name as an earlier
// process left it: open until until (by time.Now), then half-open. A
// breaker's state and the end of its open period can only be set from
// outside through gobreaker's shared state (SharedState, the state a
// DistributedCircuitBreaker keeps in a store): the breaker is built over a
// store holding that state, takes it in once, and from then on is an
// ordinary breaker of this process.
func openBreaker(r *route, name string, bc BreakerConfig, until time.Time) (*gobreaker.CircuitBreaker[struct{}], error) {
	st := &breakerState{}
	dcb, err := gobreaker.NewDistributedCircuitBreaker[struct{}](st, r.settings(name, bc))
	if err != nil {
		return nil, err
	}
	var shared gobreaker.SharedState // a fresh breaker's, as gobreaker stored it
	if err := json.Unmarshal(st.data, &shared); err != nil {
		return nil, err
	}
	shared.State, shared.Expiry = gobreaker.StateOpen, until
	if st.data, err = json.Marshal(shared); err != nil {
		return nil, err
	}
	if _, err := dcb.State(); err != nil { // takes the stored state in
		return nil, err
	}
	r.breakerOpened(until)
	return dcb.CircuitBreaker, nil
}

// breakerState is the gobreaker.SharedDataStore openBreaker builds a
// breaker over: one state, used by one goroutine.
type breakerState struct{ data []byte }

func (*breakerState) Lock(string) error                { return nil }
func (*breakerState) Unlock(string) error              { return nil }
func (s *breakerState) GetData(string) ([]byte, error) { return s.data, nil }
func (s *breakerState) SetData(_ string, data []byte) error {
	s.data = data
	return nil
}

// errNotSent ends a breaker's turn for a request it allowed that never
// reached the provider: the rate limits or the store refused it. Passing
// nil instead would count as a success (closing a half-open breaker
// untested, resetting a closed one's failures).
var errNotSent = errors.New("coord: request not sent")

// breakerFault reports whether err is a failure of the provider itself.
func breakerFault(err error) bool {
	switch providers.KindOf(err) {
	case providers.KindUnavailable, providers.KindOverloaded, providers.KindRateLimited, providers.KindInterrupted:
		return true
	}
	return false
}

// observe folds a successful request's latency into the moving average.
func (t *target) observe(d time.Duration) {
	us := d.Microseconds()
	for {
		old := t.ewma.Load()
		next := us
		if old != 0 {
			next = (old*7 + us) / 8
		}
		if t.ewma.CompareAndSwap(old, next) {
			return
		}
	}
}

// catalogTTL is how long a provider's model list is trusted. A failed
// listing is remembered for catalogErrTTL only: long enough that the
// requests queued behind it (and a request's Plan, then its Chat) do not
// each wait on a dead server again, short enough that a server back up
// (Ollama restarted) is used again within seconds instead of being skipped
// for a minute in favour of a paid one.
const (
	catalogTTL    = time.Minute
	catalogErrTTL = 2 * time.Second
)

// DefaultListTimeout bounds one model listing (Config.ListTimeout). A
// listing is cheap — a server answers it in milliseconds — so one that has
// not answered by then is down or wedged, and waiting longer only delays
// the failover to the next target.
const DefaultListTimeout = providers.ListTimeout

// listBound is how long a listing may take under ctx: the configured
// bound, but never more than half of what is left of the request's
// deadline, so that a server that accepts the connection and never
// answers leaves the request time to fail over (and to say why).
func listBound(ctx context.Context, bound time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if half := time.Until(dl) / 2; half < bound {
			return max(half, time.Millisecond)
		}
	}
	return bound
}

// chats reports whether model, of the catalog, chats.
func (t *target) chats(model string) bool {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	return !t.noChat[model]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ErrNoAnswer is in the chain of every NoAnswer error: callers tell a
// server that did not answer in time by errors.Is, not by its wording.
var ErrNoAnswer = errors.New("coord: the server did not answer in time")

// NoAnswer is the error of a provider that took a request (its server
// accepted the connection) but did not answer it within d: one sentence
// naming the server, instead of the context's "deadline exceeded". It is
// KindUnavailable, so the request fails over, and wraps ErrNoAnswer.
func NoAnswer(p providers.Provider, d time.Duration) *providers.Error {
	return &providers.Error{Provider: p.Name(), Kind: providers.KindUnavailable, Err: ErrNoAnswer,
		Message: fmt.Sprintf("%s at %s"+noAnswerWords+"%s; is it running?", serverName(p), p.Endpoint(), roundDuration(d))}
}

// noAnswerWords are in every NoAnswer message: a record keeps the message,
// not the error's chain, and what reads it back tells such an error by
// them (unreachedMessage, seedListing).
const noAnswerWords = " did not answer within "

// serverName is what a provider's server is called in messages.
func serverName(p providers.Provider) string {
	switch p.Kind() {
	case "ollama":
		return "Ollama"
	case "lmstudio":
		return "LM Studio"
	case "openai":
		return "OpenAI"
	case "anthropic":
		return "Anthropic"
	}
	return p.Name()
}

// knownServer reports whether serverName names p's server by its program
// or service rather than by the provider's name in the config.
func knownServer(p providers.Provider) bool {
	switch p.Kind() {
	case "ollama", "lmstudio", "openai", "anthropic":
		return true
	}
	return false
}

// roundDuration shows d as people write it: 5s, 2.5s, 300ms.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// order is the order strategy s tries ts in (order), with the preferred
// provider, if among ts, first. next takes the request's round-robin turn
// (Chat, a round_robin request that does not name its provider); without
// it the turn is only looked at (Plan). Requests of other strategies take
// no turn. A process starts round_robin's turn and load_balanced's
// latencies from the records of earlier requests (rrTurn, seedLatency).
func (c *Coordinator) order(ctx context.Context, s Strategy, ts []*target, next bool) []*target {
	var rr uint64
	if s == RoundRobin {
		rr = c.rrTurn(ctx, next)
	}
	if s == LoadBalanced {
		c.seedLatency(ctx, ts)
	}
	out := order(s, ts, rr)
	if i := slices.IndexFunc(out, func(t *target) bool { return t.name == c.cfg.Preferred }); i > 0 {
		p := out[i]
		copy(out[1:i+1], out[:i])
		out[0] = p
	}
	return out
}

// order returns targets in the order strategy s tries them.
func order(s Strategy, ts []*target, rr uint64) []*target {
	out := slices.Clone(ts)
	switch s {
	case RoundRobin:
		if n := len(out); n > 0 {
			k := int(rr % uint64(n))
			out = append(out[k:], out[:k]...)
		}
	case LoadBalanced:
		slices.SortStableFunc(out, func(a, b *target) int {
			if d := a.inflight.Load() - b.inflight.Load(); d != 0 {
				return int(d)
			}
			la, lb := a.ewma.Load(), b.ewma.Load()
			switch {
			case la < lb:
				return -1
			case la > lb:
				return 1
			}
			return 0
		})
	default: // LocalAffinity
		slices.SortStableFunc(out, func(a, b *target) int { return a.tier() - b.tier() })
	}
	return out
}
