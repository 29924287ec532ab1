package coord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// processes builds coordinators over one store, each as a new process
// (a one-shot command) would: with nothing in memory but the records.
type processes struct {
	store *db.Store
	cfg   coord.Config
}

func newProcesses(t *testing.T, cfg coord.Config) processes {
	t.Helper()
	st := dbtest.Open(t)
	cfg.Recorder, cfg.Node, cfg.Hint = st, st.NodeID(), "configure a provider"
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 5*time.Millisecond
	}
	return processes{store: st, cfg: cfg}
}

// next is a new process's coordinator.
func (p processes) next() env { return env{c: coord.New(p.cfg), store: p.store} }

// recordRoute records a finished request of node that started at start
// and made the attempts of route.
func recordRoute(t *testing.T, st *db.Store, node string, strategy coord.Strategy, start time.Time, route ...db.Attempt) {
	t.Helper()
	last := route[len(route)-1]
	in := &db.Interaction{ID: time.Now().Format(time.RFC3339Nano) + last.Provider, Node: node, Provider: last.Provider,
		Model: last.Model, Status: db.StatusRunning, StartedAt: start, Strategy: string(strategy), Attempts: len(route), Route: route}
	ctx := context.Background()
	if _, err := st.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
	in.Status = db.StatusOK
	if last.Outcome != "ok" {
		in.Status, in.ErrorKind = db.StatusError, last.Outcome
	}
	fin := start
	for _, a := range route {
		fin = fin.Add(time.Duration(a.Millis * float64(time.Millisecond)))
	}
	in.FinishedAt = &fin
	if _, err := st.Execute(ctx, db.FinishInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
}

// TestRoundRobinAcrossProcesses: each one-shot process takes the turn
// after the one the last recorded request took.
func TestRoundRobinAcrossProcesses(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	c := pt.NewScripted("c", "ollama", ok("c"))
	ps := newProcesses(t, coord.Config{Strategy: coord.RoundRobin, Targets: []coord.Target{target(a, true), target(b, true), target(c, true)}})
	if got := answers(t, ps.next, make([]coord.Request, 4)...); got != "abca" {
		t.Fatalf("one process per request answered %v; want a b c a", got)
	}
	// A request of another strategy between them does not move the turn.
	e := ps.next()
	if _, _, err := e.chat(t, coord.Request{Strategy: coord.LocalAffinity}); err != nil {
		t.Fatal(err)
	}
	if out, _, err := ps.next().chat(t, coord.Request{}); err != nil || out != "b" {
		t.Fatalf("after a local_affinity request: %q, %v; want b", out, err)
	}
}

// TestPinnedRequestTakesNoTurnAcrossProcesses: a one-shot request that
// names its provider does not move the turn the next process takes.
func TestPinnedRequestTakesNoTurnAcrossProcesses(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	c := pt.NewScripted("c", "ollama", ok("c"))
	ps := newProcesses(t, coord.Config{Strategy: coord.RoundRobin, Targets: []coord.Target{target(a, true), target(b, true), target(c, true)}})
	if got := answers(t, ps.next, coord.Request{}, coord.Request{Provider: "c"}, coord.Request{}, coord.Request{Provider: "a"}, coord.Request{}); got != "acbac" {
		t.Fatalf("one process per request answered %v; want a, c (pinned), b, a (pinned), c", got)
	}
}

// TestRoundRobinTurnOutsideWindow: the last round_robin request is found
// even when it is older than the records read for the rest (the second
// query).
func TestRoundRobinTurnOutsideWindow(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	ps := newProcesses(t, coord.Config{Strategy: coord.RoundRobin, Targets: []coord.Target{target(a, true), target(b, true)}})
	recordRoute(t, ps.store, ps.cfg.Node, coord.RoundRobin, time.Now().Add(-time.Hour), db.Attempt{Provider: "a", Model: "m", Outcome: "ok", Millis: 5})
	if out, _, err := ps.next().chat(t, coord.Request{}); err != nil || out != "b" {
		t.Fatalf("%q, %v; want b, after a an hour ago", out, err)
	}
}

// TestLoadBalancedAcrossProcesses: a process that has seen no answers yet
// orders by the latency of the recorded ones: the fast local model first,
// not the first configured (a slow paid one). What the process observes
// itself then counts.
func TestLoadBalancedAcrossProcesses(t *testing.T) {
	cloud := pt.NewScripted("cloud", "openai", ok("cloud"))
	local := pt.NewScripted("local", "ollama", ok("local"))
	ps := newProcesses(t, coord.Config{Strategy: coord.LoadBalanced, Targets: []coord.Target{target(cloud, false), target(local, true)}})
	now := time.Now()
	recordRoute(t, ps.store, ps.cfg.Node, coord.LoadBalanced, now.Add(-20*time.Second), db.Attempt{Provider: "cloud", Model: "m", Outcome: "ok", Millis: 900})
	recordRoute(t, ps.store, ps.cfg.Node, coord.LoadBalanced, now.Add(-10*time.Second), db.Attempt{Provider: "local", Model: "m", Outcome: "ok", Millis: 40})
	// Another node's fast cloud is another node's: not counted here.
	recordRoute(t, ps.store, "other-node", coord.LoadBalanced, now.Add(-5*time.Second), db.Attempt{Provider: "cloud", Model: "m", Outcome: "ok", Millis: 1})
	for i := range 2 {
		if out, _, err := ps.next().chat(t, coord.Request{}); err != nil || out != "local" {
			t.Fatalf("process %d: %q, %v; want the faster local model", i, out, err)
		}
	}
	if cloud.Calls() != 0 {
		t.Fatalf("cloud called %d times", cloud.Calls())
	}
}

// TestRateLimitAcrossProcesses: the requests earlier processes sent in the
// last minute use up a route's limit: with 2 a minute, the third and
// fourth one-shot requests fail over. Other nodes' requests are theirs
// (each node keeps its share of a cluster-wide limit).
func TestRateLimitAcrossProcesses(t *testing.T) {
	a := pt.NewScripted("a", "openai", ok("a"))
	b := pt.NewScripted("b", "openai", ok("b"))
	ta := target(a, false)
	ta.Limits = coord.Limits{RequestsPerMinute: 2}
	ps := newProcesses(t, coord.Config{Targets: []coord.Target{ta, target(b, false)}})
	for range 3 {
		recordRoute(t, ps.store, "other-node", coord.LocalAffinity, time.Now().Add(-time.Second), db.Attempt{Provider: "a", Model: "m", Outcome: "ok", Millis: 5})
	}
	want := []string{"a:ok", "a:ok", "a:rate_limited b:ok", "a:rate_limited b:ok"}
	for i, w := range want {
		if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != w {
			t.Fatalf("process %d: route %q, %v; want %q", i, outcomes(in), err, w)
		}
	}
	if a.Calls() != 2 {
		t.Fatalf("a called %d times; want 2", a.Calls())
	}

	t.Run("cluster share", func(t *testing.T) {
		// 4 a minute over 2 live nodes: this node's share is 2.
		a := pt.NewScripted("a", "openai", ok("a"))
		ta := target(a, false)
		ta.Limits = coord.Limits{RequestsPerMinute: 4}
		ps := newProcesses(t, coord.Config{Targets: []coord.Target{ta, target(pt.NewScripted("b", "openai", ok("b")), false)},
			Nodes: func(string) int { return 2 }})
		want := []string{"a:ok", "a:ok", "a:rate_limited b:ok"}
		for i, w := range want {
			if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != w {
				t.Fatalf("process %d: route %q, %v; want %q", i, outcomes(in), err, w)
			}
		}
	})
	t.Run("tokens", func(t *testing.T) {
		// The first answer used the minute's 1,000 tokens; the next
		// request's ~100 would wait 6 s for them.
		a := pt.NewScripted("a", "openai", pt.Step{Chunks: []string{"a"}, Usage: providers.Usage{PromptTokens: 900, CompletionTokens: 200}})
		ta := target(a, false)
		ta.Limits = coord.Limits{TokensPerMinute: 1000}
		ps := newProcesses(t, coord.Config{Targets: []coord.Target{ta, target(pt.NewScripted("b", "openai", ok("b")), false)}})
		msgs := []providers.Message{{Role: providers.RoleUser, Content: strings.Repeat("word ", 80)}}
		want := []string{"a:ok", "a:rate_limited b:ok"}
		for i, w := range want {
			if _, in, err := ps.next().chat(t, coord.Request{Messages: msgs}); err != nil || outcomes(in) != w {
				t.Fatalf("process %d: route %q, %v; want %q", i, outcomes(in), err, w)
			}
		}
	})
}

// TestBreakerAcrossProcesses: consecutive faults recorded by earlier
// processes open the breaker in the next one for the rest of its open
// period; then the next request is its single trial.
func TestBreakerAcrossProcesses(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
	b := pt.NewScripted("b", "ollama", ok("b"))
	var skew time.Duration
	ps := newProcesses(t, coord.Config{
		Targets:     []coord.Target{target(a, true), target(b, true)},
		Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: time.Minute},
		MaxAttempts: 1,
		Now:         func() time.Time { return time.Now().Add(skew) },
	})
	// An answer of a between faults resets the count, as in one process;
	// a refused key says nothing of its health either way.
	recordRoute(t, ps.store, ps.cfg.Node, coord.LocalAffinity, time.Now().Add(-3*time.Second), db.Attempt{Provider: "a", Model: "m", Outcome: "unavailable", Millis: 2})
	recordRoute(t, ps.store, ps.cfg.Node, coord.LocalAffinity, time.Now().Add(-2*time.Second), db.Attempt{Provider: "a", Model: "m", Outcome: "ok", Millis: 2})
	recordRoute(t, ps.store, ps.cfg.Node, coord.LocalAffinity, time.Now().Add(-time.Second),
		db.Attempt{Provider: "a", Model: "m", Outcome: "auth", Millis: 2}, db.Attempt{Provider: "b", Model: "m", Outcome: "ok", Millis: 2})
	for i := range 2 {
		if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != "a:unavailable b:ok" {
			t.Fatalf("process %d: route %q, %v; want a to fail and b to answer", i, outcomes(in), err)
		}
	}
	e := ps.next()
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:breaker_open b:ok" || a.Calls() != 2 {
		t.Fatalf("after 2 recorded faults: route %q, %v, a called %d times; want a skipped", outcomes(in), err, a.Calls())
	}
	if st := e.c.Status()[0].Routes; len(st) != 1 || st[0].Breaker != "open" {
		t.Fatalf("status %+v; want a's breaker open", st)
	}
	// `aiex providers` in a new process shows the breaker without a request.
	e = ps.next()
	e.c.Probe(context.Background())
	if st := e.c.Status()[0].Routes; len(st) != 1 || st[0].Breaker != "open" || a.Calls() != 2 {
		t.Fatalf("status after Probe %+v; want a's breaker open, without a request", st)
	}

	// After the open period: one trial, which fails and opens it again.
	skew = 2 * time.Minute
	ps.cfg.MaxAttempts = 3
	if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != "a:unavailable a:breaker_open b:ok" || a.Calls() != 3 {
		t.Fatalf("trial: route %q, %v, a called %d times; want one trial of a, then b", outcomes(in), err, a.Calls())
	}
	if _, in, err := ps.next().chat(t, coord.Request{}); err != nil || outcomes(in) != "a:breaker_open b:ok" {
		t.Fatalf("after the failed trial: route %q, %v; want a skipped", outcomes(in), err)
	}
	// A trial that succeeds closes it for the processes after.
	skew = 4 * time.Minute
	a.SetSteps(ok("a"))
	for i := range 2 {
		if out, in, err := ps.next().chat(t, coord.Request{}); err != nil || out != "a" || outcomes(in) != "a:ok" {
			t.Fatalf("process %d after recovery: %q, route %q, %v; want a", i, out, outcomes(in), err)
		}
	}
}

// TestProbeLeavesServerErrorsToATrial: a server whose chats fail with 500
// while its model list works is not closed by a probe (a model listing):
// its breaker stays half-open, and the next request is its one trial,
// which fails over after one attempt instead of three.
func TestProbeLeavesServerErrorsToATrial(t *testing.T) {
	boom := pt.Step{Err: &providers.Error{Provider: "a", Kind: providers.KindUnavailable, StatusCode: 500, Message: "llama runner process has terminated"}}
	a := pt.NewScripted("a", "ollama", boom)
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{
		Targets:     []coord.Target{target(a, true), target(b, true)},
		Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: 100 * time.Millisecond},
		MaxAttempts: 3,
	})
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:server_error a:server_error a:breaker_open b:ok" {
		t.Fatalf("route %q, %v", outcomes(in), err)
	}
	waitBreaker(t, e.c, "half-open")
	if n := e.c.Probe(context.Background()); n != 0 {
		t.Fatalf("Probe closed %d breakers; the server's chats still fail", n)
	}
	if st := e.c.Status()[0].Routes[0].Breaker; st != "half-open" {
		t.Fatalf("breaker %s after the probe; want half-open", st)
	}
	if _, in, err := e.chat(t, coord.Request{}); err != nil || outcomes(in) != "a:server_error a:breaker_open b:ok" || a.Calls() != 3 {
		t.Fatalf("trial: route %q, %v, a called %d times; want one trial, then b", outcomes(in), err, a.Calls())
	}
}

// TestSpendCapSaysWhatTheLocalModelSaid: with the cap reached and the
// local model failing, the error gives the local model's own error beside
// the cap.
func TestSpendCapSaysWhatTheLocalModelSaid(t *testing.T) {
	paid := pt.NewScripted("cloud", "openai", pt.Step{Chunks: []string{"$"}, Usage: providers.Usage{PromptTokens: 1_000_000}})
	local := pt.NewScripted("local", "ollama", pt.Step{Err: &providers.Error{Provider: "local", Kind: providers.KindUnavailable,
		StatusCode: 500, Message: "model requires more system memory (4.1 GiB) than is available (2.0 GiB)"}})
	prices := pricing.Table{Overrides: map[string]pricing.Price{"cloud/m": {Input: 3}}}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false), target(local, true)}, Prices: prices,
		Caps: coord.SpendCaps{DailyUSD: 2}, MaxAttempts: 2})
	if _, _, err := e.chat(t, coord.Request{Provider: "cloud"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "daily spend cap of $2.00 is reached") ||
		!strings.Contains(ue.Msg, "local/m: HTTP 500 from scripted://local: model requires more system memory") || strings.Contains(ue.Msg, "\n") ||
		strings.Count(ue.Msg, "system memory") != 1 {
		t.Fatalf("err = %v; want one line with the cap and the local model's error, once", err)
	}
}

// TestProbeClosesRecordedUnreachableBreaker: a breaker a new process opens
// from recorded faults of a server out of reach ("cannot reach …") is
// closed by a health probe once the server answers again, as one opened
// in the process is; one opened by a server that answered 500 is left to
// a trial.
func TestProbeClosesRecordedUnreachableBreaker(t *testing.T) {
	for _, tt := range []struct {
		msg  string
		want int
	}{
		{"cannot reach Ollama at http://127.0.0.1:1: connection refused", 1},
		{"Ollama at http://127.0.0.1:1 did not answer within 5s; is it running?", 1},
		{"llama runner process has terminated", 0},
	} {
		a := pt.NewScripted("a", "ollama", ok("a"))
		ps := newProcesses(t, coord.Config{
			Targets: []coord.Target{target(a, true)},
			Breaker: coord.BreakerConfig{Failures: 2, OpenFor: time.Second},
		})
		for i := range 2 {
			recordRoute(t, ps.store, ps.cfg.Node, coord.LocalAffinity, time.Now().Add(time.Duration(i-3)*time.Second),
				db.Attempt{Provider: "a", Model: "m", Outcome: "unavailable", Error: tt.msg, Millis: 2})
		}
		// The open period has ended: half-open.
		if n := ps.next().c.Probe(context.Background()); n != tt.want {
			t.Errorf("%q: Probe closed %d breakers; want %d", tt.msg, n, tt.want)
		}
	}
}
