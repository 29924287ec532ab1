package coord

import (
	"context"
	"errors"

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
	strategy := req.Strategy
	if strategy == "" {
		strategy = c.cfg.Strategy
	}
	cands, err := c.candidates(req)
	if err != nil {
		return Target{}, "", err
	}
	r := &run{c: c, req: req, strategy: strategy}
	order := c.order(ctx, strategy, cands, false)
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
			if ctx.Err() != nil {
				break
			}
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
		return Target{}, "", r.failure(ctx)
	}
	return Target{}, "", errors.New("coord: every provider's circuit breaker is open")
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
