package coord_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestFailureBeforeAnyAttemptIsRecorded: every request is recorded with
// its route, a request that failed before any chat went out included:
// pinned to a provider whose model list failed, or whose breaker is open,
// or left to the strategy with every target passed over.
func TestFailureBeforeAnyAttemptIsRecorded(t *testing.T) {
	down := &providers.Error{Provider: "a", Kind: providers.KindUnavailable, Message: "cannot reach the server at scripted://a: connection refused"}
	a := pt.NewScripted("a", "ollama", pt.Step{Err: down})
	a.ModelsErr = down
	ta := target(a, true)
	ta.Model = "" // the first model it lists
	b := pt.NewScripted("b", "ollama", pt.Step{Err: down})
	e := newEnv(t, coord.Config{MaxAttempts: 1, Breaker: coord.BreakerConfig{Failures: 1, OpenFor: time.Hour},
		Targets: []coord.Target{ta, target(b, true)}})
	ctx := context.Background()

	// b's breaker opens.
	if _, in, err := e.chat(t, coord.Request{Provider: "b"}); err == nil || outcomes(in) != "b:unavailable" {
		t.Fatalf("route %q, %v; want b failing", outcomes(in), err)
	}
	for _, tt := range []struct {
		name  string
		req   coord.Request
		route string
		strat string
	}{
		{"pinned, its list failed", coord.Request{Provider: "a"}, "a:unavailable", "pinned"},
		{"pinned, its breaker open", coord.Request{Provider: "b"}, "b:breaker_open", "pinned"},
		{"every target passed over", coord.Request{}, "a:unavailable b:breaker_open", "local_affinity"},
	} {
		_, in, err := e.chat(t, tt.req)
		if err == nil || in == nil {
			t.Fatalf("%s: interaction %v, %v; want the failure recorded and returned", tt.name, in, err)
		}
		rec, found, rerr := e.store.Interaction(ctx, in.ID)
		if rerr != nil || !found {
			t.Fatalf("%s: not in the store (%v)", tt.name, rerr)
		}
		if rec.Status != db.StatusError || outcomes(&rec) != tt.route || rec.Strategy != tt.strat ||
			rec.FinishedAt == nil || rec.Error == "" || rec.Attempts != 0 {
			t.Errorf("%s: recorded %s, route %q, strategy %s, error %q, %d attempts; want an error with route %q",
				tt.name, rec.Status, outcomes(&rec), rec.Strategy, rec.Error, rec.Attempts, tt.route)
		}
	}
	all, err := e.store.Interactions(ctx, 10)
	if err != nil || len(all) != 4 {
		t.Fatalf("%d interactions recorded, %v; want all 4 requests", len(all), err)
	}
}
