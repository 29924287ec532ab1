package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestBreakerOpenedMidRequestSummary: a request whose failures open its
// provider's breaker, so that its next attempt is refused, says how many
// attempts it made in good English ("after 1 attempt", not "1 attempts"),
// and does not list the provider and model it tried as passed over too:
// the breaker that refused them is what the line says already.
func TestBreakerOpenedMidRequestSummary(t *testing.T) {
	for _, n := range []int{1, 2} {
		a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
		e := newEnv(t, coord.Config{
			Targets:     []coord.Target{target(a, true)},
			Breaker:     coord.BreakerConfig{Failures: uint32(n), OpenFor: time.Minute},
			MaxAttempts: n + 1,
		})
		_, in, err := e.chat(t, coord.Request{})
		ue := usererr.As(err)
		if ue == nil || in == nil {
			t.Fatalf("breaker after %d: err = %v; want the user's error, recorded", n, err)
		}
		if got := outcomes(in); !strings.HasSuffix(got, "a:breaker_open") {
			t.Fatalf("breaker after %d: route %q; want the breaker to refuse the last attempt", n, got)
		}
		want := "after 1 attempt: a/m unavailable"
		if n == 2 {
			want = "after 2 attempts: a/m unavailable ×2"
		}
		if !strings.Contains(ue.Msg, want) || strings.Contains(ue.Msg, "passed over") {
			t.Errorf("breaker after %d: %q\nwant it to say %q, and nothing passed over", n, ue.Msg, want)
		}
	}
}
