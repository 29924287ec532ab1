package coord_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// hostedFake is a provider another node hosts, as app/node's is: a chat
// that finds the node out of reach (unavailable, no HTTP status) marks
// it down until a newer heartbeat of it (beat) comes.
type hostedFake struct {
	*pt.Scripted
	node, addr string
	down       atomic.Bool
}

func (h *hostedFake) HostDown() (string, bool) {
	return "node " + h.node + " (" + h.addr + ") is not reachable", h.down.Load()
}

func (h *hostedFake) beat() { h.down.Store(false) }

func (h *hostedFake) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res, err := h.Scripted.Chat(ctx, req, fn)
	if pe := (*providers.Error)(nil); errors.As(err, &pe) && pe.Kind == providers.KindUnavailable && pe.StatusCode == 0 {
		h.down.Store(true)
	}
	return res, err
}

// newHosted is node n1's provider "slow", whose chats take steps.
func newHosted(steps ...pt.Step) *hostedFake {
	s := pt.NewScripted("n1/slow", "ollama", steps...)
	s.ModelList = []string{"slow"}
	return &hostedFake{Scripted: s, node: "n1", addr: "127.0.0.1:7421"}
}

// refusedStep is a chat that finds node n1 not running.
func refusedStep() pt.Step {
	return pt.Step{Err: &providers.Error{Provider: "n1/slow", Kind: providers.KindUnavailable,
		Message: "node n1 (127.0.0.1:7421) is not reachable"}}
}

// TestDownNodeNotRetried: a request to another node's provider that finds
// the node down is not retried against it (each try counted against its
// breaker: one request opened it); while the node is known down, requests
// pass it over unsent, and its breaker stays closed; the error says so of
// the node, once, with what to do — not the base_url of a provider the
// config does not have. A heartbeat of the node and it is asked again.
func TestDownNodeNotRetried(t *testing.T) {
	h := newHosted(refusedStep(), ok("back"))
	e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 3, Breaker: coord.BreakerConfig{Failures: 2, OpenFor: time.Hour},
		Remote: func() []coord.Target { return []coord.Target{{Provider: h, Local: true, Node: "n1"}} }})
	const want = "node n1 (127.0.0.1:7421) is not reachable: start aiex node run there, or see aiex cluster status"
	for i := range 3 {
		_, in, err := e.chat(t, coord.Request{Provider: "n1/slow"})
		if ue := usererr.As(err); ue == nil || ue.Msg != want {
			t.Fatalf("request %d: %v; want %q", i, err, want)
		}
		if h.Calls() != 1 {
			t.Fatalf("request %d (route %s): the node was sent %d chats; want 1 (the first found it down)", i, outcomes(in), h.Calls())
		}
		if i > 0 && (len(in.Route) != 1 || in.Route[0].Millis != 0 || in.Route[0].Outcome != string(providers.KindUnavailable)) {
			t.Fatalf("request %d: route %+v; want n1/slow passed over, unavailable", i, in.Route)
		}
	}
	if _, _, err := e.c.Plan(context.Background(), coord.Request{Provider: "n1/slow"}); err == nil || !strings.Contains(err.Error(), "node n1 (127.0.0.1:7421) is not reachable") {
		t.Errorf("Plan: %v; want the node said not reachable", err)
	}
	for _, ts := range e.c.Status() {
		for _, r := range ts.Routes {
			if r.Breaker != "closed" {
				t.Errorf("%s %s: breaker %s after %d failures; want closed (one failure counted)", ts.Name, r.Model, r.Breaker, r.ConsecutiveFailures)
			}
		}
	}
	h.beat()
	if got, _, err := e.chat(t, coord.Request{Provider: "n1/slow"}); err != nil || got != "back" {
		t.Fatalf("after the node's heartbeat: %q, %v; want its answer", got, err)
	}
}

// TestDownNodePassedOver: with the node known down, a request not pinned
// goes to the others without trying it, and its route says it was
// passed over.
func TestDownNodePassedOver(t *testing.T) {
	h := newHosted(ok("n1"))
	h.down.Store(true)
	local := pt.NewScripted("local", "ollama", ok("here"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(local, true)}, MaxAttempts: 3,
		Remote: func() []coord.Target { return []coord.Target{{Provider: h, Local: true, Node: "n1"}} }})
	got, in, err := e.chat(t, coord.Request{Strategy: coord.RoundRobin})
	if err != nil || got != "here" {
		t.Fatalf("chat: %q, %v; want the local answer", got, err)
	}
	if h.Calls() != 0 {
		t.Errorf("the down node was sent %d chats; want none", h.Calls())
	}
	_, _, err = e.chat(t, coord.Request{Strategy: coord.RoundRobin})
	if h.Calls() != 0 {
		t.Errorf("the down node was sent %d chats; want none (route %s, %v)", h.Calls(), outcomes(in), err)
	}
}

// TestNodeBackClosesBreaker: a breaker that failures to reach another
// node opened is closed once the node is back (a heartbeat of it): by the
// health probe, and by the next request, not after its open period.
func TestNodeBackClosesBreaker(t *testing.T) {
	for _, how := range []string{"probe", "request"} {
		t.Run(how, func(t *testing.T) {
			h := newHosted(refusedStep(), ok("back"))
			e := newEnv(t, coord.Config{MaxAttempts: 1, Breaker: coord.BreakerConfig{Failures: 1, OpenFor: time.Hour},
				Remote: func() []coord.Target { return []coord.Target{{Provider: h, Local: true, Node: "n1"}} }})
			if _, _, err := e.chat(t, coord.Request{Provider: "n1/slow"}); err == nil {
				t.Fatal("the first request answered; want it to find the node down")
			}
			if got := breakerOf(e, "n1/slow"); got != "open" {
				t.Fatalf("breaker %s after the failure; want open (Failures: 1)", got)
			}
			if n := e.c.Probe(context.Background()); n != 0 || breakerOf(e, "n1/slow") != "open" {
				t.Fatalf("probe with the node still down closed %d; want the breaker left open", n)
			}
			h.beat()
			if how == "probe" {
				if n := e.c.Probe(context.Background()); n != 1 {
					t.Errorf("probe closed %d breakers; want 1", n)
				}
				if got := breakerOf(e, "n1/slow"); got != "closed" {
					t.Fatalf("after the probe: breaker %s; want closed", got)
				}
			}
			if got, _, err := e.chat(t, coord.Request{Provider: "n1/slow"}); err != nil || got != "back" {
				t.Fatalf("after the node came back: %q, %v; want its answer", got, err)
			}
		})
	}
}

// breakerOf is the breaker state of provider's one route.
func breakerOf(e env, provider string) string {
	for _, ts := range e.c.Status() {
		if ts.Name == provider {
			for _, r := range ts.Routes {
				return r.Breaker
			}
		}
	}
	return "none"
}
