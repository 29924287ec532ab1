package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/ollama"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestFailoverNote: the result of a request that another provider
// answered after the first failed carries the note that says so — which
// failed, why (its error as its attempt recorded it), which answered —
// and, once the failures have opened the failing provider's breaker, that
// it was passed over, with when it is tried again as of now; a request
// the first provider answered has none.
func TestFailoverNote(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	const why = "llama runner process has terminated"
	newOllama := func(name string, opts ...pt.Option) coord.Target {
		p, err := ollama.New(ollama.Config{Name: name, BaseURL: pt.NewOllama(t, opts...).URL()})
		if err != nil {
			t.Fatal(err)
		}
		return coord.Target{Provider: p, Local: true}
	}
	bad, good := newOllama("bad", pt.WithStatus(500, why)), newOllama("good", pt.WithReply("fine"))
	e := newEnv(t, coord.Config{Preferred: "bad", MaxAttempts: 1, Breaker: coord.BreakerConfig{Failures: 1, OpenFor: time.Hour},
		Targets: []coord.Target{bad, good}})
	_, in, err := e.chat(t, coord.Request{})
	if err != nil {
		t.Fatal(err)
	}
	want := "bad failed: HTTP 500 from " + bad.Provider.Endpoint() + ": " + why + "; good (" + in.Model + ") answered instead"
	if got := coord.FailoverNote(in); got != want {
		t.Errorf("note %q; want %q", got, want)
	}
	_, in, err = e.chat(t, coord.Request{})
	if err != nil {
		t.Fatal(err)
	}
	got := coord.FailoverNote(in)
	if !strings.HasPrefix(got, "bad was passed over: circuit breaker open after 1 failure in a row") ||
		!strings.Contains(got, "; will be tried again in ") || !strings.HasSuffix(got, "; good ("+in.Model+") answered instead") {
		t.Errorf("with bad's breaker open, note %q; want bad passed over, tried again in …, good answered", got)
	}
	e = newEnv(t, coord.Config{Targets: []coord.Target{good}})
	if _, in, err = e.chat(t, coord.Request{}); err != nil || coord.FailoverNote(in) != "" {
		t.Errorf("answered by the one tried: note %q, %v; want none", coord.FailoverNote(in), err)
	}
}

// TestFailoverNoteNoneAnswered: a request that no provider answered (the
// first failed, the next was out of reach) has no "answered instead"
// note: its error says what became of it.
func TestFailoverNoteNoneAnswered(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	bad, err := ollama.New(ollama.Config{Name: "bad", BaseURL: pt.NewOllama(t, pt.WithStatus(500, "boom")).URL()})
	if err != nil {
		t.Fatal(err)
	}
	down, err := ollama.New(ollama.Config{Name: "down", BaseURL: pt.Unreachable(t)})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Preferred: "bad", MaxAttempts: 1, Targets: []coord.Target{{Provider: bad, Local: true}, {Provider: down, Local: true}}})
	_, in, err := e.chat(t, coord.Request{})
	if err == nil || in == nil {
		t.Fatalf("chat: %+v, %v; want it failed and recorded", in, err)
	}
	if got := coord.FailoverNote(in); got != "" {
		t.Errorf("note %q of a request none answered; want none", got)
	}
}
