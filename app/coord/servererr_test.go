package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestServerFailureNamesItsStatus: a server failing with HTTP 500 among
// providers down is named with its status and address, "srv: HTTP 500
// from URL: the runner crashed" — its message alone ("srv: the runner
// crashed") did not say that a server answered, nor which — in the line
// said, in the record, and in the route.
func TestServerFailureNamesItsStatus(t *testing.T) {
	lm, _, srv := downPair(t)
	e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: []coord.Target{
		{Provider: lm, Model: "qwen", Local: true},
		{Provider: srv, Model: pt.DefaultOpenAIModel},
	}})
	_, in, err := e.chat(t, coord.Request{})
	want := "srv: HTTP 500 from " + srv.Endpoint() + ": the runner crashed"
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, want) {
		t.Fatalf("err = %v\nwant it to say %q", err, want)
	}
	if in == nil || in.Error != ue.Msg {
		t.Fatalf("recorded %+v; want the line said", in)
	}
	var routed bool
	for _, a := range in.Route {
		routed = routed || a.Provider == "srv" && strings.HasPrefix(a.Error, "HTTP 500 from "+srv.Endpoint()+": ")
	}
	if !routed {
		t.Errorf("route %+v; want srv's attempt to name its status", in.Route)
	}
}
