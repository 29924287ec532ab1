package coord

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// Embedding requests — aiex index embedding chunks, a search embedding its
// query — go through the coordinator as chats do: the spend caps, the
// route's breaker and rate limits, retries with backoff honouring
// Retry-After, and a record of what each used and cost. Called straight,
// the provider was asked past a reached spend cap, a 429 failed the index
// at once, and the spending showed nowhere. Unlike a chat, an embedding
// request is pinned to its provider and model: vectors of two models do not
// compare, so there is no failover.
//
// Each request is recorded once it ends, in embed_usage, not as an
// llm_interaction: history is the record of conversations (a prompt a user
// wrote, the answer to read, the session it belongs to), and one index run
// of a large project makes thousands of embedding requests, which would
// bury them there — and crowd the chats out of the latest records a new
// process starts its breakers and round-robin turn from (History). Usage
// and the spend caps count both (db.Store.Usage shows these as kind
// "embed"); a new process starts an embedding route's breaker and limits
// from its own records (embedRoute). Recorded when it ends rather than
// before it is sent, a request whose process is killed meanwhile goes
// unrecorded: one batch at most, where a row left running would need the
// interrupted-request sweep llm_interaction has.

// UsageEmbedder is a provider that computes embeddings and says how many
// tokens the inputs took (the ollama, openai and lmstudio providers). A
// providers.Embedder without it is used too; its tokens are estimated.
type UsageEmbedder interface {
	EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error)
}

// EmbedRecorder records embedding requests, and returns those of this
// node's earlier processes (db.Store is one). A Recorder that is not one
// records no embedding request, and its SpentSince does not count them.
type EmbedRecorder interface {
	RecordEmbed(ctx context.Context, r *db.EmbedRecord) error
	RecentEmbedRoutes(ctx context.Context, node string, since time.Time, limit int) ([]db.RouteRecord, error)
}

// Embedder computes embeddings with one configured provider through the
// coordinator (app/search's Embedder).
type Embedder struct {
	c        *Coordinator
	provider string
}

// Embedder returns the embedder of the configured provider called name.
// Whether that provider computes embeddings is found out when it is used.
func (c *Coordinator) Embedder(name string) *Embedder { return &Embedder{c: c, provider: name} }

// Embed returns one vector per input, in order: Coordinator.Embed.
func (e *Embedder) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	return e.c.Embed(ctx, e.provider, model, input)
}

// Embed asks provider's model for one vector per input, in order. The
// request is refused without being sent while a spend cap is reached (a
// paid model), while the route's breaker is open, or while its rate limits
// would delay it more than a chat would wait; retryable faults are tried
// again up to MaxAttempts, after the provider's Retry-After when it gave a
// short one. Every request is recorded with what it used and cost
// (EmbedRecorder). Errors never carry a *usererr.Error: an embedding that
// cannot be made is a warning of the command that wanted it (aiex index
// goes on without, a search ranks without), not a mistake to stop on.
func (c *Coordinator) Embed(ctx context.Context, provider, model string, input []string) ([][]float32, error) {
	t, ok := c.byName[provider]
	if !ok {
		return nil, fmt.Errorf("coord: no provider %q is configured to embed with", provider)
	}
	emb := usageEmbedder(t.Provider)
	if emb == nil {
		return nil, fmt.Errorf("coord: provider %q cannot compute embeddings", provider)
	}
	if len(input) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
	defer cancel()
	// Under the name the provider lists, as a chat model is recorded
	// (listedName): Ollama takes nomic-embed-text for
	// nomic-embed-text:latest, and usage would split them.
	e := &embedRun{c: c, t: t, model: t.listedName(model), input: input, emb: emb, start: c.cfg.Now()}
	// The rate limits and the backoff are the chats': a run whose
	// messages are the inputs estimates their tokens as a chat's.
	msgs := make([]providers.Message, len(input))
	for i, s := range input {
		msgs[i] = providers.Message{Role: providers.RoleUser, Content: s}
	}
	e.run = &run{c: c, req: Request{Messages: msgs}}
	vecs, err := e.do(ctx)
	// Recorded with the time a breaker's trial was set for, said as of
	// now (SayWhen).
	return vecs, sayWhen(e.record(ctx, err), time.Now())
}

// usageEmbedder is p as a UsageEmbedder: itself, or its Embed with no
// count; nil if p computes no embeddings.
func usageEmbedder(p providers.Provider) UsageEmbedder {
	switch e := p.(type) {
	case UsageEmbedder:
		return e
	case providers.Embedder:
		return countless{e}
	}
	return nil
}

// countless is a providers.Embedder that does not say what it used.
type countless struct{ providers.Embedder }

func (c countless) EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error) {
	vecs, err := c.Embed(ctx, model, input)
	return vecs, providers.Usage{}, err
}

// embedRun is one embedding request across its attempts.
type embedRun struct {
	c     *Coordinator
	t     *target
	model string
	input []string
	emb   UsageEmbedder
	run   *run // for the rate limits, the backoff and the estimate
	start time.Time

	route  []db.Attempt
	tokens int
	cost   float64
	guess  bool // tokens holds an estimate
	// unknown: an attempt used tokens of a cloud model no price is known
	// for, which cost leaves out (db.EmbedRecord.CostUnknown).
	unknown bool
}

// do makes the request: the spend caps, then attempts through the breaker
// and the rate limits.
func (e *embedRun) do(ctx context.Context) ([][]float32, error) {
	c, t := e.c, e.t
	price, known := c.price(t, e.model)
	switch {
	case known && price != (pricing.Price{}):
		if err := c.checkCaps(ctx); err != nil {
			return nil, e.skip(capError(t.name, err))
		}
	case !known && !t.Local && c.capped():
		return nil, e.skip(fmt.Errorf("%s: no price is known for embedding model %s, so the spend cap cannot be kept; give it one in the config ([prices.\"%s/%s\"] input, USD per million tokens) or embed with a local model",
			t.name, e.model, t.name, e.model))
	}
	rt := c.embedRoute(ctx, t, e.model)
	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		// A provider that asked for time (Retry-After) is given it, by
		// every request, up to what a retry would wait.
		if d := rt.cooling(c.cfg.Now()); d > 0 {
			if d > c.maxRetryAfter() || !e.run.sleep(ctx, d) {
				return nil, e.skip(&providers.Error{Provider: t.name, Kind: providers.KindRateLimited, RetryAfter: d,
					Message: "asked to be given time before the next request"})
			}
		}
		var (
			allowed  bool
			limitErr error
			vecs     [][]float32
			u        providers.Usage
			took     time.Duration
		)
		_, err := rt.breaker.Execute(func() (struct{}, error) {
			allowed = true
			if limitErr = e.run.waitLimits(ctx, t, rt); limitErr != nil {
				return struct{}{}, errNotSent
			}
			sent := time.Now()
			t.inflight.Add(1)
			var err error
			vecs, u, err = e.emb.EmbedUsage(ctx, e.model, e.input)
			t.inflight.Add(-1)
			took = time.Since(sent)
			return struct{}{}, err
		})
		switch {
		case !allowed:
			return nil, e.skip(&providers.Error{Provider: t.name, Kind: "breaker_open", Message: rt.refusal()})
		case limitErr != nil:
			return nil, e.skip(limitErr)
		}
		e.attempted(rt, err, u, took, attempt, price, known)
		if err == nil {
			return vecs, nil
		}
		last = err
		if pe := (*providers.Error)(nil); errors.As(err, &pe) && pe.RetryAfter > 0 {
			rt.waitFor(c.cfg.Now(), pe.RetryAfter)
		}
		if breakerFault(err) {
			rt.unreached.Store(unreached(err))
			rt.faulted(attemptMessage(t, err))
		}
		if ctx.Err() != nil || !retryable(err) || attempt == c.cfg.MaxAttempts-1 || !e.run.backoff(ctx, t, e.model, attempt, err) {
			break
		}
	}
	return nil, e.failure(ctx, last)
}

// attempted notes an attempt that reached the provider: what it used (as
// the provider counted it, else estimated for an answer that came), what
// that cost, and the tokens it took from the route's limit.
func (e *embedRun) attempted(rt *route, err error, u providers.Usage, took time.Duration, retry int, price pricing.Price, known bool) {
	n, guessed := u.PromptTokens, false
	if n == 0 && err == nil {
		// The provider sent no count (a compatible server, an Embedder
		// without EmbedUsage): a paid model is billed all the same.
		n, guessed = e.estimate(), true
	}
	var cost float64
	if known {
		cost = price.Cost(pricing.Usage{Prompt: n})
	} else if !e.t.Local && n > 0 {
		e.unknown = true
	}
	if rt.toks != nil {
		settleTokens(rt, e.run.estimate(), n)
	}
	e.tokens += n
	e.cost += cost
	e.guess = e.guess || guessed
	outcome := "ok"
	if err != nil {
		outcome = outcomeOf(err)
	}
	// Said as a chat's attempt is: a server's error answer with its
	// status and address (attemptMessage).
	e.route = append(e.route, db.Attempt{Provider: e.t.name, Model: e.model, Outcome: outcome, Error: attemptMessage(e.t, err),
		Millis: max(millis(took), minSentMillis), Retry: retry, PromptTokens: n, CostUSD: cost, Estimated: guessed})
}

// estimate is the inputs' tokens as the model's family counts them.
func (e *embedRun) estimate() int {
	est := tokens.Estimate{Family: tokens.FamilyOf(e.t.Provider.Kind(), e.model)}
	n := 0
	for _, s := range e.input {
		n += est.Count(s)
	}
	return n
}

// skip notes that the request was not sent (again) for err, and returns err.
func (e *embedRun) skip(err error) error {
	kind := string(providers.KindOf(err))
	if kind == "" {
		kind = outcomeSpendCap
	}
	e.route = append(e.route, db.Attempt{Provider: e.t.name, Model: e.model, Outcome: kind, Error: errMessage(err)})
	return err
}

// failure is the error of a request whose last attempt failed with err.
func (e *embedRun) failure(ctx context.Context, err error) error {
	if err == nil {
		return errors.New("coord: no embedding request was made")
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: no embeddings within the request's %s deadline: %w", e.t.name, e.c.cfg.Deadline, err)
	}
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Kind == providers.KindRateLimited && pe.RetryAfter > 0 {
		return fmt.Errorf("%w; retry in %s", err, ceilSecond(pe.RetryAfter))
	}
	if n := len(e.route); n > 1 {
		return fmt.Errorf("%w (after %d attempts)", err, n)
	}
	return err
}

// capError is the spend cap's refusal as an embedding request's error: its
// sentence, without the *usererr.Error (see Embed).
func capError(provider string, err error) error {
	if ue := usererr.As(err); ue != nil {
		return fmt.Errorf("%s: %s", provider, ue.Msg)
	}
	return err
}

// record records the request, whether it got an answer or not, and returns
// err, or the store's failure to record an answered request: spending that
// is not recorded escapes the spend caps, so a caller embedding much (aiex
// index) must stop rather than go on unrecorded.
func (e *embedRun) record(ctx context.Context, err error) error {
	rec, ok := e.c.cfg.Recorder.(EmbedRecorder)
	if !ok {
		return err
	}
	status, kind, msg := db.StatusOK, "", ""
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled) || ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		status, kind, msg = db.StatusCancelled, "cancelled", "cancelled"
	default:
		// As a chat's failure is recorded (run.namedError): with the
		// server's status and address, and a rate limit's wait.
		status, kind, msg = db.StatusError, "error", attemptMessage(e.t, err)+rateLimitNote(err)
		if n := len(e.route); n > 0 {
			kind = e.route[n-1].Outcome
		}
	}
	attempts := 0
	for _, a := range e.route {
		if a.Millis > 0 {
			attempts++
		}
	}
	end := e.c.cfg.Now()
	r := &db.EmbedRecord{
		ID: newID(), Node: e.c.cfg.Node, Provider: e.t.name, Model: e.model, Inputs: len(e.input),
		PromptTokens: e.tokens, Estimated: e.guess, CostUSD: e.cost, CostUnknown: &e.unknown, Status: status, ErrorKind: kind, Error: msg,
		Attempts: attempts, Route: e.route, TotalMillis: millis(end.Sub(e.start)), StartedAt: e.start, FinishedAt: end,
	}
	// The request is over when it is recorded; a write the store fails
	// for a while (a leader change) is tried again, as a chat's finish is.
	// The record holds no text of the inputs, and the providers' errors
	// come without their credentials (providers.Redactor).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	werr := retryWrite(rctx, func(ctx context.Context) error { return rec.RecordEmbed(ctx, r) }, nil,
		func(err error) bool { return transient(err) && !diskFull(err) })
	if werr == nil {
		return err
	}
	e.c.logger.Warn("coord: cannot record an embedding request", "provider", e.t.name, "model", e.model, "err", werr)
	if err != nil {
		return err
	}
	return fmt.Errorf("coord: the embeddings were made but their request could not be recorded (its cost would escape the spend caps): %w", werr)
}

// embedRoute returns the state of the embedding model on t, as route does
// a chat model's, started on first use from the records of this node's
// earlier embedding requests: a breaker an earlier process opened is
// open, and the requests of the last minute count against the limits.
func (c *Coordinator) embedRoute(ctx context.Context, t *target, model string) *route {
	return c.routeFrom(t, model, func() *history { return c.embedHistory(ctx) })
}

// embedHistory is the history of this node's recent embedding requests,
// empty if the recorder keeps none or cannot be read.
func (c *Coordinator) embedHistory(ctx context.Context) *history {
	er, isRec := c.cfg.Recorder.(EmbedRecorder)
	if !isRec {
		return &history{}
	}
	now := c.cfg.Now()
	recs, err := er.RecentEmbedRoutes(ctx, c.cfg.Node, now.Add(-historyWindow), historyLimit)
	if err != nil {
		c.logger.Warn("coord: cannot read recent embedding requests; starting afresh", "err", err)
		return &history{}
	}
	return newHistory(recs, now)
}
