package coord_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestFailedModelListingIsNotKept: a local server that could not list its
// models is asked again soon after (a failure is remembered for a moment
// only, so that a burst of requests does not each wait on a dead server),
// not skipped for the minute a good listing is trusted.
func TestFailedModelListingIsNotKept(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }

	local := pt.NewScripted("local", "ollama", ok("l"))
	local.ModelsErr = &providers.Error{Provider: "local", Kind: providers.KindUnavailable, Message: "connection refused"}
	tl := target(local, true)
	tl.Model = "" // the first model it lists
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tl, target(cloud, false)}, Now: now})

	route := func() string {
		t.Helper()
		_, in, err := e.chat(t, coord.Request{})
		if err != nil {
			t.Fatal(err)
		}
		return outcomes(in)
	}
	if got := route(); got != "local:unavailable cloud:ok" {
		t.Fatalf("with local down: route %q", got)
	}
	local.ModelsErr = nil // local is back
	if got := route(); got != "local:unavailable cloud:ok" {
		t.Fatalf("right after: route %q; want the failure remembered for a moment", got)
	}
	clock.Add(int64(3 * time.Second))
	if got := route(); got != "local:ok" {
		t.Fatalf("3 s later: route %q; want local to answer again", got)
	}
}
