// Package coord is the coordinator: every LLM request goes through it. It
// chooses provider and model by a strategy (local_affinity, load_balanced,
// round_robin; an explicit --provider/--model always wins), guards each
// provider+model with a circuit breaker and rate limits, retries retryable
// failures with backoff (honouring a short Retry-After, failing over past a
// long one) but never once tokens have reached the user, fails over to the
// next candidate, enforces spend caps, and records every request — with
// each attempt, what it used and what it cost — in the store. DESIGN.md
// explains the choices.
package coord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// Strategy orders the candidates of a request.
type Strategy string

// The strategies.
const (
	LocalAffinity Strategy = "local_affinity" // local models first, then cloud
	LoadBalanced  Strategy = "load_balanced"  // fewest in flight, then lowest latency
	RoundRobin    Strategy = "round_robin"    // rotate the starting provider
)

// Pinned is recorded as the strategy of a request that named its provider
// (Request.Provider): no strategy chose its route. It is not one a request
// can ask for.
const Pinned Strategy = "pinned"

// ParseStrategy validates a strategy name; "" means LocalAffinity.
func ParseStrategy(s string) (Strategy, error) {
	switch Strategy(s) {
	case "":
		return LocalAffinity, nil
	case LocalAffinity, LoadBalanced, RoundRobin:
		return Strategy(s), nil
	}
	return "", usererr.Usage("unknown routing strategy %q; use local_affinity, load_balanced or round_robin", s)
}

// Recorder stores requests and their events, and sums spending.
type Recorder interface {
	StartInteraction(ctx context.Context, in *db.Interaction) error
	FinishInteraction(ctx context.Context, in *db.Interaction, ev *db.Event) error
	SpentSince(ctx context.Context, t time.Time) (float64, error)
}

// BreakerConfig configures the per provider+model circuit breakers.
type BreakerConfig struct {
	Failures uint32        // consecutive failures that open it; 0 means 5
	OpenFor  time.Duration // how long it stays open before a trial; 0 means 30 s
}

// SpendCaps refuse paid requests once reached; zero means no cap.
type SpendCaps struct {
	DailyUSD   float64 `toml:"daily_usd" json:"daily_usd"`
	MonthlyUSD float64 `toml:"monthly_usd" json:"monthly_usd"`
}

// Config configures a Coordinator. It works at its zero value apart from
// Targets and Recorder.
type Config struct {
	Targets []Target
	// Recorder records every request. If it is also a History (db.Store
	// is), the coordinator starts from the records of this node's earlier
	// requests: see History.
	Recorder Recorder
	Node     string   // this node's ID, recorded with each request
	Strategy Strategy // default strategy; "" means LocalAffinity
	// Preferred names the provider tried first whatever the strategy (the
	// config's default provider); the others stay behind it for failover.
	Preferred string
	Prices    pricing.Table
	Caps      SpendCaps
	Breaker   BreakerConfig
	// MaxAttempts is how many times one provider+model is tried for one
	// request before failing over; 0 means 3.
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential backoff between
	// retries (full jitter); 0 means 250 ms and 8 s.
	BackoffBase, BackoffMax time.Duration
	// Deadline bounds a whole request, retries and failovers included;
	// 0 means 10 minutes. Callers that do work for the request before
	// Chat (Plan, building its prompt) start it there (see Deadline).
	Deadline time.Duration
	// FirstToken bounds the wait for an attempt's first token when
	// another candidate could take the request instead; 0 means half of
	// what is left of the deadline, which is also the most it may be.
	// See firstTokenBound.
	FirstToken time.Duration
	// ListTimeout bounds one model listing of a target (it resolves the
	// model to ask for); 0 means DefaultListTimeout.
	ListTimeout time.Duration
	// MaxAnswer bounds an answer, in bytes of text (and tool-call
	// arguments); 0 means DefaultMaxAnswer. A stream that passes it is
	// stopped there, and the request recorded as interrupted with the
	// answer up to it.
	MaxAnswer int
	// Hint ends the "no provider reachable" message: how to configure one.
	Hint string
	// Configured says that the providers are the config file's own tables:
	// when the one provider tried cannot be reached, the message says how
	// to reach it rather than Hint.
	Configured bool
	Logger     *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Remote, if set, returns the targets other nodes of the cluster host
	// (Target.Node set), asked for at every request: the set changes as
	// nodes come and go. Each keeps its breaker and limits across requests.
	Remote func() []Target
	// Nodes, if set, returns how many live nodes of the cluster configure
	// a provider of this name, this one included: a provider's rate
	// limits are cluster-wide, each of those nodes taking an equal share
	// of them. (Spend caps are cluster-wide already: every node's spending
	// is in the replicated interaction log they are checked against.)
	Nodes func(provider string) int
	// Pending runs the finishing writes of requests that returned before
	// the store took them; nil means the coordinator's own, which Close
	// waits for. A caller that builds coordinators anew shares one and
	// closes it itself.
	Pending *Pending
}

// Coordinator routes requests. It is safe for concurrent use.
type Coordinator struct {
	cfg     Config
	targets []*target
	byName  map[string]*target
	rr      atomic.Uint64
	rrOnce  sync.Once // rr starts from the records (rrTurn)
	logger  *slog.Logger

	histMu sync.Mutex
	hist   *history // what the records of earlier requests say (history)

	remoteMu sync.Mutex
	remote   map[string]*target // by provider name, kept across requests

	pending    *Pending // finishing writes still to land (finish)
	ownPending bool     // pending is the coordinator's own: Close closes it

	secrets *providers.Redactor // the configured providers' credentials (Redactor)
}

// New returns a Coordinator for cfg.
func New(cfg Config) *Coordinator {
	if cfg.Strategy == "" {
		cfg.Strategy = LocalAffinity
	}
	if cfg.Breaker.Failures == 0 {
		cfg.Breaker.Failures = 5
	}
	if cfg.Breaker.OpenFor == 0 {
		cfg.Breaker.OpenFor = 30 * time.Second
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = 250 * time.Millisecond
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 8 * time.Second
	}
	if cfg.Deadline == 0 {
		cfg.Deadline = 10 * time.Minute
	}
	if cfg.ListTimeout == 0 {
		cfg.ListTimeout = DefaultListTimeout
	}
	if cfg.MaxAnswer <= 0 {
		cfg.MaxAnswer = DefaultMaxAnswer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Coordinator{cfg: cfg, byName: map[string]*target{}, logger: cfg.Logger, pending: cfg.Pending, secrets: joinSecrets(cfg.Targets)}
	if c.pending == nil {
		c.pending, c.ownPending = &Pending{}, true
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	for _, t := range cfg.Targets {
		tt := &target{Target: t, name: t.Provider.Name()}
		c.targets = append(c.targets, tt)
		c.byName[tt.name] = tt
	}
	return c
}

// Close waits, for a few seconds at most, for the finishing writes of
// requests that returned before the store took them, if the coordinator
// runs them itself (Config.Pending nil): see Pending.Close. It is safe to
// call twice.
func (c *Coordinator) Close() {
	if c.ownPending {
		c.pending.Close()
	}
}

// Deadline is how long a request may take, retries and failovers
// included: callers that plan the request and build its prompt before
// Chat put their work under it too, so that a server that never answers
// cannot hold the request before Chat starts its own.
func (c *Coordinator) Deadline() time.Duration { return c.cfg.Deadline }

// Request is one LLM request.
type Request struct {
	Messages []providers.Message
	Tools    []providers.Tool
	// Prompt is what is recorded as the request's prompt (the user's words);
	// "" records the last user message.
	Prompt string
	// Provider and Model, when set, pin the route.
	Provider, Model string
	Strategy        Strategy // "" means the coordinator's default
	Temperature     *float64
	MaxTokens       int
	Window          int    // providers.Request.Window
	Actor           string // who asked, for the event log
	SessionID       string
	// Start is when the caller began work on the request (its Plan,
	// building its prompt); zero means when Chat is called. The request
	// is recorded as started then, and its total time counts from it.
	Start time.Time
}

// EventStream and EventType name the event appended for every request.
const (
	EventStream = "llm"
	EventType   = "llm.interaction.finished"
)

// Chat runs req, streaming the answer's chunks to fn in order, and returns
// the recorded interaction. On failure the interaction, if the request got
// as far as a provider (an attempt, or a target passed over: its model list
// failed, its breaker open), is returned along with the error.
func (c *Coordinator) Chat(ctx context.Context, req Request, fn func(providers.Chunk) error) (*db.Interaction, error) {
	strategy := req.Strategy
	if strategy == "" {
		strategy = c.cfg.Strategy
	}
	cands, err := c.candidates(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()

	r := &run{c: c, req: req, fn: fn, strategy: strategy, start: req.Start}
	if r.start.IsZero() {
		r.start = c.cfg.Now()
	}
	// A request that names its provider is not the strategy's to route:
	// it takes no round-robin turn, and its record says it was pinned.
	turn := req.Provider == ""
	if !turn {
		r.strategy = Pinned
	}
	order := c.order(ctx, strategy, cands, turn)
	for i, n := 0, len(order); i < len(order); i++ {
		t := order[i]
		r.more, r.late = i < len(order)-1, i >= n
		done, err := r.tryTarget(ctx, t)
		if errors.Is(err, errLater) {
			order = r.postpone(order, t)
			continue
		}
		if done {
			return r.in, err
		}
		if ctx.Err() != nil {
			break
		}
		if i+1 < len(order) {
			r.logFailover(ctx, t, order[i+1])
		}
	}
	return r.in, r.finishFailed(ctx)
}

// postpone puts t, which does not list the configured model (errLater), at
// the end of order, to be tried once every target before it was, on its
// own default model.
func (r *run) postpone(order []*target, t *target) []*target {
	if r.deferred == 0 {
		order = slices.Clone(order)
	}
	r.deferred++
	return append(order, t)
}

// allTargets returns the configured targets, then those other nodes host.
func (c *Coordinator) allTargets() []*target {
	all := c.targets
	if remote := c.remoteTargets(); len(remote) > 0 {
		all = append(slices.Clone(all), remote...)
	}
	return all
}

// candidates returns the targets a request may use.
func (c *Coordinator) candidates(req Request) ([]*target, error) {
	all := c.allTargets()
	if len(all) == 0 {
		return nil, usererr.New("no LLM provider configured; %s", c.cfg.Hint)
	}
	if req.Provider == "" {
		return all, nil
	}
	t, ok := c.byName[req.Provider]
	if !ok {
		for _, r := range all {
			if r.name == req.Provider {
				t, ok = r, true
			}
		}
	}
	if !ok {
		names := make([]string, len(all))
		for i, t := range all {
			names[i] = t.name
		}
		return nil, usererr.Usage("unknown provider %q; configured providers: %s", req.Provider, strings.Join(names, ", "))
	}
	return []*target{t}, nil
}

// remoteTargets returns the targets other nodes host now, reusing the
// state (breakers, limits, latency) of those seen before.
func (c *Coordinator) remoteTargets() []*target {
	if c.cfg.Remote == nil {
		return nil
	}
	ts := c.cfg.Remote()
	c.remoteMu.Lock()
	defer c.remoteMu.Unlock()
	if c.remote == nil {
		c.remote = map[string]*target{}
	}
	out := make([]*target, 0, len(ts))
	for _, t := range ts {
		name := t.Provider.Name()
		tt, ok := c.remote[name]
		if !ok || tt.Provider != t.Provider {
			tt = &target{Target: t, name: name}
			c.remote[name] = tt
		}
		out = append(out, tt)
	}
	return out
}

// run is the state of one request across its attempts.
type run struct {
	c        *Coordinator
	req      Request
	fn       func(providers.Chunk) error
	strategy Strategy
	start    time.Time // when the request began: its total time counts from it

	in       *db.Interaction // nil until the first attempt starts
	route    []db.Attempt
	usage    usage // the prompts counted in the request's tokens
	lastErr  error
	notFound []string // models listed by providers that lacked the model
	noList   []string // providers whose list failed when the model named was looked up
	noChat   []string // why the model named was refused where it does not chat
	streamed bool     // a chunk reached fn: no more retries or failovers
	more     bool     // another candidate follows the one being tried (firstTokenBound)
	deferred int      // targets put last for lacking the configured model (errLater)
	late     bool     // those are being tried: on their own default models
	lacked   int      // targets left out for not listing the model named (leftOut)
	answered bool     // some server answered with an HTTP error: it was reached
	ok       bool     // an attempt succeeded
	// down is the one line of a request no provider could take ("no LLM
	// provider …", userError), recorded as its error.
	down string
	// recordErr is set when the store refused the request's first record:
	// the request ends with it.
	recordErr error
	// unrecorded is set when the store had not taken the request's last
	// record when it returned (finish): what the user is told must not
	// say that it was.
	unrecorded error
}

// tryTarget tries one provider; done reports that the request is over
// (success, or a failure that must not fail over).
func (r *run) tryTarget(ctx context.Context, t *target) (done bool, err error) {
	c := r.c
	model, err := r.resolveModel(ctx, t)
	if errors.Is(err, errLater) {
		return false, err // not passed over: tried later
	}
	if r.leftOut(err) {
		return false, nil // its list lacks the model: not asked, not in the route
	}
	if err != nil {
		r.skip(t, model, err)
		if took, listed := t.takeFailedListing(); listed {
			// The listing reached for the server (and a silent one held
			// the request for its bound): it is recorded as an attempt on
			// the provider's model list (model ""), with its time, so that
			// the records show it (ProviderStats) and a new process holds
			// a silent server too (seedListing).
			a := &r.route[len(r.route)-1]
			a.Model = ""
			if !unsentRefusal(err) {
				a.Millis = max(millis(took), minSentMillis)
			} // else refused before it went out (no key): nothing reached the server
		}
		return false, nil
	}
	if why, down := hostDown(t); down {
		// Its node is known not to answer (cluster status shows it
		// unreachable): passed over, not sent, nor counted against it.
		r.skip(t, model, downErr(t, why))
		return false, nil
	}
	rt := c.route(ctx, t, model)

	// Spend caps apply to paid routes only: local models stay available.
	// A cloud model whose price is unknown could spend without limit, so
	// with a cap set it is passed over until its price is configured.
	if price, known := c.price(t, model); known && price != (pricing.Price{}) {
		if err := c.checkCaps(ctx); err != nil {
			r.skipAs(t, model, err, outcomeSpendCap)
			return false, nil
		}
	} else if !known && !t.Local && c.capped() {
		r.skipAs(t, model, usererr.New("no price is known for %s model %s, so the spend cap cannot be kept; give it one in the config ([prices.\"%s/%s\"] input and output, USD per million tokens) or use a local model",
			t.name, model, t.name, model), outcomeSpendCap)
		return false, nil
	}

	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		// A provider that asked for time (Retry-After) is given it, by
		// every request: one that waits longer than a retry would is
		// passed over without being sent.
		if d := rt.cooling(c.cfg.Now()); d > 0 {
			if d <= c.maxRetryAfter() {
				r.logRetry(ctx, t, model, d, d, "asked to be given time before the next request")
			}
			if d > c.maxRetryAfter() || !r.sleep(ctx, d) {
				r.skip(t, model, &providers.Error{Provider: t.name, Kind: providers.KindRateLimited, RetryAfter: d,
					Message: "asked to be given time before the next request"})
				return false, nil
			}
		}
		// The breaker before the rate limits: a route it refuses must not
		// use up its limits (a reservation cannot be given back once its
		// time has come). The breaker counts what the attempt returns; a
		// request that was not sent ends its turn with errNotSent.
		var allowed bool
		var limitErr error
		wasOpen := rt.open()
		_, err := rt.breaker.Execute(func() (struct{}, error) {
			allowed = true
			if limitErr = r.waitLimits(ctx, t, rt); limitErr != nil {
				return struct{}{}, errNotSent
			}
			err := r.attempt(ctx, t, model, rt, attempt)
			if r.recordErr != nil {
				return struct{}{}, errNotSent // the store failed; the provider was not asked
			}
			return struct{}{}, err
		})
		switch {
		case !allowed:
			r.skip(t, model, &providers.Error{Provider: t.name, Kind: "breaker_open", Message: rt.refusal()})
			return false, nil
		case limitErr != nil:
			r.skip(t, model, limitErr)
			return false, nil
		case r.recordErr != nil:
			return true, r.recordErr
		}
		if !wasOpen && rt.open() {
			r.logBreakerOpened(ctx, t, model, rt)
		}
		if pe := (*providers.Error)(nil); errors.As(err, &pe) && pe.RetryAfter > 0 {
			rt.waitFor(c.cfg.Now(), pe.RetryAfter)
		}
		if breakerFault(err) {
			rt.unreached.Store(unreached(err))
			rt.faulted(attemptMessage(t, err))
		}
		switch {
		case r.ok:
			return true, err // err: only a failure to record the success
		case r.streamed || ctx.Err() != nil:
			// Tokens reached the user (or the user gave up): no retry, no
			// failover — the partial answer stands, recorded as such.
			return true, r.finishFailed(ctx)
		case providers.KindOf(err) == providers.KindBadRequest:
			return true, r.finishFailed(ctx) // the request itself is wrong: another provider won't help
		case !retryable(err) || attempt == c.cfg.MaxAttempts-1:
			return false, nil
		}
		if _, down := hostDown(t); down {
			// The attempt found its node out of reach: another would
			// too, and would count against its breaker again.
			return false, nil
		}
		if !r.backoff(ctx, t, model, attempt, err) {
			return false, nil
		}
	}
	return false, nil
}

// skip records that t was passed over without (another) attempt.
func (r *run) skip(t *target, model string, err error) {
	r.skipAs(t, model, err, "")
}

// skipAs is skip with the attempt's outcome given: outcomeSpendCap for a
// spend cap's refusal; "" takes it from err (outcomeRefused for a refusal
// said to the user, such as a key that cannot be read: refusedUnsent;
// else a provider's kind of failure, or error).
func (r *run) skipAs(t *target, model string, err error, kind string) {
	var ue *usererr.Error
	switch {
	case kind != "":
	case refusedUnsent(err):
		kind = outcomeRefused
	case providers.KindOf(err) != "":
		kind = string(providers.KindOf(err))
	case errors.As(err, &ue):
		kind = outcomeRefused
	default:
		kind = "error"
	}
	r.route = append(r.route, db.Attempt{Provider: t.name, Model: model, Outcome: kind, Error: attemptMessage(t, err)})
	r.failed(err)
}

// Outcomes of attempts that were not sent.
const (
	outcomeSpendCap = "spend_cap" // a spend cap refused a paid request
	outcomeRefused  = "refused"   // refused before it was sent, for a reason the user must fix (an unreadable key)
)

// failed keeps err as the run's last error, and whether a server answered
// it with an HTTP status.
func (r *run) failed(err error) {
	r.lastErr = err
	var pe *providers.Error
	// A server that took the request and sent nothing (noFirstToken) was
	// reached too: it is not to be started.
	status := errors.As(err, &pe) && pe.StatusCode > 0
	r.answered = r.answered || status || errors.Is(err, errNoFirstToken)
}

// attempt makes one request to t and records it.
func (r *run) attempt(ctx context.Context, t *target, model string, rt *route, retry int) error {
	c := r.c
	est := EstimatePrompt(t.Provider.Kind(), model, r.req.Messages)
	if r.in == nil {
		// No answer goes out unrecorded: if the store cannot take the
		// request (no quorum in a cluster), the request ends with that.
		// The record holds what the prompt is estimated to use and cost
		// from the start: a process killed before the answer ends is
		// charged that by the next start (db.InterruptRunningStmt).
		sent := &db.Interaction{PromptEstimate: est, CostUnknown: ptr(false)}
		if price, ok := c.price(t, model); ok {
			sent.CostUSD = price.Cost(pricing.Usage{Prompt: est})
		} else if !t.Local {
			sent.CostUnknown = ptr(true)
		}
		if err := r.begin(ctx, t.name, model, sent); err != nil {
			r.recordErr = fmt.Errorf("coord: cannot record the request: %w", err)
			return r.recordErr
		}
	}
	in := r.in
	in.Provider, in.Model, in.RequestedModel = t.name, model, model
	in.Attempts++
	r.logAttempt(ctx, t, model, retry)

	ans := answer{limit: c.cfg.MaxAnswer}
	var firstToken float64 // the attempt's time to its first token, ms
	// The wait for the first token is bounded apart from the deadline
	// when another candidate could take the request (firstTokenBound).
	actx, ft := watchFirstToken(ctx, r.firstTokenBound(ctx))
	actx, sent := watchSent(actx)
	start := time.Now()
	t.inflight.Add(1)
	res, err := t.Provider.Chat(actx, providers.Request{
		Model: model, Messages: r.req.Messages, Tools: r.req.Tools,
		Temperature: r.req.Temperature, MaxTokens: r.req.MaxTokens, Window: r.req.Window,
	}, func(ch providers.Chunk) error {
		if ch.Text == "" && ch.ToolCall == nil {
			return nil
		}
		if !ft.token() {
			return errNoFirstToken // given up on: the request is failing over
		}
		if !r.streamed {
			// The request's time to first token is what the user waited
			// for it, from the request's start as its total time is:
			// earlier attempts, backoffs and a Retry-After included. The
			// attempt's own wait is kept in its route entry.
			r.streamed = true
			in.TTFTMillis = ptr(millis(c.cfg.Now().Sub(r.start)))
			firstToken = max(millis(time.Since(start)), minSentMillis)
		}
		// An answer that passes the limit is cut there, and the stream
		// stopped: the provider closes the response, which ends the
		// generation, and what is recorded and passed on is the answer
		// up to the limit.
		ch, over := ans.fit(ch)
		if ch.Text != "" || ch.ToolCall != nil {
			ans.write(ch.Text)
			if err := r.fn(ch); err != nil {
				return outputError{err}
			}
		}
		if over {
			return &tooLongError{limit: c.cfg.MaxAnswer}
		}
		return nil
	})
	t.inflight.Add(-1)
	elapsed := time.Since(start)
	ft.stop()
	if err != nil && ft.timedOut() && ctx.Err() == nil {
		err = noFirstToken(t.Provider, t.name, ft.bound)
	}
	text := ans.String()
	in.Response += text

	outcome, msg := "ok", attemptMessage(t, err)
	if err != nil {
		outcome = outcomeOf(err)
		r.failed(err)
		if pe := (*providers.Error)(nil); errors.As(err, &pe) && pe.Kind == providers.KindNotFound {
			// The provider lacked the model after all (its list was
			// out of date, or did not answer): what it said it serves
			// goes into the message, as its list's models would have.
			r.notFound = append(r.notFound, t.chatModels(pe.Models)...)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// Not the Go-internal "chat m: context deadline exceeded".
			msg = fmt.Sprintf("no answer within the request's %s deadline", c.cfg.Deadline)
		}
	} else {
		t.observe(elapsed)
	}
	// A failed attempt returns what the provider reported before it failed
	// (Anthropic counts the prompt before the answer starts), and it was
	// billed for that: record it, with its cost, or the spend caps
	// undercount. The request's tokens and cost are the sums of its
	// attempts' (usage.add).
	u := res.Usage
	r.usage.add(t.name, model, u.PromptTokens, est)
	// An answer cut off before the provider's final count arrived was
	// still generated, and a cloud provider bills it: what it did not
	// count (OpenAI and Ollama count at the end, Anthropic the prompt at
	// the start) is estimated, so that usage and the spend caps see it.
	// So is an answer that ended with no count at all: OpenAI-compatible
	// gateways and proxies often drop the usage chunk, and a paid one
	// counted as 0 tokens would never reach a spend cap. The calibration
	// of estimates (usage.add) takes only counts.
	estimated := false
	if text != "" && (err != nil || u.PromptTokens == 0 && u.CompletionTokens == 0) {
		if u.PromptTokens == 0 {
			u.PromptTokens, estimated = est, true
			r.usage.guess()
		}
		if n := (tokens.Estimate{Family: tokens.FamilyOf(t.Provider.Kind(), model)}).Count(text); n > u.CompletionTokens {
			u.CompletionTokens, estimated = n, true
		}
	} else if u.PromptTokens == 0 && billedUncounted(t, sent.Load(), err) {
		// Stopped before any text, its prompt sent: billed (sent.go).
		u.PromptTokens, estimated = est, true
		r.usage.guess()
	}
	in.PromptTokens += u.PromptTokens
	in.CompletionTokens += u.CompletionTokens
	if res.Model != "" {
		in.Model = res.Model
	}
	in.StopReason = res.StopReason
	var cost float64
	if price, ok := c.price(t, model); ok {
		cost = price.Cost(pricing.Usage{Prompt: u.PromptTokens, Completion: u.CompletionTokens,
			CacheRead: u.CacheReadTokens, CacheWrite: u.CacheWriteTokens})
	} else if !t.Local && u.PromptTokens+u.CompletionTokens > 0 {
		// A cloud model no price is known for: the request's cost leaves
		// this attempt's out, and says so (db.Interaction.CostUnknown).
		in.CostUnknown = ptr(true)
	}
	in.CostUSD += cost
	if rt.toks != nil {
		settleTokens(rt, r.estimate(), u.PromptTokens+u.CompletionTokens)
	}
	sentMillis := max(millis(elapsed), minSentMillis)
	if err != nil && unsentRefusal(err) {
		// Refused before it went out (no key, or one that cannot be
		// read): no chat was sent, and the route and attempts say so.
		in.Attempts--
		sentMillis = 0
	}
	r.route = append(r.route, db.Attempt{Provider: t.name, Model: model, Outcome: outcome,
		Error: msg, Millis: sentMillis, TTFTMillis: firstToken, Retry: retry,
		PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, CostUSD: cost, Estimated: estimated})
	if err == nil {
		r.ok = true
		return r.finish(ctx, db.StatusOK, nil)
	}
	return err
}

// begin records the request as running, on provider and model. sent, if
// not nil, holds what the prompt about to be sent is estimated to use and
// cost (PromptEstimate, CostUSD, CostUnknown): the start's record holds
// them, while the run's interaction sums its attempts' from nothing.
func (r *run) begin(ctx context.Context, provider, model string, sent *db.Interaction) error {
	in := &db.Interaction{
		ID: newID(), SessionID: r.req.SessionID, Node: r.c.cfg.Node, Provider: provider, Model: model, RequestedModel: model,
		Prompt: r.prompt(), Status: db.StatusRunning, StartedAt: r.start, Strategy: string(r.strategy), CostUnknown: ptr(false),
	}
	rec := r.c.Recorded(in)
	if sent != nil {
		rec.PromptEstimate, rec.CostUSD, rec.CostUnknown = sent.PromptEstimate, sent.CostUSD, sent.CostUnknown
	}
	if err := r.c.cfg.Recorder.StartInteraction(ctx, rec); err != nil {
		return err
	}
	r.in = in
	return nil
}

func (r *run) prompt() string {
	if r.req.Prompt != "" {
		return r.req.Prompt
	}
	for i := len(r.req.Messages) - 1; i >= 0; i-- {
		if r.req.Messages[i].Role == providers.RoleUser {
			return r.req.Messages[i].Content
		}
	}
	return ""
}

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// ceilSecond rounds d up to a whole second, for "retry in …": rounding
// down would tell the user to come back too early.
func ceilSecond(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// minSentMillis is the least time a route records for an attempt that
// reached the provider: one that was passed over records 0, and the
// records of earlier requests (History, db.Store.ProviderStats) tell the
// two apart by it.
const minSentMillis = 0.001

func ptr[T any](v T) *T { return &v }
