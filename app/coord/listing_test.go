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

// hanging is a provider whose model list never answers while hang is set:
// its server takes the connection and says nothing.
type hanging struct {
	*pt.Scripted
	hang *atomic.Bool
}

func (h hanging) Models(ctx context.Context) ([]providers.Model, error) {
	if h.hang.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.Scripted.Models(ctx)
}

// TestSilentListingIsHeld: a server that never answers its model list
// costs one request the listing's bound, not every request: it is held as
// unreachable for the breaker's open period, in this process and, through
// the records, in the next, and skipped at once meanwhile. The wait is
// recorded as an attempt on the provider with its time (so the provider's
// statistics show it), and the request's total time covers it. A health
// probe (Probe) that finds the list answering again ends the hold.
func TestSilentListingIsHeld(t *testing.T) {
	var hang atomic.Bool
	hang.Store(true)
	local := hanging{pt.NewScripted("local", "ollama", ok("l")), &hang}
	tl := target(local, true)
	tl.Model = "" // the first model it lists
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	var skew atomic.Int64
	const bound = 200 * time.Millisecond
	ps := newProcesses(t, coord.Config{Targets: []coord.Target{tl, target(cloud, false)}, ListTimeout: bound,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	e := ps.next()

	_, in, err := e.chat(t, coord.Request{})
	if err != nil || outcomes(in) != "local:unavailable cloud:ok" {
		t.Fatalf("route %q, %v; want a failover to cloud", outcomes(in), err)
	}
	if a := in.Route[0]; a.Model != "" || a.Millis < float64(bound.Milliseconds()) {
		t.Errorf("the listing is recorded as %+v; want model \"\" and its %v", a, bound)
	}
	if *in.TotalMillis < float64(bound.Milliseconds()) {
		t.Errorf("total time %v ms; want the listing's wait in it", *in.TotalMillis)
	}
	stats, err := ps.store.ProviderStats(context.Background(), time.Now().Add(-time.Hour))
	if s := stats["local"]; err != nil || s.Requests != 1 || s.Errors != 1 {
		t.Errorf("stats of local %+v, %v; want its failed listing counted", s, err)
	}

	// Past catalogErrTTL, in this process and in the next: skipped at once.
	skew.Store(int64(3 * time.Second))
	for i, e := range []env{e, ps.next()} {
		start := time.Now()
		_, in, err := e.chat(t, coord.Request{})
		if err != nil || outcomes(in) != "local:unavailable cloud:ok" || time.Since(start) >= bound {
			t.Fatalf("request %d: route %q, %v after %v; want local skipped at once", i, outcomes(in), err, time.Since(start))
		}
		if in.Route[0].Millis != 0 {
			t.Errorf("request %d: the held listing is recorded as %+v; want 0 ms, passed over", i, in.Route[0])
		}
	}

	// The server is back: a probe ends the hold.
	hang.Store(false)
	e = ps.next()
	if n := e.c.Probe(context.Background()); n != 1 {
		t.Fatalf("Probe closed %d; want the held listing", n)
	}
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "l" || outcomes(in) != "local:ok" {
		t.Fatalf("after the probe: %q, route %q, %v; want local", out, outcomes(in), err)
	}
	// A new process sees the answer since, and holds nothing.
	if out, _, err := ps.next().chat(t, coord.Request{}); err != nil || out != "l" {
		t.Fatalf("the next process: %q, %v; want local", out, err)
	}
}
