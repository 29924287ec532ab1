package coord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
	"github.com/aiex-dev/aiex/providers/pricing"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// waitBreaker polls until the breaker of the first target's only route is
// in state want.
func waitBreaker(t *testing.T, c *coord.Coordinator, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Status()[0].Routes[0].Breaker != want {
		if time.Now().After(deadline) {
			t.Fatalf("breaker never went %s", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLongRetryAfterFailsOver: a server that asks for a longer wait than the
// coordinator's bound is not waited for: the request goes to the next
// target at once, or, with none left, fails saying who is rate limited and
// when to retry.
func TestLongRetryAfterFailsOver(t *testing.T) {
	fake := pt.NewOpenAI(t, pt.WithStatus(429, "Rate limit reached for requests"), pt.WithRetryAfter(3))
	p, err := openai.New(openai.Config{Name: "cloud", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	cloud := coord.Target{Provider: p, Model: "gpt-4o-mini"}
	backup := target(pt.NewScripted("backup", "openai", ok("b")), false)
	cfg := func(ts ...coord.Target) coord.Config {
		return coord.Config{Targets: ts, MaxAttempts: 3, BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond}
	}

	t.Run("next target", func(t *testing.T) {
		e := newEnv(t, cfg(cloud, backup))
		start := time.Now()
		out, in, err := e.chat(t, coord.Request{})
		if err != nil || out != "b" || outcomes(in) != "cloud:rate_limited backup:ok" {
			t.Fatalf("%q, route %q, %v; want cloud skipped after one attempt, backup to answer", out, outcomes(in), err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %s: the Retry-After was waited out", d)
		}
	})
	t.Run("remembered", func(t *testing.T) {
		// The next request does not ask the provider again before its
		// Retry-After ends: it goes to the backup at once.
		fake := pt.NewOpenAI(t, pt.WithStatus(429, "Rate limit reached for requests"), pt.WithRetryAfter(30))
		p, err := openai.New(openai.Config{Name: "cloud", BaseURL: fake.URL(), APIKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, cfg(coord.Target{Provider: p, Model: "gpt-4o-mini"}, target(pt.NewScripted("backup", "openai", ok("b"), ok("b")), false)))
		for i := range 2 {
			if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "b" || outcomes(in) != "cloud:rate_limited backup:ok" {
				t.Fatalf("request %d: %q, route %q, %v", i, out, outcomes(in), err)
			}
		}
		if n := len(fake.Requests()); n != 1 {
			t.Errorf("the provider was asked %d times; want once, then left alone for its Retry-After", n)
		}
	})
	t.Run("none left", func(t *testing.T) {
		e := newEnv(t, cfg(cloud))
		start := time.Now()
		_, in, err := e.chat(t, coord.Request{})
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %s: the Retry-After was waited out", d)
		}
		t.Logf("error: %v", err)
		ue := usererr.As(err)
		if ue == nil || !strings.Contains(ue.Msg, "cloud") || !strings.Contains(ue.Msg, "rate limited") ||
			!strings.Contains(ue.Msg, "retry in 3s") || strings.Contains(ue.Msg, "\n") {
			t.Fatalf("err = %v; want one line naming cloud as rate limited, retry in 3s", err)
		}
		if outcomes(in) != "cloud:rate_limited" {
			t.Fatalf("route %q", outcomes(in))
		}
	})
}

// TestOpenBreakerKeepsRateLimit: requests that skip a target because its
// breaker is open do not use up its rate limit, so the trial request after
// OpenFor still gets through.
func TestOpenBreakerKeepsRateLimit(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable), ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	ta := target(a, true)
	ta.Limits = coord.Limits{RequestsPerMinute: 3}
	e := newEnv(t, coord.Config{
		Targets: []coord.Target{ta, target(b, true)},
		// Long enough that the requests below meet it open on a loaded
		// machine too (see TestBreakerOpensAndProbeClosesIt).
		Breaker:     coord.BreakerConfig{Failures: 1, OpenFor: time.Second},
		MaxAttempts: 1,
	})
	want := []string{"a:unavailable b:ok", "a:breaker_open b:ok", "a:breaker_open b:ok"}
	for i, w := range want {
		if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != w {
			t.Fatalf("request %d: route %q, %v; want %q", i, outcomes(in), err, w)
		}
	}
	waitBreaker(t, e.c, "half-open")
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "a" || outcomes(in) != "a:ok" || a.Calls() != 2 {
		t.Fatalf("trial request: %q, route %q, %v, a called %d times; want a to answer its second call", out, outcomes(in), err, a.Calls())
	}
}

// An absent limit is no limit: it is not shown as a limit of zero.
func TestLimitsString(t *testing.T) {
	for l, want := range map[coord.Limits]string{
		{}:                        "none",
		{RequestsPerMinute: 60}:   "60 req/min",
		{TokensPerMinute: 200000}: "200000 tok/min",
		{RequestsPerMinute: 2, TokensPerMinute: 100}: "2 req/min, 100 tok/min",
	} {
		if got := l.String(); got != want {
			t.Errorf("%+v: %q; want %q", l, got, want)
		}
	}
}

// TestSpendCapShowsItsDigits: a cap and spending under a cent are shown
// as they are, not rounded to "$0.01 … ($0.01 spent)"; CapReached says
// the same for `aiex providers`.
func TestSpendCapShowsItsDigits(t *testing.T) {
	paid := pt.NewScripted("cloud", "openai", pt.Step{Chunks: []string{"$"}, Usage: providers.Usage{PromptTokens: 3750}})
	prices := pricing.Table{Overrides: map[string]pricing.Price{"cloud/m": {Input: 2}}} // 3750 tokens: $0.0075
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false)}, Prices: prices, Caps: coord.SpendCaps{MonthlyUSD: 0.005}})
	if _, _, err := e.chat(t, coord.Request{}); err != nil {
		t.Fatal(err)
	}
	const want = "monthly spend cap of $0.005 is reached ($0.0075 spent)"
	_, _, err := e.chat(t, coord.Request{})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, want) {
		t.Fatalf("err = %v; want %q", err, want)
	}
	if got, key, err := e.c.CapReached(context.Background()); got != want || key != "monthly_usd" || err != nil {
		t.Fatalf("CapReached = %q, %q, %v", got, key, err)
	}
	for v, want := range map[float64]string{2.5: "$2.50", 3: "$3.00", 0.005: "$0.005", 0.0075: "$0.0075", 1.2345: "$1.2345"} {
		if got := coord.USD(v); got != want {
			t.Errorf("USD(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestTokenLimitOwesTheWholeAnswer: a request that used more tokens than
// the limit allows a minute is owed in full: the next one waits for all of
// it (here ~23 minutes at 50 a minute), not for one minute's worth.
func TestTokenLimitOwesTheWholeAnswer(t *testing.T) {
	a := pt.NewScripted("a", "openai",
		pt.Step{Chunks: []string{"a"}, Usage: providers.Usage{PromptTokens: 1000, CompletionTokens: 200}}, ok("a"))
	ta := target(a, false)
	ta.Limits = coord.Limits{TokensPerMinute: 50}
	e := newEnv(t, coord.Config{Targets: []coord.Target{ta}})
	if _, _, err := e.chat(t, coord.Request{Provider: "a"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.chat(t, coord.Request{Provider: "a"})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindRateLimited || pe.RetryAfter < 20*time.Minute {
		t.Fatalf("the request after 1,200 tokens at 50 a minute: %v (retry after %v); want a wait of over 20 minutes", err, pe)
	}
}
