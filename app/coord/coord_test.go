package coord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ok(chunks ...string) pt.Step {
	return pt.Step{Chunks: chunks, Usage: providers.Usage{PromptTokens: 10, CompletionTokens: len(chunks)}}
}

func fail(kind providers.ErrorKind) pt.Step {
	return pt.Step{Err: &providers.Error{Provider: "x", Kind: kind, Message: string(kind) + " happened"}}
}

type env struct {
	c     *coord.Coordinator
	store *db.Store
}

// newEnv builds a coordinator over targets, recording to a real store.
func newEnv(t *testing.T, cfg coord.Config) env {
	t.Helper()
	st := dbtest.Open(t)
	cfg.Recorder = st
	cfg.Node = st.NodeID()
	cfg.Hint = "configure a provider"
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 5*time.Millisecond
	}
	return env{c: coord.New(cfg), store: st}
}

func target(p providers.Provider, local bool) coord.Target {
	return coord.Target{Provider: p, Local: local, Model: "m"}
}

func (e env) chat(t *testing.T, req coord.Request) (string, *db.Interaction, error) {
	t.Helper()
	if req.Messages == nil {
		req.Messages = []providers.Message{{Role: providers.RoleUser, Content: "q"}}
	}
	var b strings.Builder
	in, err := e.c.Chat(context.Background(), req, func(c providers.Chunk) error { b.WriteString(c.Text); return nil })
	return b.String(), in, err
}

// answers sends reqs in turn, each to the coordinator next returns (the
// same one, or a new process's), and returns what answered them, joined.
func answers(t *testing.T, next func() env, reqs ...coord.Request) string {
	t.Helper()
	var got strings.Builder
	for _, req := range reqs {
		out, _, err := next().chat(t, req)
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString(out)
	}
	return got.String()
}

func outcomes(in *db.Interaction) string {
	var parts []string
	for _, a := range in.Route {
		parts = append(parts, a.Provider+":"+a.Outcome)
	}
	return strings.Join(parts, " ")
}

func TestLocalAffinityPrefersLocal(t *testing.T) {
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	local := pt.NewScripted("local", "ollama", ok("l"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(cloud, false), target(local, true)}})
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "l" || in.Provider != "local" || cloud.Calls() != 0 {
		t.Fatalf("got %q from %v (err %v); want the local provider only", out, in.Provider, err)
	}
	if in.Strategy != "local_affinity" || in.Attempts != 1 || outcomes(in) != "local:ok" {
		t.Fatalf("recorded %+v", in)
	}
}

// The config's default provider is tried first whatever the strategy, and
// the others stay behind it for failover.
func TestPreferredFirst(t *testing.T) {
	cloud := pt.NewScripted("cloud", "openai", ok("c"), pt.Step{Err: &providers.Error{Provider: "cloud", Kind: providers.KindUnavailable, Message: "down"}})
	local := pt.NewScripted("local", "ollama", ok("l"))
	e := newEnv(t, coord.Config{Preferred: "cloud", MaxAttempts: 1, Targets: []coord.Target{target(local, true), target(cloud, false)}})
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "c" || outcomes(in) != "cloud:ok" {
		t.Fatalf("%q, route %q, %v; want the preferred cloud provider first", out, outcomes(in), err)
	}
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "l" || outcomes(in) != "cloud:unavailable local:ok" {
		t.Fatalf("%q, route %q, %v; want a failover to local", out, outcomes(in), err)
	}
}

func TestRoundRobinRotates(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{Strategy: coord.RoundRobin, Targets: []coord.Target{target(a, true), target(b, true)}})
	if got := answers(t, func() env { return e }, make([]coord.Request, 4)...); got != "abab" {
		t.Fatalf("round robin answered %v; want a b a b", got)
	}
}

// TestPinnedRequestTakesNoTurn: a request that names its provider is not
// routed by the strategy, so it does not take a round-robin turn: the next
// request left to the strategy gets the target it would have got. The
// pinned request is still a request to its provider: its rate limit
// counts it.
func TestPinnedRequestTakesNoTurn(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	c := pt.NewScripted("c", "ollama", ok("c"))
	tc := target(c, true)
	tc.Limits = coord.Limits{RequestsPerMinute: 1}
	e := newEnv(t, coord.Config{Strategy: coord.RoundRobin, Targets: []coord.Target{target(a, true), target(b, true), tc}})
	var got []string
	// A request of another strategy takes no turn either.
	for _, req := range []coord.Request{{}, {Provider: "c"}, {}, {Strategy: coord.LocalAffinity}, {}} {
		_, in, err := e.chat(t, req)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, outcomes(in))
	}
	// The last request's turn is c's, whose one request a minute the
	// pinned request used: it fails over to the next in turn.
	want := []string{"a:ok", "c:ok", "b:ok", "a:ok", "c:rate_limited a:ok"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("routes %q; want %q", got, want)
	}
}

func TestLoadBalancedAvoidsBusyTarget(t *testing.T) {
	release := make(chan struct{})
	busy := pt.NewScripted("busy", "ollama", pt.Step{Block: release, Chunks: []string{"slow"}})
	idle := pt.NewScripted("idle", "ollama", ok("fast"))
	e := newEnv(t, coord.Config{Strategy: coord.LoadBalanced, Targets: []coord.Target{target(busy, true), target(idle, true)}})

	// Occupy "busy" with a request pinned to it, then ask unpinned.
	done := make(chan error, 1)
	go func() {
		_, _, err := e.chat(t, coord.Request{Provider: "busy"})
		done <- err
	}()
	for busy.Calls() == 0 {
		time.Sleep(time.Millisecond) // poll until the pinned request is in flight
	}
	out, in, err := e.chat(t, coord.Request{})
	close(release)
	if err != nil || out != "fast" || in.Provider != "idle" {
		t.Fatalf("load_balanced sent the request to %s (%q, %v); want idle", in.Provider, out, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestExplicitProviderAndModel(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "openai", ok("b"))
	b.ModelList = []string{"big", "small"}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true), target(b, false)}})

	if out, in, err := e.chat(t, coord.Request{Provider: "b", Model: "small"}); err != nil || out != "b" || in.Model != "small" {
		t.Fatalf("pinned request: %q %+v %v", out, in, err)
	}
	// A model only b lists: a is left out (its list lacks it), b answers.
	if out, in, err := e.chat(t, coord.Request{Model: "big"}); err != nil || out != "b" || outcomes(in) != "b:ok" || a.Calls() != 0 {
		t.Fatalf("model routing: %q %v %v", out, in, err)
	}
	_, _, err := e.chat(t, coord.Request{Provider: "zzz"})
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, "a, b") {
		t.Fatalf("unknown provider: %v", err)
	}
	_, _, err = e.chat(t, coord.Request{Model: "nope"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, `"nope" not found on any provider`) || !strings.Contains(ue.Msg, "big") {
		t.Fatalf("unknown model: %v", err)
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	limited := &providers.Error{Provider: "a", Kind: providers.KindRateLimited, Message: "slow down", RetryAfter: 20 * time.Millisecond}
	a := pt.NewScripted("a", "ollama", pt.Step{Err: limited}, ok("fine"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	start := time.Now()
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "fine" {
		t.Fatalf("%q, %v", out, err)
	}
	if since := time.Since(start); since < 20*time.Millisecond {
		t.Errorf("retried after %s; Retry-After said 20ms", since)
	}
	if in.Attempts != 2 || outcomes(in) != "a:rate_limited a:ok" || in.Route[1].Retry != 1 {
		t.Fatalf("route %+v", in.Route)
	}
}

func TestRetryRules(t *testing.T) {
	tests := []struct {
		name      string
		first     pt.Step
		wantRoute string
		wantErr   bool
	}{
		{"unavailable retried then fails over", fail(providers.KindUnavailable), "a:unavailable a:unavailable a:unavailable b:ok", false},
		{"overloaded retried", fail(providers.KindOverloaded), "a:overloaded a:overloaded a:overloaded b:ok", false},
		{"auth fails over at once", fail(providers.KindAuth), "a:auth b:ok", false},
		{"not found fails over at once", fail(providers.KindNotFound), "a:not_found b:ok", false},
		{"context too long fails over", fail(providers.KindContextTooLong), "a:context_too_long b:ok", false},
		{"bad request stops", fail(providers.KindBadRequest), "a:bad_request", true},
		// x-should-retry: false (providers.ApplyShouldRetry)
		{"unavailable the server says not to retry fails over at once",
			pt.Step{Err: &providers.Error{Provider: "x", Kind: providers.KindUnavailable, Message: "deterministic", NoRetry: true}}, "a:unavailable b:ok", false},
		{"broken after tokens: no retry, no failover", pt.Step{Chunks: []string{"par"}, Err: &providers.Error{Kind: providers.KindInterrupted, Message: "reset"}}, "a:interrupted", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := pt.NewScripted("a", "ollama", tt.first)
			b := pt.NewScripted("b", "ollama", ok("b"))
			e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true), target(b, true)}, Breaker: coord.BreakerConfig{Failures: 100}})
			_, in, err := e.chat(t, coord.Request{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v; want error %v", err, tt.wantErr)
			}
			if got := outcomes(in); got != tt.wantRoute {
				t.Fatalf("route %q; want %q", got, tt.wantRoute)
			}
			rec, _, _ := e.store.Interaction(context.Background(), in.ID)
			if outcomes(&rec) != tt.wantRoute || rec.Attempts != in.Attempts {
				t.Fatalf("stored route %q (attempts %d); want %q", outcomes(&rec), rec.Attempts, tt.wantRoute)
			}
			if tt.wantErr && rec.ErrorKind == "" {
				t.Errorf("failed request stored without an error kind: %+v", rec)
			}
		})
	}
}

func TestInterruptedAfterTokensIsRecorded(t *testing.T) {
	a := pt.NewScripted("a", "ollama", pt.Step{Chunks: []string{"half"}, Err: &providers.Error{Provider: "a", Kind: providers.KindInterrupted, Message: "connection reset"}})
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	out, in, err := e.chat(t, coord.Request{})
	if out != "half" || a.Calls() != 1 {
		t.Fatalf("streamed %q in %d calls", out, a.Calls())
	}
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "broke off") {
		t.Fatalf("err = %v", err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	if rec.Status != db.StatusInterrupted || rec.Response != "half" || rec.ErrorKind != "interrupted" {
		t.Fatalf("recorded %+v", rec)
	}
}

// An answer whose output failed (a full disk) is recorded as an error with
// what arrived, not as interrupted: the provider did not break off.
func TestOutputFailureIsAnError(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("one", "two"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	full := errors.New("write /dev/stdout: no space left on device")
	in, err := e.c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(c providers.Chunk) error {
			if c.Text == "two" {
				return full
			}
			return nil
		})
	if !errors.Is(err, full) {
		t.Fatalf("err = %v; want the output's", err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	if rec.Status != db.StatusError || !strings.HasPrefix(rec.Response, "one") || rec.Error != full.Error() {
		t.Fatalf("recorded %+v; want an error with the partial answer", rec)
	}
	// Not the provider's fault: its attempt's outcome says so, and the
	// provider's statistics count no error.
	if rec.ErrorKind != coord.OutcomeOutput || len(rec.Route) != 1 || rec.Route[0].Outcome != coord.OutcomeOutput {
		t.Errorf("error kind %q, route %+v; want the outcome %q", rec.ErrorKind, rec.Route, coord.OutcomeOutput)
	}
	stats, err := e.store.ProviderStats(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || stats["a"].Requests != 1 || stats["a"].Errors != 0 {
		t.Errorf("provider stats %+v, %v; want a's one request and no error", stats["a"], err)
	}
}

func TestBreakerOpensAndProbeClosesIt(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{
		Targets: []coord.Target{target(a, true), target(b, true)},
		// OpenFor leaves the checks of the open state below time to run
		// on a loaded machine (at 30 ms the breaker was at times half-open
		// already); the wait for half-open costs that much.
		Breaker:     coord.BreakerConfig{Failures: 2, OpenFor: time.Second},
		MaxAttempts: 1,
	})
	for range 2 {
		if _, _, err := e.chat(t, coord.Request{}); err != nil {
			t.Fatal(err)
		}
	}
	if a.Calls() != 2 {
		t.Fatalf("a called %d times; want 2", a.Calls())
	}
	// Open: a is skipped without a call.
	_, in, err := e.chat(t, coord.Request{})
	if err != nil || a.Calls() != 2 || outcomes(in) != "a:breaker_open b:ok" {
		t.Fatalf("with the breaker open: calls %d, route %q, err %v", a.Calls(), outcomes(in), err)
	}
	// Recorded with the time of the trial, said as of when it is read.
	if msg := coord.SayWhen(in.Route[0].Error, time.Now()); msg != "circuit breaker open after 2 failures in a row (the last: unavailable happened); will be tried again in 1s" {
		t.Errorf("the skip says %q (recorded %q); want when a will be tried again", msg, in.Route[0].Error)
	}
	// The status of an open breaker keeps the failures that opened it
	// (gobreaker's own count starts again from 0 when it opens).
	if st := e.c.Status()[0].Routes[0]; st.Breaker != "open" || st.ConsecutiveFailures != 2 {
		t.Fatalf("status %+v; want open after 2 consecutive failures", st)
	}
	// After OpenFor the breaker is half-open; a probe that succeeds closes it.
	deadline := time.Now().Add(5 * time.Second)
	for e.c.Status()[0].Routes[0].Breaker != "half-open" {
		if time.Now().After(deadline) {
			t.Fatal("breaker never went half-open")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := e.c.Probe(context.Background()); n != 1 {
		t.Fatalf("Probe closed %d breakers; want 1", n)
	}
	a.SetSteps(ok("a"))
	if out, _, err := e.chat(t, coord.Request{}); err != nil || out != "a" {
		t.Fatalf("after the probe: %q %v; want a to answer again", out, err)
	}
}

func TestLocalRateLimitFailsOver(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("a"))
	b := pt.NewScripted("b", "ollama", ok("b"))
	ta := target(a, true)
	ta.Limits = coord.Limits{RequestsPerMinute: 1}
	e := newEnv(t, coord.Config{Targets: []coord.Target{ta, target(b, true)}})
	if out, _, _ := e.chat(t, coord.Request{}); out != "a" {
		t.Fatalf("first request answered by %q", out)
	}
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "b" || outcomes(in) != "a:rate_limited b:ok" {
		t.Fatalf("second request: %q, route %q, %v; want a skipped by its limit", out, outcomes(in), err)
	}
}

func TestSpendCapAndCost(t *testing.T) {
	paid := pt.NewScripted("cloud", "openai", pt.Step{Chunks: []string{"$"}, Usage: providers.Usage{PromptTokens: 1_000_000, CompletionTokens: 100_000}})
	local := pt.NewScripted("local", "ollama", ok("free"))
	prices := pricing.Table{Overrides: map[string]pricing.Price{"cloud/m": {Input: 2, Output: 10}}}
	caps := coord.SpendCaps{DailyUSD: 2.5}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false), target(local, true)}, Prices: prices, Caps: caps})

	_, in, err := e.chat(t, coord.Request{Provider: "cloud"})
	if err != nil || in.CostUSD != 3 { // 1M in × $2 + 0.1M out × $10
		t.Fatalf("cost %v, err %v; want $3", in.CostUSD, err)
	}
	// $3 spent today ≥ $2.50 cap: the paid provider is refused…
	_, _, err = e.chat(t, coord.Request{Provider: "cloud"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "daily spend cap of $2.50") {
		t.Fatalf("over the cap: %v", err)
	}
	// …but local models still answer.
	if out, _, err := e.chat(t, coord.Request{Strategy: coord.RoundRobin}); err != nil || out != "free" {
		t.Fatalf("local after the cap: %q %v", out, err)
	}
}

// A cloud model with no known price is passed over while a cap is set:
// its spending could not be counted. Without a cap it is used.
func TestSpendCapUnknownPrice(t *testing.T) {
	paid := pt.NewScripted("cloud", "openai", ok("priced?"), ok("priced?"))
	local := pt.NewScripted("local", "ollama", ok("free"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false), target(local, true)}, Caps: coord.SpendCaps{MonthlyUSD: 10}})
	_, _, err := e.chat(t, coord.Request{Provider: "cloud"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "no price is known for cloud model m") || !strings.Contains(ue.Msg, `[prices."cloud/m"]`) {
		t.Fatalf("unknown price under a cap: %v", err)
	}
	if out, _, err := e.chat(t, coord.Request{Strategy: coord.RoundRobin}); err != nil || out != "free" {
		t.Fatalf("the local model under a cap: %q %v", out, err)
	}

	e = newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false)}})
	if out, in, err := e.chat(t, coord.Request{Provider: "cloud"}); err != nil || out != "priced?" || in.CostUSD != 0 {
		t.Fatalf("no cap: %q, cost %v, %v", out, in.CostUSD, err)
	}
}

func TestDeadline(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	a := pt.NewScripted("a", "ollama", pt.Step{Block: never})
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}, Deadline: 30 * time.Millisecond})
	_, in, err := e.chat(t, coord.Request{})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "deadline: a (m) had not answered") {
		t.Fatalf("err = %v; want the deadline error naming the provider", err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	if rec.Status != db.StatusError || rec.ErrorKind != "deadline" || strings.Contains(rec.Error, "context deadline") ||
		len(rec.Route) != 1 || rec.Route[0].Error != "no answer within the request's 30ms deadline" {
		t.Fatalf("recorded %+v; want plain words for the deadline", rec)
	}
}

func TestCancelRecordsCancelled(t *testing.T) {
	a := pt.NewScripted("a", "ollama", ok("one", "two", "three"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := e.c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(providers.Chunk) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	if rec.Status != db.StatusCancelled || rec.Response != "one" || rec.Error != "cancelled" || rec.ErrorKind != "cancelled" {
		t.Fatalf("recorded %+v; want cancelled, with what arrived", rec)
	}
}

// An answer cut off before the provider's count arrived is counted by
// estimate, with its cost (a cloud provider bills what it generated), and
// marked so; it records no prompt estimate, so that it does not calibrate
// estimates with itself. One cut off before any text counts nothing.
func TestCutOffAnswerIsCountedByEstimate(t *testing.T) {
	paid := pt.NewScripted("cloud", "openai", ok("a long enough answer ", "that the user stopped"), ok("never"))
	prices := pricing.Table{Overrides: map[string]pricing.Price{"cloud/m": {Input: 2, Output: 10}}}
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(paid, false)}, Prices: prices})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prompt := strings.Repeat("explain this code please ", 20)
	in, err := e.c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: prompt}}},
		func(c providers.Chunk) error {
			if strings.HasPrefix(c.Text, "a long") {
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	wantPrompt := coord.EstimatePrompt("openai", "m", []providers.Message{{Role: providers.RoleUser, Content: prompt}})
	if rec.Status != db.StatusCancelled || rec.PromptTokens != wantPrompt || rec.CompletionTokens <= 0 || rec.CostUSD <= 0 ||
		rec.PromptEstimate != 0 || len(rec.Route) != 1 || !rec.Route[0].Estimated || rec.Route[0].CostUSD != rec.CostUSD {
		t.Fatalf("recorded %+v; want %d prompt tokens and some completion tokens by estimate, their cost, no prompt estimate", rec, wantPrompt)
	}
	if r, err := e.store.PromptTokenRatio(context.Background(), "cloud", "m", 0); err != nil || r != 0 {
		t.Errorf("PromptTokenRatio = %v, %v; want 0: an estimate does not calibrate", r, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	in, _ = e.c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: prompt}}},
		func(providers.Chunk) error { return nil })
	if in != nil {
		rec, _, _ = e.store.Interaction(context.Background(), in.ID)
		if rec.PromptTokens != 0 || rec.CostUSD != 0 {
			t.Errorf("a request cancelled before any text recorded %d tokens, $%v", rec.PromptTokens, rec.CostUSD)
		}
	}
}

// TestOnlyProviderUnreachable: when the one provider the config's tables
// name cannot be reached, the advice is how to reach it — start it at its
// URL, check its base_url — not how to configure a provider, which the
// config did. (Without a config, TestAllUnreachable: how to configure one.)
func TestOnlyProviderUnreachable(t *testing.T) {
	a := pt.NewScripted("gw", "openai-compatible", fail(providers.KindUnavailable))
	a.ModelsErr = &providers.Error{Provider: "gw", Kind: providers.KindUnavailable, Message: "cannot reach gw"}
	for _, local := range []bool{true, false} {
		e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, local)}, MaxAttempts: 1, Hint: "configure a provider", Configured: true})
		_, _, err := e.chat(t, coord.Request{})
		ue := usererr.As(err)
		if ue == nil || !strings.Contains(ue.Msg, "no LLM provider reachable (tried gw: ") || !strings.Contains(ue.Msg, `check the base_url of provider "gw" in the config`) ||
			strings.Contains(ue.Msg, "configure a provider") {
			t.Errorf("local %v: err = %v; want the one provider's advice", local, err)
		}
	}
}

// TestConfiguredProvidersUnreachable: when the several providers the
// config's tables name are all down, each is said with how to reach it.
func TestConfiguredProvidersUnreachable(t *testing.T) {
	var targets []coord.Target
	for _, name := range []string{"gpu", "vllm"} {
		p := pt.NewScripted(name, "openai-compatible", fail(providers.KindUnavailable))
		p.ModelsErr = &providers.Error{Provider: name, Kind: providers.KindUnavailable, Message: "cannot reach " + name}
		targets = append(targets, target(p, false))
	}
	e := newEnv(t, coord.Config{Targets: targets, MaxAttempts: 1, Hint: "configure a provider", Configured: true})
	_, _, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, `gpu: check the base_url of provider "gpu" in the config; vllm: check the base_url of provider "vllm" in the config`) ||
		strings.Contains(ue.Msg, "configure a provider") {
		t.Errorf("err = %v; want each provider's advice", err)
	}
}

// TestRefusedBeforeSentIsNoSpendCap: a provider refused before anything
// is sent, for a reason the user must fix (its key file cannot be read,
// found when its models are listed), is recorded as refused, not as a
// spend cap's refusal, which no cap made.
func TestRefusedBeforeSentIsNoSpendCap(t *testing.T) {
	p := pt.NewScripted("oai", "openai", ok("never"))
	p.ModelsErr = usererr.New("key file /d/secret.key is accessible to other users (mode 0644); restrict it with: chmod 600 /d/secret.key")
	tg := target(p, false)
	tg.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{tg}, MaxAttempts: 1})
	_, in, err := e.chat(t, coord.Request{})
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v; want the key file's refusal", err)
	}
	if in == nil || len(in.Route) != 1 || in.Route[0].Outcome != "refused" {
		t.Fatalf("recorded %+v; want one attempt, refused", in)
	}
}

func TestAllUnreachable(t *testing.T) {
	a := pt.NewScripted("a", "ollama")
	a.ModelsErr = &providers.Error{Provider: "a", Kind: providers.KindUnavailable, Message: "cannot reach a"}
	b := pt.NewScripted("b", "ollama", fail(providers.KindUnavailable))
	ta, tb := target(a, true), target(b, true)
	ta.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{ta, tb}, MaxAttempts: 1})
	_, in, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "no LLM provider reachable") || !strings.Contains(ue.Msg, "cannot reach a") || !strings.Contains(ue.Msg, "configure a provider") {
		t.Fatalf("err = %v", err)
	}
	if in == nil || in.Status != db.StatusError {
		t.Fatalf("b's failed attempt not recorded as an error: %+v", in)
	}
	// Pinned to b, the advice is about b, not how to set up a provider.
	_, _, err = e.chat(t, coord.Request{Provider: "b"})
	ue = usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, `start Ollama at scripted://b, or check the base_url of provider "b"`) || strings.Contains(ue.Msg, "configure a provider") {
		t.Fatalf("pinned: err = %v; want advice about b", err)
	}
}

// TestClusterWideRateLimit: with three live nodes, a limit of 6 requests a
// minute gives this node 2 (a burst of 2, then one every 30 s); with one
// node left, the whole limit is this node's again (one every 10 s).
func TestClusterWideRateLimit(t *testing.T) {
	a := pt.NewScripted("a", "openai", ok("a"), ok("a"), ok("a"))
	ta := target(a, false)
	ta.Limits = coord.Limits{RequestsPerMinute: 6}
	nodes := 3
	e := newEnv(t, coord.Config{Targets: []coord.Target{ta}, Nodes: func(string) int { return nodes }})
	for i := range 2 {
		if out, _, err := e.chat(t, coord.Request{Provider: "a"}); err != nil || out != "a" {
			t.Fatalf("request %d: %q %v", i, out, err)
		}
	}
	wait := func() time.Duration {
		_, _, err := e.chat(t, coord.Request{Provider: "a"})
		var pe *providers.Error
		if !errors.As(err, &pe) || pe.Kind != providers.KindRateLimited {
			t.Fatalf("want a local rate limit, got %v", err)
		}
		// The limit quoted is the one that held the request back.
		if share := strings.Contains(pe.Message, "this node's share of the rate limit (1/3 of 6 req/min: 3 nodes use a)"); share != (nodes == 3) {
			t.Errorf("with %d nodes: %q", nodes, pe.Message)
		}
		return pe.RetryAfter
	}
	if d := wait(); d < 25*time.Second {
		t.Errorf("with 3 nodes the next request waits %s; want ~30 s (2 a minute)", d)
	}
	nodes = 1
	if d := wait(); d > 11*time.Second {
		t.Errorf("with 1 node the next request waits %s; want ≤ 10 s (6 a minute)", d)
	}
}

// TestAllFailingServersAreNotUnreachable: servers that answer 500 are
// running: the error says what they said, with no advice on starting one.
func TestAllFailingServersAreNotUnreachable(t *testing.T) {
	a := pt.NewScripted("a", "ollama")
	a.ModelsErr = &providers.Error{Provider: "a", Kind: providers.KindUnavailable, StatusCode: 500, Message: "model requires more system memory"}
	b := pt.NewScripted("b", "ollama", fail(providers.KindUnavailable))
	ta, tb := target(a, true), target(b, true)
	ta.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{ta, tb}, MaxAttempts: 1, Hint: "start Ollama"})
	_, _, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "no LLM provider could answer") || strings.Contains(ue.Msg, "start Ollama") ||
		!strings.Contains(ue.Msg, "model requires more system memory") {
		t.Fatalf("err = %v", err)
	}
}
