package coord_test

import (
	"context"
	"math"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/pricing"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// anthropicTarget is a paid target on a fake Anthropic, priced at $3 per
// million input tokens and $15 per million output tokens.
func anthropicTarget(t *testing.T, opts ...pt.Option) (coord.Target, pricing.Table) {
	t.Helper()
	fake := pt.NewAnthropic(t, opts...)
	p, err := anthropic.New(anthropic.Config{Name: "claude", BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	prices := pricing.Table{Overrides: map[string]pricing.Price{"claude/" + pt.AnthropicDefaultModel: {Input: 3, Output: 15}}}
	return coord.Target{Provider: p, Model: pt.AnthropicDefaultModel}, prices
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestFailedAttemptUsageIsRecorded: a stream that breaks after its first
// tokens was billed for its prompt (Anthropic reports the input tokens in
// message_start): the interrupted request records them, with their cost,
// and the spend caps see it.
func TestFailedAttemptUsageIsRecorded(t *testing.T) {
	tgt, prices := anthropicTarget(t, pt.WithUsage(5000, 40), pt.WithBrokenStream(2))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}, Prices: prices})
	_, in, err := e.chat(t, coord.Request{})
	if err == nil {
		t.Fatal("a broken stream succeeded")
	}
	ctx := context.Background()
	rec, _, _ := e.store.Interaction(ctx, in.ID)
	// message_start counts 5000 input tokens and the first output token.
	want := (5000*3 + 1*15) / 1e6
	if rec.Status != db.StatusInterrupted || rec.PromptTokens != 5000 || rec.CompletionTokens != 1 || !near(rec.CostUSD, want) {
		t.Fatalf("recorded status %s, prompt %d, completion %d, cost %v; want interrupted, 5000, 1, %v",
			rec.Status, rec.PromptTokens, rec.CompletionTokens, rec.CostUSD, want)
	}
	if spent, err := e.store.SpentSince(ctx, in.StartedAt); err != nil || !near(spent, want) {
		t.Fatalf("SpentSince = %v, %v; want %v", spent, err, want)
	}
}

// TestRetriedAttemptsCostAddsUp: each attempt that broke off before any
// token was billed for its prompt; the request's cost is the sum, each
// attempt keeps its own, and the tokens are those of the last attempt (what
// the prompt estimate is compared with).
func TestRetriedAttemptsCostAddsUp(t *testing.T) {
	tgt, prices := anthropicTarget(t, pt.WithUsage(5000, 40), pt.WithBrokenStream(0))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}, Prices: prices, MaxAttempts: 2})
	_, in, err := e.chat(t, coord.Request{})
	if err == nil {
		t.Fatal("a broken stream succeeded")
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	one := (5000*3 + 1*15) / 1e6
	if outcomes(&rec) != "claude:interrupted claude:interrupted" || rec.Status != db.StatusError {
		t.Fatalf("route %q, status %s; want two interrupted attempts, error", outcomes(&rec), rec.Status)
	}
	if !near(rec.CostUSD, 2*one) || rec.PromptTokens != 5000 {
		t.Fatalf("cost %v, prompt tokens %d; want %v and 5000", rec.CostUSD, rec.PromptTokens, 2*one)
	}
	for i, a := range rec.Route {
		if a.PromptTokens != 5000 || !near(a.CostUSD, one) {
			t.Errorf("attempt %d: prompt %d, cost %v; want 5000, %v", i, a.PromptTokens, a.CostUSD, one)
		}
	}
}

// aliasing answers as a provider that serves a model alias with a dated
// model ID, as Anthropic answers claude-sonnet-4-5 with
// claude-sonnet-4-5-20250929.
type aliasing struct {
	*pt.Scripted
	served string
}

func (a aliasing) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res, err := a.Scripted.Chat(ctx, req, fn)
	res.Model = a.served
	return res, err
}

// TestPromptTokenRatioOfAliasedModel: the context builder asks for the
// ratio of the model it planned (the configured alias); the request was
// answered by a dated model, and the ratio is found all the same.
func TestPromptTokenRatioOfAliasedModel(t *testing.T) {
	const alias, dated = "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"
	p := aliasing{pt.NewScripted("claude", "anthropic", pt.Step{Chunks: []string{"x"}, Usage: providers.Usage{PromptTokens: 300, CompletionTokens: 1}}), dated}
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: alias}}})
	msgs := []providers.Message{{Role: providers.RoleUser, Content: "the question, in a few words"}}
	_, in, err := e.chat(t, coord.Request{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec, _, _ := e.store.Interaction(ctx, in.ID)
	if rec.Model != dated || rec.RequestedModel != alias || rec.PromptTokens != 300 {
		t.Fatalf("recorded model %q, requested %q, prompt tokens %d; want %q, %q, 300", rec.Model, rec.RequestedModel, rec.PromptTokens, dated, alias)
	}

	tgt, model, err := e.c.Plan(ctx, coord.Request{Messages: msgs})
	if err != nil || model != alias {
		t.Fatalf("Plan = %q, %v; want %q", model, err, alias)
	}
	want := 300 / float64(coord.EstimatePrompt("anthropic", alias, msgs))
	for _, m := range []string{alias, dated} {
		r, err := e.store.PromptTokenRatio(ctx, tgt.Provider.Name(), m)
		if err != nil || !near(r, want) {
			t.Errorf("PromptTokenRatio(%q) = %v, %v; want %v", m, r, err, want)
		}
	}
}
