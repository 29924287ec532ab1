package coord_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	"github.com/aiex-dev/aiex/providers/pricing"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// pricedOpenAI is a target named "oa" on fake, serving gpt-4o-mini, with
// the price table that prices it at $2 per million input tokens.
func pricedOpenAI(t *testing.T, fake *pt.OpenAI) (coord.Target, pricing.Table) {
	t.Helper()
	p, err := openai.New(openai.Config{Name: "oa", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	prices := pricing.Table{Overrides: map[string]pricing.Price{"oa/gpt-4o-mini": {Input: 2, Output: 10}}}
	return coord.Target{Provider: p, Model: "gpt-4o-mini"}, prices
}

// TestStoppedPromptIsCharged: a request whose prompt went out to a paid
// provider and that ended before the provider counted anything — the user
// cancelled before the first token, the attempt was given up on for want
// of one and the request failed over, a pinned request reached its
// deadline — was billed for its prompt: it is charged its prompt's
// estimate (tokens and cost), as a request whose process was killed is
// (db.InterruptRunningStmt). One that never reached the provider
// (refused connection) or that the provider refused with an HTTP error is
// not; nor is a local server's.
func TestStoppedPromptIsCharged(t *testing.T) {
	msgs := []providers.Message{{Role: providers.RoleUser, Content: "please explain goroutines vs threads"}}
	est := coord.EstimatePrompt("openai", "gpt-4o-mini", msgs)
	wantCost := float64(est) * 2 / 1e6

	for _, tc := range []struct {
		name string
		// run sends the request and returns it as recorded, and the
		// route entry of the attempt on oa.
		run     func(t *testing.T) (*db.Interaction, db.Attempt)
		charged bool
	}{
		{"cancelled before the first token", func(t *testing.T) (*db.Interaction, db.Attempt) {
			release := make(chan struct{})
			defer close(release)
			fake := pt.NewOpenAI(t, pt.WithPause(0, release))
			oa, prices := pricedOpenAI(t, fake)
			e := newEnv(t, coord.Config{Targets: []coord.Target{oa}, Prices: prices})
			return cancelledAt(t, e, msgs, fake.Paused())
		}, true},
		{"given up for want of a first token", func(t *testing.T) (*db.Interaction, db.Attempt) {
			oa, prices := pricedOpenAI(t, pt.NewOpenAI(t, pt.WithOpenAILatency(time.Hour)))
			lm := pt.NewScripted("lm", "lmstudio", pt.Step{Chunks: []string{"x"}, Usage: providers.Usage{PromptTokens: 7, CompletionTokens: 1}})
			e := newEnv(t, coord.Config{Preferred: "oa", FirstToken: 100 * time.Millisecond, Prices: prices,
				Targets: []coord.Target{target(lm, true), oa}})
			_, in, err := e.chat(t, coord.Request{Messages: msgs})
			if err != nil || outcomes(in) != "oa:unavailable lm:ok" {
				t.Fatalf("route %q, %v; want a failover from oa to lm", outcomes(in), err)
			}
			rec := record(t, e, in)
			if rec.PromptTokens != est+7 {
				t.Errorf("recorded %d prompt tokens; want oa's estimate %d and lm's 7", rec.PromptTokens, est)
			}
			return rec, rec.Route[0]
		}, true},
		{"pinned, at its deadline", func(t *testing.T) (*db.Interaction, db.Attempt) {
			oa, prices := pricedOpenAI(t, pt.NewOpenAI(t, pt.WithOpenAILatency(time.Hour)))
			e := newEnv(t, coord.Config{Deadline: 200 * time.Millisecond, Targets: []coord.Target{oa}, Prices: prices})
			_, in, err := e.chat(t, coord.Request{Messages: msgs, Provider: "oa"})
			if err == nil || in == nil {
				t.Fatalf("err = %v, interaction %v; want the deadline, recorded", err, in)
			}
			return record(t, e, in), in.Route[0]
		}, true},
		{"refused with an HTTP error", func(t *testing.T) (*db.Interaction, db.Attempt) {
			oa, prices := pricedOpenAI(t, pt.NewOpenAI(t, pt.WithStatus(500, "boom")))
			e := newEnv(t, coord.Config{Targets: []coord.Target{oa}, Prices: prices, MaxAttempts: 1})
			_, in, err := e.chat(t, coord.Request{Messages: msgs})
			if err == nil || in == nil {
				t.Fatalf("err = %v, interaction %v; want a failure, recorded", err, in)
			}
			return record(t, e, in), in.Route[0]
		}, false},
		{"not reached", func(t *testing.T) (*db.Interaction, db.Attempt) {
			p, err := openai.New(openai.Config{Name: "oa", BaseURL: pt.Unreachable(t) + "/v1", APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			prices := pricing.Table{Overrides: map[string]pricing.Price{"oa/gpt-4o-mini": {Input: 2, Output: 10}}}
			e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: "gpt-4o-mini"}}, Prices: prices, MaxAttempts: 1})
			_, in, err := e.chat(t, coord.Request{Messages: msgs})
			if err == nil || in == nil {
				t.Fatalf("err = %v, interaction %v; want a failure, recorded", err, in)
			}
			return record(t, e, in), in.Route[0]
		}, false},
		{"local, cancelled before the first token", func(t *testing.T) (*db.Interaction, db.Attempt) {
			release := make(chan struct{})
			defer close(release)
			fake := pt.NewOllama(t, pt.WithPause(0, release))
			p, err := ollama.New(ollama.Config{Name: "oa", BaseURL: fake.URL()})
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: "tiny", Local: true}}})
			return cancelledAt(t, e, msgs, fake.Paused())
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, a := tc.run(t)
			if a.Provider != "oa" {
				t.Fatalf("route %+v; want oa's attempt first", rec.Route)
			}
			if !tc.charged {
				if a.PromptTokens != 0 || a.CostUSD != 0 || rec.CostUSD != 0 {
					t.Errorf("%s: attempt %+v, request $%v; want nothing charged", rec.Status, a, rec.CostUSD)
				}
				return
			}
			if a.PromptTokens != est || !near(a.CostUSD, wantCost) || !a.Estimated {
				t.Errorf("attempt %+v; want its prompt's estimate, %d tokens at $%v, marked estimated", a, est, wantCost)
			}
			if !near(rec.CostUSD, wantCost) || (rec.CostUnknown != nil && *rec.CostUnknown) {
				t.Errorf("%s request cost $%v (unknown %v); want $%v", rec.Status, rec.CostUSD, rec.CostUnknown != nil && *rec.CostUnknown, wantCost)
			}
		})
	}
}

// record is in as the store has it.
func record(t *testing.T, e env, in *db.Interaction) *db.Interaction {
	t.Helper()
	rec, ok, err := e.store.Interaction(context.Background(), in.ID)
	if err != nil || !ok {
		t.Fatalf("interaction %s: %v, found %v", in.ID, err, ok)
	}
	return &rec
}

// cancelledAt sends msgs through e, cancels the request once paused is
// ready (the fake server holds its answer back), and returns the request
// as recorded, with its first attempt.
func cancelledAt(t *testing.T, e env, msgs []providers.Message, paused <-chan struct{}) (*db.Interaction, db.Attempt) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-paused
		cancel()
	}()
	in, err := e.c.Chat(ctx, coord.Request{Messages: msgs}, func(providers.Chunk) error { return nil })
	cancel()
	if in == nil {
		t.Fatalf("no interaction (err %v)", err)
	}
	return record(t, e, in), in.Route[0]
}
