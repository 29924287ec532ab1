package coord_test

import (
	"context"
	"errors"
	"strings"
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

// TestHeldBreakerAdmitsOneTrial: in a long-running node whose breaker the
// records opened (an earlier process's faults), the requests that arrive
// once its open period is over do not all go to the failing provider: the
// half-open breaker lets one trial through, and the others fail over as if
// it were open.
func TestHeldBreakerAdmitsOneTrial(t *testing.T) {
	release := make(chan struct{})
	a := pt.NewScripted("a", "ollama", pt.Step{Block: release, Err: &providers.Error{Provider: "a", Kind: providers.KindUnavailable, Message: "down"}})
	b := pt.NewScripted("b", "ollama", ok("b"))
	const openFor = 300 * time.Millisecond
	ps := newProcesses(t, coord.Config{
		Targets:     []coord.Target{target(a, true), target(b, true)},
		Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: openFor},
		MaxAttempts: 1,
	})
	for i := range 2 {
		recordRoute(t, ps.store, ps.cfg.Node, coord.LocalAffinity, time.Now().Add(-time.Duration(2-i)*time.Millisecond),
			db.Attempt{Provider: "a", Model: "m", Outcome: "unavailable", Millis: 1})
	}
	e := ps.next()
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:breaker_open b:ok" {
		t.Fatalf("route %q, %v; want a held open by the recorded faults", outcomes(in), err)
	}
	time.Sleep(openFor + 50*time.Millisecond)

	// The trial: it waits in a until released.
	trial := make(chan error, 1)
	go func() {
		_, _, err := e.chat(t, coord.Request{})
		trial <- err
	}()
	for a.Calls() == 0 {
		time.Sleep(time.Millisecond)
	}
	type result struct {
		route string
		err   error
	}
	others := make(chan result, 3)
	for range 3 {
		go func() {
			_, in, err := e.chat(t, coord.Request{})
			others <- result{outcomes(in), err}
		}()
	}
	// With one trial, the others go to b at once; sent to a, they would
	// wait there with the trial.
	timeout := time.After(2 * time.Second)
	for got := 0; got < 3; got++ {
		select {
		case r := <-others:
			if r.err != nil || r.route != "a:breaker_open b:ok" {
				t.Errorf("request during the trial: route %q, %v; want a passed over", r.route, r.err)
			}
		case <-timeout:
			t.Errorf("requests during the trial went to a: a called %d times; want 1 trial", a.Calls())
			close(release)
			for ; got < 3; got++ {
				<-others
			}
			<-trial
			return
		}
	}
	close(release)
	if err := <-trial; err != nil {
		t.Fatal(err) // b answers after the failed trial
	}
	if a.Calls() != 1 {
		t.Errorf("a called %d times; want 1 trial", a.Calls())
	}
}

// TestOpenBreakerKeepsItsCount: an open breaker's status and refusal say
// how many failures in a row opened it, and its refusal the last of them
// — in the process that counted them, and in a new one that restored the
// breaker from the records — and a failed trial adds one.
func TestOpenBreakerKeepsItsCount(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
	b := pt.NewScripted("b", "ollama", ok("b"))
	const openFor = 200 * time.Millisecond
	ps := newProcesses(t, coord.Config{
		Targets:     []coord.Target{target(a, true), target(b, true)},
		Breaker:     coord.BreakerConfig{Failures: 3, OpenFor: openFor},
		MaxAttempts: 1,
	})
	e := ps.next()
	for range 3 {
		if _, _, err := e.chat(t, coord.Request{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range []env{e, ps.next()} {
		_, in, err := e.chat(t, coord.Request{})
		if err != nil || outcomes(in) != "a:breaker_open b:ok" {
			t.Fatalf("process %d: route %q, %v; want a's breaker open", i, outcomes(in), err)
		}
		if msg := in.Route[0].Error; !strings.HasPrefix(msg, "circuit breaker open after 3 failures in a row (the last: unavailable happened); will be tried again at ") {
			t.Errorf("process %d: the skip says %q", i, msg)
		}
		if st := e.c.Status()[0].Routes[0]; st.Breaker != "open" || st.ConsecutiveFailures != 3 {
			t.Errorf("process %d: status %+v; want open after 3 consecutive failures", i, st)
		}
	}
	waitBreaker(t, e.c, "half-open")
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:unavailable b:ok" {
		t.Fatalf("route %q, %v; want a's trial, failed", outcomes(in), err)
	}
	if st := e.c.Status()[0].Routes[0]; st.Breaker != "open" || st.ConsecutiveFailures != 4 {
		t.Errorf("status %+v after a failed trial; want open after 4 consecutive failures", st)
	}
}
