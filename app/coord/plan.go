package coord

import (
	"context"
	"errors"
	"time"

	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/providers"
)

// Plan returns the provider and model a request would try first, without
// sending it: the first candidate in the strategy's order whose breaker is
// closed and whose model resolves. Callers use it to fit a prompt to that
// model's context window before sending; if the request then fails over,
// the model that answers may differ. When no candidate resolves, the error
// is the one Chat would report (one sentence: no provider reachable, the
// model not found, …).
func (c *Coordinator) Plan(ctx context.Context, req Request) (Target, string, error) {
	return c.plan(ctx, req, false)
}

// PlanOrRecord is Plan for a request that is sent only if it plans (a
// prompt that cannot be built without the model: code fitted to its
// window). Its failure is recorded as Chat records one, with its route,
// and its error is the line recorded; the request is in the history as
// a request that went out and failed is. A model no provider has
// (ErrUnknownModel) is not recorded: a caller refuses that request.
func (c *Coordinator) PlanOrRecord(ctx context.Context, req Request) (Target, string, error) {
	return c.plan(ctx, req, true)
}

func (c *Coordinator) plan(ctx context.Context, req Request, record bool) (Target, string, error) {
	strategy := req.Strategy
	if strategy == "" {
		strategy = c.cfg.Strategy
	}
	cands, err := c.candidates(req)
	if err != nil {
		return Target{}, "", err
	}
	r := &run{c: c, req: req, strategy: strategy, start: req.Start}
	if r.start.IsZero() {
		r.start = c.cfg.Now()
	}
	if req.Provider != "" {
		r.strategy = Pinned // recorded as Chat records it
	}
	order := c.order(ctx, strategy, cands, false)
	var skipped []skippedAt // with record: the targets passed over, for their listings
	for i, n := 0, len(order); i < len(order); i++ {
		t := order[i]
		r.late = i >= n
		model, err := r.resolveModel(ctx, t)
		if errors.Is(err, errLater) {
			order = r.postpone(order, t) // as Chat tries it
			continue
		}
		if r.leftOut(err) {
			continue
		}
		if err != nil {
			r.skip(t, model, err)
			skipped = append(skipped, skippedAt{t, len(r.route) - 1, unsentRefusal(err)})
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if why, down := hostDown(t); down {
			r.skip(t, model, downErr(t, why)) // as Chat passes it over
			continue
		}
		if rt := c.route(ctx, t, model); rt.open() {
			// Passed over as Chat would: if nothing else resolves, the
			// error says so (a model only this target has is on it).
			r.skip(t, model, &providers.Error{Provider: t.name, Kind: "breaker_open", Message: rt.refusal()})
			continue
		}
		return t.Target, model, nil
	}
	if r.lastErr != nil || ctx.Err() != nil {
		err := r.failure(ctx)
		if record && !errors.Is(err, ErrUnknownModel) {
			for _, sk := range skipped {
				r.takeListing(sk)
			}
			err = r.finishFailed(ctx)
		}
		return Target{}, "", sayWhen(err, time.Now())
	}
	return Target{}, "", errors.New("coord: every provider's circuit breaker is open")
}

// skippedAt is a target Plan passed over, at index i of the route;
// unsent when it was refused before anything went out (no key).
type skippedAt struct {
	t      *target
	i      int
	unsent bool
}

// takeListing records the failed listing of sk's target, if no request
// has, as its route's attempt on the provider's model list, with its
// time, as Chat does (tryTarget): Plan made it, and the request recorded
// now is the one that met it.
func (r *run) takeListing(sk skippedAt) {
	took, listed := sk.t.takeFailedListing()
	if !listed {
		return
	}
	a := &r.route[sk.i]
	a.Model = ""
	if !sk.unsent {
		a.Millis = max(millis(took), minSentMillis)
	}
}

// messageOverhead is what a chat format adds per message, in tokens.
const messageOverhead = 4

// EstimatePrompt estimates the tokens of a prompt for a model: the model
// family's calibrated estimate (app/tokens) of each message plus a few
// tokens per message. It is recorded with each request, beside the count
// the provider reports, so that the ratio of the two can teach the context
// builder how a model without a public tokenizer counts.
func EstimatePrompt(kind, model string, msgs []providers.Message) int {
	est := tokens.Estimate{Family: tokens.FamilyOf(kind, model)}
	n := 0
	for _, m := range msgs {
		n += est.Count(m.Content) + messageOverhead
	}
	return n
}
