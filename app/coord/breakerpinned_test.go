package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestBreakerRefusalOfPinnedProviderRecordsIt: a request pinned to a
// provider (aiex ask --provider) that the provider's open breaker refuses
// is recorded under that provider and the model it was meant for, not
// under no provider: the user asked for it by name.
func TestBreakerRefusalOfPinnedProviderRecordsIt(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{
		Targets:     []coord.Target{target(a, true), target(b, true)},
		Breaker:     coord.BreakerConfig{Failures: 1, OpenFor: time.Hour},
		MaxAttempts: 1,
	})
	if _, _, err := e.chat(t, coord.Request{Provider: "a"}); err == nil {
		t.Fatal("a answered; want its failure")
	}
	_, in, err := e.chat(t, coord.Request{Provider: "a"})
	if err == nil || !strings.Contains(err.Error(), "circuit breaker open") {
		t.Fatalf("err = %v; want the breaker's refusal", err)
	}
	if a.Calls() != 1 || b.Calls() != 0 {
		t.Fatalf("a called %d times, b %d; want a once (the first request), b never", a.Calls(), b.Calls())
	}
	if in == nil || in.Provider != "a" || in.Model != "m" || outcomes(in) != "a:breaker_open" {
		t.Fatalf("recorded %+v; want provider a, model m, route a:breaker_open", in)
	}
}
