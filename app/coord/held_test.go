package coord_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestSilentServerWithDefaultModelIsSkipped: a provider with a default
// model needs no listing to be asked, but once a listing found its server
// silent — a request naming the model, or a lookup before a request (its
// context window, through Models) — it is passed over as unreachable for
// the breaker's open period, in this process and the next, rather than
// sent a chat it will not answer either (which cost each request the
// listing's bound and then the wait for a first token).
func TestSilentServerWithDefaultModelIsSkipped(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	never := make(chan struct{})
	an := hanging{pt.NewScripted("claude", "anthropic", pt.Step{Block: never}), &hang}
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	const bound = 200 * time.Millisecond
	ps := newProcesses(t, coord.Config{Targets: []coord.Target{target(an, false), target(cloud, false)},
		ListTimeout: bound, Deadline: 4 * time.Second})
	e := ps.next()

	// A lookup before the request finds the server silent.
	start := time.Now()
	if _, err := e.c.Models(context.Background(), "claude"); providers.KindOf(err) != providers.KindUnavailable {
		t.Fatalf("Models = %v; want the silent server's error", err)
	}
	if took := time.Since(start); took < bound || took > 10*bound {
		t.Errorf("the listing took %v; want its bound, %v", took, bound)
	}
	// The request that follows passes it over, and records the listing.
	start = time.Now()
	_, in, err := e.chat(t, coord.Request{})
	if err != nil || outcomes(in) != "claude:unavailable cloud:ok" || an.Calls() != 0 || time.Since(start) >= bound {
		t.Fatalf("route %q, %v, %d chats to claude, after %v; want claude passed over at once", outcomes(in), err, an.Calls(), time.Since(start))
	}
	if a := in.Route[0]; a.Model != "" || a.Millis < float64(bound.Milliseconds()) {
		t.Errorf("the listing is recorded as %+v; want model \"\" and its %v", a, bound)
	}

	// A request naming the model in the next process (a new command)
	// passes it over too, at once: the records hold it.
	for i, req := range []coord.Request{{}, {Model: "m"}} {
		start := time.Now()
		_, in, err := ps.next().chat(t, req)
		if err != nil || outcomes(in) != "claude:unavailable cloud:ok" || an.Calls() != 0 || time.Since(start) >= bound {
			t.Fatalf("next process, request %d: route %q, %v, %d chats to claude, after %v; want claude passed over at once",
				i, outcomes(in), err, an.Calls(), time.Since(start))
		}
	}

	// Back up: a probe ends the hold, and the provider is asked again.
	hang.Store(false)
	close(never)
	e = ps.next()
	if n := e.c.Probe(context.Background()); n != 1 {
		t.Fatalf("Probe closed %d; want the held listing", n)
	}
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "claude:ok" {
		t.Fatalf("after the probe: route %q, %v; want claude", outcomes(in), err)
	}
	ms, err := e.c.Models(context.Background(), "claude")
	if err != nil || len(ms) != 1 || ms[0].Name != "m" {
		t.Errorf("Models = %v, %v; want claude's list", ms, err)
	}
}

// TestSilentListingThenChatInOneProcess: a request naming a model whose
// listing finds the server silent fails over, and the next request, which
// names no model (the target's default needs no listing), does not send
// the silent server a chat.
func TestSilentListingThenChatInOneProcess(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	an := hanging{pt.NewScripted("claude", "anthropic", pt.Step{Block: make(chan struct{})}), &hang}
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	ps := newProcesses(t, coord.Config{Targets: []coord.Target{target(an, false), target(cloud, false)},
		ListTimeout: 200 * time.Millisecond, Deadline: 2 * time.Second})
	e := ps.next()
	if _, in, err := e.chat(t, coord.Request{Model: "m"}); err != nil || outcomes(in) != "claude:unavailable cloud:ok" {
		t.Fatalf("route %q, %v; want a failover past the silent listing", outcomes(in), err)
	}
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "claude:unavailable cloud:ok" || an.Calls() != 0 {
		t.Fatalf("route %q, %v, %d chats to claude; want claude passed over", outcomes(in), err, an.Calls())
	}
}
