package coord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// retryable reports whether the same provider+model may be tried again.
// Only transient faults are: rate limits, overload, an unreachable server
// or a stream that broke before any token (the caller checks that), unless
// the server said not to send the request again (providers.Error.NoRetry).
func retryable(err error) bool {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.NoRetry {
		return false
	}
	switch providers.KindOf(err) {
	case providers.KindRateLimited, providers.KindOverloaded, providers.KindUnavailable, providers.KindInterrupted:
		return true
	}
	return false
}

// backoff waits before retry attempt+1 of model on t: the provider's Retry-After when it
// gave one, else exponential backoff with full jitter. It returns false,
// without waiting, when the wait would not fit the request's deadline, or
// the provider asks for longer than maxRetryAfter — better to fail over at
// once (or, with no target left, to tell the user when to retry).
func (r *run) backoff(ctx context.Context, t *target, model string, attempt int, err error) bool {
	c := r.c
	var wait, asked time.Duration
	var pe *providers.Error
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		if pe.RetryAfter > c.maxRetryAfter() {
			return false
		}
		wait, asked = pe.RetryAfter, pe.RetryAfter
	} else {
		ceil := min(c.cfg.BackoffBase<<attempt, c.cfg.BackoffMax)
		wait = time.Duration(rand.Int64N(int64(ceil) + 1))
	}
	r.logRetry(ctx, t, model, wait, asked, errMessage(err))
	return r.sleep(ctx, wait)
}

// sleep waits d, unless that would not fit the request's deadline or the
// request ends first: then it returns false at once.
func (r *run) sleep(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// maxLimitWait is the longest a request waits for its own rate limit before
// failing over to another provider instead.
const maxLimitWait = 2 * time.Second

// maxRetryAfter is the longest Retry-After a request waits out before
// trying the same provider again: the larger of maxLimitWait (the wait a
// local limit is worth) and BackoffMax (the longest pause between retries
// the configuration accepts). A provider that asks for longer is passed
// over at once, as a local limit that would make the request wait longer is.
func (c *Coordinator) maxRetryAfter() time.Duration {
	return max(maxLimitWait, c.cfg.BackoffMax)
}

// waitLimits takes a request (and its estimated tokens) from the route's
// rate limiters, waiting up to maxLimitWait.
func (r *run) waitLimits(ctx context.Context, t *target, rt *route) error {
	r.c.shareLimits(t, rt)
	now := time.Now()
	var res []*rate.Reservation
	if rt.reqs != nil {
		res = append(res, rt.reqs.ReserveN(now, 1))
	}
	if rt.toks != nil {
		res = append(res, rt.toks.ReserveN(now, min(r.estimate(), rt.toks.Burst())))
	}
	var delay time.Duration
	for _, x := range res {
		if !x.OK() {
			delay = maxLimitWait + 1
			break
		}
		delay = max(delay, x.DelayFrom(now))
	}
	if delay > maxLimitWait {
		for _, x := range res {
			x.Cancel()
		}
		limit := fmt.Sprintf("local rate limit (%s)", t.Limits)
		if n := r.c.sharers(t); n > 1 {
			limit = fmt.Sprintf("this node's share of the rate limit (1/%d of %s: %d nodes use %s)", n, t.Limits, n, t.name)
		}
		return &providers.Error{Provider: t.name, Kind: providers.KindRateLimited,
			Message: fmt.Sprintf("%s would delay the request by %s", limit, delay.Round(time.Millisecond)), RetryAfter: delay}
	}
	if delay <= 0 {
		return nil
	}
	tm := time.NewTimer(delay)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		for _, x := range res {
			x.Cancel()
		}
		return ctx.Err()
	}
}

// estimate is a rough token count of the request, for rate limiting
// before the provider reports the real one: four bytes a token, plus the
// answer's allowance.
func (r *run) estimate() int {
	n := 0
	for _, m := range r.req.Messages {
		n += len(m.Content)/4 + 4
	}
	return max(n+r.req.MaxTokens, 1)
}

// settleTokens charges the token limiter the difference between what a
// request used and what was reserved for it.
func settleTokens(rt *route, estimated, used int) {
	if extra := used - estimated; extra > 0 {
		charge(rt.toks, time.Now(), extra)
	}
}

// charge takes n tokens from lim at now, as a debt the next requests wait
// out: a limiter refuses a reservation larger than its burst, and one
// capped at the burst let a request of 1,200 tokens through a limit of 50
// a minute at the cost of one minute's worth. Taken a burst at a time,
// the whole count is owed (a debt of at most a day's worth, beyond which
// the next request is refused anyway).
func charge(lim *rate.Limiter, now time.Time, n int) {
	burst := lim.Burst()
	if burst <= 0 || lim.Limit() == rate.Inf {
		return
	}
	n = min(n, int(float64(lim.Limit())*24*3600)+burst)
	for n > 0 {
		k := min(n, burst)
		lim.ReserveN(now, k)
		n -= k
	}
}

// price is the price of model on t; paid is false for local targets and
// models of unknown price.
func (c *Coordinator) price(t *target, model string) (p pricing.Price, paid bool) {
	if t.Local {
		return pricing.Price{}, false
	}
	return c.cfg.Prices.Lookup(t.name, t.Provider.Kind(), model)
}

// capped reports whether a spend cap is set.
func (c *Coordinator) capped() bool { return c.cfg.Caps.DailyUSD > 0 || c.cfg.Caps.MonthlyUSD > 0 }

// checkCaps refuses a paid request once a spend cap is reached.
func (c *Coordinator) checkCaps(ctx context.Context) error {
	reached, key, err := c.CapReached(ctx)
	if err != nil || reached == "" {
		return err
	}
	return usererr.New("the %s; raise %s in the config's [limits] table or use a local model", reached, key)
}

// CapReached says which spend cap is reached, if one is — "daily spend cap
// of $2.50 is reached ($3.10 spent)" — and the config key that sets it;
// "" while paid requests are allowed.
func (c *Coordinator) CapReached(ctx context.Context) (reached, key string, err error) {
	caps := c.cfg.Caps
	if !c.capped() {
		return "", "", nil
	}
	now := c.cfg.Now().UTC()
	for _, cp := range []struct {
		limit       float64
		since       time.Time
		period, key string
	}{
		{caps.DailyUSD, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), "daily", "daily_usd"},
		{caps.MonthlyUSD, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), "monthly", "monthly_usd"},
	} {
		if cp.limit <= 0 {
			continue
		}
		spent, err := c.cfg.Recorder.SpentSince(ctx, cp.since)
		if err != nil {
			return "", "", fmt.Errorf("coord: spend cap: %w", err)
		}
		if spent >= cp.limit {
			return fmt.Sprintf("%s spend cap of %s is reached (%s spent)", cp.period, USD(cp.limit), USD(spent)), cp.key, nil
		}
	}
	return "", "", nil
}

// USD shows an amount of dollars to the cent, or with as many more
// digits as it takes to show it (up to six): a cap of $0.005 with
// $0.0075 spent is not "$0.01 … ($0.01 spent)". An amount too small for
// six digits (a cap of $0.0000001) shows its first two significant digits
// rather than nothing.
func USD(v float64) string {
	if v != 0 && math.Abs(v) < 0.5e-6 {
		decimals := 1 - int(math.Floor(math.Log10(math.Abs(v))))
		return "$" + strings.TrimRight(fmt.Sprintf("%.*f", decimals, v), "0")
	}
	s := strings.TrimRight(fmt.Sprintf("%.6f", v), "0")
	if _, frac, _ := strings.Cut(s, "."); len(frac) <= 2 {
		return fmt.Sprintf("$%.2f", v)
	}
	return "$" + s
}

// sharers is how many live nodes share t's rate limits (Config.Nodes),
// at least 1; 0 when they are not shared: no cluster, or a target another
// node hosts, which is limited there.
func (c *Coordinator) sharers(t *target) int {
	if c.cfg.Nodes == nil || t.Node != "" {
		return 0
	}
	return max(1, c.cfg.Nodes(t.name))
}

// shareLimits gives this node its share of a cloud target's rate limits
// when they are cluster-wide: each of the N live nodes that configure the
// provider (Config.Nodes) gets 1/N of the configured rate and burst, so
// that the nodes using one account stay within its limit together (not N
// times it), while a node alone with a provider keeps all of it, however
// many other nodes run. Targets another node hosts are limited there.
func (c *Coordinator) shareLimits(t *target, rt *route) {
	n := c.sharers(t)
	if n == 0 {
		return
	}
	for _, lim := range []struct {
		l   *rate.Limiter
		per int
	}{{rt.reqs, t.Limits.RequestsPerMinute}, {rt.toks, t.Limits.TokensPerMinute}} {
		if lim.l == nil || lim.per <= 0 {
			continue
		}
		share := max(1, lim.per/n)
		if lim.l.Burst() != share {
			now := time.Now()
			lim.l.SetLimitAt(now, rate.Limit(float64(share)/60))
			lim.l.SetBurstAt(now, share)
		}
	}
}
