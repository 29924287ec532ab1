package coord

import (
	"context"
	"errors"

	"github.com/sony/gobreaker/v2"
)

// Plan returns the provider and model a request would try first, without
// sending it: the first candidate in the strategy's order whose breaker is
// closed and whose model resolves. Callers use it to fit a prompt to that
// model's context window before sending; if the request then fails over,
// the model that answers may differ.
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
	var errs []error
	for _, t := range order(strategy, cands, c.rr.Load()) {
		model, err := r.resolveModel(ctx, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t.route(model, c.cfg.Breaker).breaker.State() == gobreaker.StateOpen {
			continue
		}
		return t.Target, model, nil
	}
	if len(errs) > 0 {
		return Target{}, "", errors.Join(errs...)
	}
	return Target{}, "", errors.New("coord: every provider's circuit breaker is open")
}
