package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestServerErrorIsNotUnavailable: a server that answers with HTTP 500 (in
// OpenAI's error body) runs, and fails: the request's error kind, its
// attempts' outcomes and the route summary said to the user call it a
// server error, not unavailable, which a server out of reach is. Its
// breaker still counts the failures, so that the process after skips it.
func TestServerErrorIsNotUnavailable(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	newSrv := func(name string) *openai.Provider {
		p, err := openai.New(openai.Config{Name: name, Kind: openai.KindCompatible,
			BaseURL: pt.NewOpenAI(t, pt.WithStatus(500, "the runner crashed")).URL()})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := newSrv("a"), newSrv("b")
	ps := newProcesses(t, coord.Config{MaxAttempts: 2, Targets: []coord.Target{
		{Provider: a, Model: pt.DefaultOpenAIModel}, {Provider: b, Model: pt.DefaultOpenAIModel},
	}})
	_, in, err := ps.next().chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "unavailable") {
		t.Fatalf("err = %v; want a line that does not call a server error unavailable", err)
	}
	if in == nil || in.ErrorKind != coord.OutcomeServerError || outcomes(in) != "a:server_error a:server_error b:server_error b:server_error" {
		t.Fatalf("recorded kind %q, route %q; want server_error throughout", in.ErrorKind, outcomes(in))
	}
	// Pinned, the summary names the outcomes.
	_, in, err = ps.next().chat(t, coord.Request{Provider: "a"})
	if ue := usererr.As(err); ue == nil || strings.Contains(ue.Msg, "unavailable") || in == nil || in.ErrorKind == "unavailable" {
		t.Fatalf("pinned: err = %v, recorded %+v; want no 'unavailable'", err, in)
	}
}
