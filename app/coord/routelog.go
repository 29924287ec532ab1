package coord

import (
	"context"
	"log/slog"
	"time"
)

// How a request is routed is logged at debug level (aiex --verbose): each
// attempt, each retry and its wait, a breaker that opens, each failover
// and why. A request that fails over or waits says nothing else of it
// until it ends, and its record is read only afterwards. Never logged:
// the prompt, the answer, or a credential (provider errors come without
// theirs, providers.Redactor).

// logAttempt notes that the chat is about to be sent to model on t, the
// retry+1-th time.
func (r *run) logAttempt(ctx context.Context, t *target, model string, retry int) {
	r.c.logger.DebugContext(ctx, "coord: attempt", "provider", t.name, "model", model, "try", retry+1, "of", r.c.cfg.MaxAttempts)
}

// logRetry notes that model on t is tried again after wait, and why;
// retryAfter is what the provider asked for (0: none, the backoff's own).
func (r *run) logRetry(ctx context.Context, t *target, model string, wait, retryAfter time.Duration, why string) {
	attrs := []any{"provider", t.name, "model", model, "wait", wait.Round(time.Millisecond)}
	if retryAfter > 0 {
		attrs = append(attrs, "retry_after", retryAfter)
	}
	attrs = append(attrs, "why", why)
	r.c.logger.DebugContext(ctx, "coord: retry", attrs...)
}

// logBreakerOpened notes that the breaker of model on t has just opened.
func (r *run) logBreakerOpened(ctx context.Context, t *target, model string, rt *route) {
	r.c.logger.DebugContext(ctx, "coord: breaker opened", "provider", t.name, "model", model,
		"failures", rt.failures(), "open_for", r.c.cfg.Breaker.OpenFor)
}

// logFailover notes that the request leaves t for next, and why: the
// route's last outcome on t, and the run's last error.
func (r *run) logFailover(ctx context.Context, t, next *target) {
	if !r.c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	model, outcome := "", ""
	if n := len(r.route); n > 0 && r.route[n-1].Provider == t.name {
		model, outcome = r.route[n-1].Model, r.route[n-1].Outcome
	}
	r.c.logger.DebugContext(ctx, "coord: failover", "provider", t.name, "model", model, "next", next.name,
		"why", r.c.message(r.lastErr), "outcome", outcome)
}
