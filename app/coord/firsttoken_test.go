package coord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestSilentChatFailsOver: a provider whose model list answers but whose
// chats are taken and never answered (OpenAI's wire format, the response
// withheld) is given part of the request's deadline for its first token,
// not all of it: the request fails over to the next target, the wait
// counts against the provider's breaker, and, once the breaker is open
// (here in a new process, from the records, as one-shot commands are),
// the provider is passed over at once. It is not retried: a server that
// sent nothing for half the deadline will not do better at once.
func TestSilentChatFailsOver(t *testing.T) {
	fake := pt.NewOpenAI(t, pt.WithOpenAILatency(time.Hour))
	p, err := openai.New(openai.Config{Name: "oa", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	oa := coord.Target{Provider: p, Model: "gpt-4o-mini"}
	lm := pt.NewScripted("lm", "lmstudio", ok("lm"))
	const deadline = 800 * time.Millisecond
	ps := newProcesses(t, coord.Config{Preferred: "oa", Deadline: deadline, Breaker: coord.BreakerConfig{Failures: 3},
		Targets: []coord.Target{target(lm, true), oa}})
	for i := range 3 {
		start := time.Now()
		out, in, err := ps.next().chat(t, coord.Request{})
		if err != nil || out != "lm" || outcomes(in) != "oa:unavailable lm:ok" {
			t.Fatalf("request %d: %q, route %q, %v; want a failover from oa to lm", i, out, outcomes(in), err)
		}
		a := in.Route[0]
		if a.Millis > float64(deadline.Milliseconds())*3/4 || time.Since(start) >= deadline {
			t.Errorf("request %d: oa was waited for %v ms, the request took %v; want at most half of the %v deadline for it",
				i, a.Millis, time.Since(start), deadline)
		}
		if !strings.Contains(a.Error, "sent no answer within") {
			t.Errorf("request %d: oa's attempt recorded as %q", i, a.Error)
		}
	}
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("oa was sent %d requests; want 3, one a request, none retried", n)
	}
	start := time.Now()
	if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != "oa:breaker_open lm:ok" || time.Since(start) > deadline/4 {
		t.Fatalf("route %q, %v after %v; want oa passed over at once, its breaker open", outcomes(in), err, time.Since(start))
	}
}

// TestFirstTokenBoundLeavesTimeToFailOver: every candidate but the last is
// given at most half of what is left of the deadline for its first token,
// so a request whose providers all hang still reaches its last candidate;
// the last gets the rest, and the request ends at its deadline naming it.
func TestFirstTokenBoundLeavesTimeToFailOver(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	hang := func(name string) *pt.Scripted { return pt.NewScripted(name, "ollama", pt.Step{Block: never}) }
	a, b, c := hang("a"), hang("b"), hang("c")
	const deadline = 400 * time.Millisecond
	e := newEnv(t, coord.Config{Deadline: deadline, Targets: []coord.Target{target(a, true), target(b, true), target(c, true)}})
	start := time.Now()
	_, in, err := e.chat(t, coord.Request{})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "deadline: c (m) had not answered") {
		t.Fatalf("err = %v; want the deadline naming the last candidate", err)
	}
	if took := time.Since(start); took < deadline || took > 2*deadline {
		t.Errorf("the request took %v; want its %v deadline", took, deadline)
	}
	if got := outcomes(in); got != "a:unavailable b:unavailable c:deadline" {
		t.Errorf("route %q; want each candidate tried", got)
	}
}

// TestPinnedKeepsWholeDeadline: a request pinned to one provider has no
// other candidate to fail over to, so it waits for that provider for the
// whole deadline.
func TestPinnedKeepsWholeDeadline(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	a := pt.NewScripted("a", "ollama", pt.Step{Block: never})
	b := pt.NewScripted("b", "ollama", ok("b"))
	const deadline = 150 * time.Millisecond
	e := newEnv(t, coord.Config{Deadline: deadline, FirstToken: 10 * time.Millisecond,
		Targets: []coord.Target{target(a, true), target(b, true)}})
	start := time.Now()
	_, in, err := e.chat(t, coord.Request{Provider: "a"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "deadline: a (m) had not answered") {
		t.Fatalf("err = %v; want the deadline", err)
	}
	if took := time.Since(start); took < deadline || outcomes(in) != "a:deadline" || b.Calls() != 0 {
		t.Errorf("route %q after %v; want a waited for the whole %v", outcomes(in), took, deadline)
	}
}

// slowStream sends its first chunk after first, and its second after
// gap: a model slow to start (loading, reasoning), or slow to go on.
type slowStream struct {
	*pt.Scripted
	first, gap time.Duration
}

func (s slowStream) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	for i, d := range []time.Duration{s.first, s.gap} {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return providers.Result{}, ctx.Err()
		}
		if err := fn(providers.Chunk{Text: []string{"a", "b"}[i]}); err != nil {
			return providers.Result{}, err
		}
	}
	return providers.Result{Model: req.Model}, nil
}

// TestConfiguredFirstTokenBound: a configured first-token bound shortens
// the wait for a provider that sends nothing, and bounds only the first
// token: a stream that started may take longer between its chunks, and a
// first token that comes within the bound is waited for.
func TestConfiguredFirstTokenBound(t *testing.T) {
	const bound = 100 * time.Millisecond
	never := make(chan struct{})
	defer close(never)
	mute := pt.NewScripted("mute", "ollama", pt.Step{Block: never})
	slow := slowStream{pt.NewScripted("slow", "ollama"), bound / 2, 3 * bound}
	spare := pt.NewScripted("spare", "ollama", ok("spare"))
	cfg := coord.Config{Deadline: time.Minute, FirstToken: bound,
		Targets: []coord.Target{target(mute, true), target(slow, true), target(spare, true)}}
	e := newEnv(t, cfg)
	start := time.Now()
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "ab" || outcomes(in) != "mute:unavailable slow:ok" {
		t.Fatalf("%q, route %q, %v; want mute given up on, slow's whole answer", out, outcomes(in), err)
	}
	if took := time.Since(start); took > 10*bound {
		t.Errorf("the request took %v; want mute given up on after %v", took, bound)
	}
	if spare.Calls() != 0 {
		t.Errorf("spare was asked %d times", spare.Calls())
	}
}

// TestSilentChatIsNotProbedClosed: a provider that timed out waiting for
// its first token answers its model list, so a listing (Probe) proves
// nothing of its chats: its half-open breaker is left for the next
// request's trial, not closed by the probe.
func TestSilentChatIsNotProbedClosed(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	a := pt.NewScripted("a", "ollama", pt.Step{Block: never})
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{Deadline: 200 * time.Millisecond, Breaker: coord.BreakerConfig{Failures: 1, OpenFor: 50 * time.Millisecond},
		Targets: []coord.Target{target(a, true), target(b, true)}})
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:unavailable b:ok" {
		t.Fatalf("route %q, %v", outcomes(in), err)
	}
	waitBreaker(t, e.c, "half-open")
	if n := e.c.Probe(context.Background()); n != 0 || e.c.Status()[0].Routes[0].Breaker != "half-open" {
		t.Fatalf("Probe closed %d, breaker %s; want it left half-open", n, e.c.Status()[0].Routes[0].Breaker)
	}
}

// TestDeadlineCutsAStreamingAnswer: an answer the request's deadline cuts
// after it began is interrupted, with what arrived, and says it was cut —
// not that the provider "had not answered", nor an error.
func TestDeadlineCutsAStreamingAnswer(t *testing.T) {
	s := slowStream{Scripted: pt.NewScripted("a", "ollama"), first: time.Millisecond, gap: time.Minute}
	e := newEnv(t, coord.Config{Deadline: 200 * time.Millisecond, Targets: []coord.Target{target(s, true)}})
	out, in, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "was cut at the request's 200ms deadline") || strings.Contains(ue.Msg, "had not answered") {
		t.Fatalf("err = %v; want the answer cut at the deadline", err)
	}
	if in == nil || in.Status != db.StatusInterrupted || in.Response != "a" || out != "a" {
		t.Fatalf("recorded %+v, streamed %q; want interrupted with what arrived", in, out)
	}
}
