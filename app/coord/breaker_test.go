package coord_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// flakyStore is a store whose StartInteraction fails on demand, as one
// without a quorum does.
type flakyStore struct {
	*db.Store
	fail atomic.Bool
}

func (s *flakyStore) StartInteraction(ctx context.Context, in *db.Interaction) error {
	if s.fail.Load() {
		return errors.New("no quorum: 1 of 3 nodes reachable")
	}
	return s.Store.StartInteraction(ctx, in)
}

func newFlakyEnv(t *testing.T, cfg coord.Config) (env, *flakyStore) {
	t.Helper()
	st := &flakyStore{Store: dbtest.Open(t)}
	cfg.Recorder, cfg.Node, cfg.Hint = st, st.NodeID(), "configure a provider"
	cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 5*time.Millisecond
	return env{c: coord.New(cfg), store: st.Store}, st
}

// TestStoreFailureIsNoBreakerVerdict: a request the store refused never
// reached the provider, so it counts neither way for the breaker: it does
// not close a half-open breaker, nor reset a closed one's failure count.
func TestStoreFailureIsNoBreakerVerdict(t *testing.T) {
	t.Run("half-open", func(t *testing.T) {
		a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
		b := pt.NewScripted("b", "ollama", ok("b"))
		e, st := newFlakyEnv(t, coord.Config{
			Targets:     []coord.Target{target(a, true), target(b, true)},
			Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: 50 * time.Millisecond},
			MaxAttempts: 1,
		})
		for range 2 {
			if _, _, err := e.chat(t, coord.Request{}); err != nil {
				t.Fatal(err)
			}
		}
		waitBreaker(t, e.c, "half-open")
		st.fail.Store(true)
		if _, _, err := e.chat(t, coord.Request{}); err == nil {
			t.Fatal("request succeeded without a record")
		}
		if got := e.c.Status()[0].Routes[0].Breaker; a.Calls() != 2 || got != "half-open" {
			t.Fatalf("after the store failed: a called %d times, breaker %s; want 2 calls, half-open", a.Calls(), got)
		}
		// The trial is still to be made, and it is a's.
		st.fail.Store(false)
		a.SetSteps(ok("a"))
		if out, _, err := e.chat(t, coord.Request{}); err != nil || out != "a" {
			t.Fatalf("trial: %q, %v; want a to answer", out, err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
		b := pt.NewScripted("b", "ollama", ok("b"))
		e, st := newFlakyEnv(t, coord.Config{
			Targets:     []coord.Target{target(a, true), target(b, true)},
			Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: time.Minute},
			MaxAttempts: 1,
		})
		if _, _, err := e.chat(t, coord.Request{}); err != nil {
			t.Fatal(err)
		}
		st.fail.Store(true)
		if _, _, err := e.chat(t, coord.Request{}); err == nil {
			t.Fatal("request succeeded without a record")
		}
		st.fail.Store(false)
		if _, _, err := e.chat(t, coord.Request{}); err != nil {
			t.Fatal(err)
		}
		// Two failures of a, with the store's failure between them: open.
		if got := e.c.Status()[0].Routes[0]; got.Breaker != "open" {
			t.Fatalf("breaker %+v; want open after 2 failures", got)
		}
	})
}
