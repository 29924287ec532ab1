package coord_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestTTFTFromRequestStart: a request whose first attempt is rate limited
// (Retry-After) and whose retry answers at once waited the Retry-After for
// its first token: its time to first token counts from its start, as its
// total time does, not from the attempt that answered. That attempt's own
// wait stays in its route entry.
func TestTTFTFromRequestStart(t *testing.T) {
	const wait = 300 * time.Millisecond
	p := pt.NewScripted("a", "openai",
		pt.Step{Err: &providers.Error{Provider: "a", Kind: providers.KindRateLimited, RetryAfter: wait, Message: "slow down"}},
		ok("x"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(p, false)}})
	_, in, err := e.chat(t, coord.Request{})
	if err != nil || outcomes(in) != "a:rate_limited a:ok" {
		t.Fatalf("route %q, %v; want a retry after the Retry-After", outcomes(in), err)
	}
	ms := float64(wait.Milliseconds())
	if in.TTFTMillis == nil {
		t.Fatal("no ttft recorded")
	}
	if ttft := *in.TTFTMillis; ttft < ms || ttft > *in.TotalMillis {
		t.Errorf("ttft %v ms, total %v ms; want the %v waited in the ttft, and no more than the total", ttft, *in.TotalMillis, wait)
	}
	if a := in.Route[1]; a.TTFTMillis <= 0 || a.TTFTMillis >= ms {
		t.Errorf("the answering attempt's own ttft is %v ms; want its own wait, under %v", a.TTFTMillis, wait)
	}
	if in.Route[0].TTFTMillis != 0 {
		t.Errorf("the rate-limited attempt has a ttft of %v ms; want none", in.Route[0].TTFTMillis)
	}
}

// TestFailureReachingNoProviderChargesNone: a request for a model that no
// candidate lists (its host out of the cluster), with every target passed
// over on what was known already, is recorded (history shows it) but
// under no provider, so that usage, which sums requests per provider, does
// not show it as a request to a provider that was never asked. One that
// reached a provider's server (a listing that failed) is still its.
func TestFailureReachingNoProviderChargesNone(t *testing.T) {
	oai := pt.NewScripted("oai", "openai", ok("o"))
	oai.ModelList = []string{"gpt-4o-mini"}
	to := target(oai, false)
	to.Model = ""
	down := &providers.Error{Provider: "local", Kind: providers.KindUnavailable, Message: "cannot reach the server at scripted://local: connection refused"}
	local := pt.NewScripted("local", "ollama")
	local.ModelsErr = down
	e := newEnv(t, coord.Config{Targets: []coord.Target{to}})
	ctx := context.Background()
	for range 3 {
		if _, in, err := e.chat(t, coord.Request{Model: "tiny"}); err == nil || in == nil || in.Provider != "" || in.Model != "tiny" {
			t.Fatalf("recorded %+v, %v; want a failure under no provider, model tiny", in, err)
		}
	}
	rows, err := e.store.Usage(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Provider == "oai" {
			t.Errorf("usage charges oai %d requests of model %s; it was never asked", r.Requests, r.Model)
		}
	}
	if len(rows) != 1 || rows[0].Provider != "" || rows[0].Requests != 3 || rows[0].Errors != 3 {
		t.Errorf("usage %+v; want the 3 failed requests under no provider", rows)
	}

	// A listing that failed reached the provider's server: its request is
	// recorded under it, as before.
	tl := target(local, true)
	tl.Model = ""
	e = newEnv(t, coord.Config{Targets: []coord.Target{tl}})
	if _, in, err := e.chat(t, coord.Request{}); err == nil || in == nil || in.Provider != "local" {
		t.Fatalf("recorded %+v, %v; want the failed listing's provider", in, err)
	}
}
