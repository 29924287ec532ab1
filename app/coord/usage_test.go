package coord_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/openai"
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
// message_start) and for what it generated (message_start counts only the
// first output token; the rest is estimated from the text that arrived):
// the interrupted request records them, with their cost, and the spend
// caps see it.
func TestFailedAttemptUsageIsRecorded(t *testing.T) {
	tgt, prices := anthropicTarget(t, pt.WithUsage(5000, 40), pt.WithBrokenStream(2))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}, Prices: prices})
	_, in, err := e.chat(t, coord.Request{})
	if err == nil {
		t.Fatal("a broken stream succeeded")
	}
	ctx := context.Background()
	rec, _, _ := e.store.Interaction(ctx, in.ID)
	// message_start counts 5000 input tokens and the first output token;
	// two chunks of text arrived.
	want := (5000*3 + float64(rec.CompletionTokens)*15) / 1e6
	if rec.Status != db.StatusInterrupted || rec.PromptTokens != 5000 || rec.CompletionTokens < 2 || !near(rec.CostUSD, want) ||
		len(rec.Route) != 1 || !rec.Route[0].Estimated {
		t.Fatalf("recorded status %s, prompt %d, completion %d, cost %v, route %+v; want interrupted, 5000, 2 or more (estimated), %v",
			rec.Status, rec.PromptTokens, rec.CompletionTokens, rec.CostUSD, rec.Route, want)
	}
	if spent, err := e.store.SpentSince(ctx, in.StartedAt); err != nil || !near(spent, want) {
		t.Fatalf("SpentSince = %v, %v; want %v", spent, err, want)
	}
}

// TestRetriedAttemptsCostAddsUp: each attempt that broke off before any
// token was billed for its prompt; each attempt keeps its own tokens and
// cost, and the request's tokens and cost are both their sums. The prompt
// estimate covers the same attempts, so the ratio the context builder
// learns from is one prompt's, not two.
func TestRetriedAttemptsCostAddsUp(t *testing.T) {
	tgt, prices := anthropicTarget(t, pt.WithUsage(5000, 40), pt.WithBrokenStream(0))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}, Prices: prices, MaxAttempts: 2})
	msgs := []providers.Message{{Role: providers.RoleUser, Content: "the question, in a few words"}}
	_, in, err := e.chat(t, coord.Request{Messages: msgs})
	if err == nil {
		t.Fatal("a broken stream succeeded")
	}
	ctx := context.Background()
	rec, _, _ := e.store.Interaction(ctx, in.ID)
	one := (5000*3 + 1*15) / 1e6
	if outcomes(&rec) != "claude:interrupted claude:interrupted" || rec.Status != db.StatusError {
		t.Fatalf("route %q, status %s; want two interrupted attempts, error", outcomes(&rec), rec.Status)
	}
	if !near(rec.CostUSD, 2*one) || rec.PromptTokens != 2*5000 || rec.CompletionTokens != 2*1 {
		t.Fatalf("cost %v, tokens %d+%d; want %v and %d+%d", rec.CostUSD, rec.PromptTokens, rec.CompletionTokens, 2*one, 2*5000, 2*1)
	}
	var sumPrompt, sumCompletion int
	var sumCost float64
	for i, a := range rec.Route {
		if a.PromptTokens != 5000 || !near(a.CostUSD, one) {
			t.Errorf("attempt %d: prompt %d, cost %v; want 5000, %v", i, a.PromptTokens, a.CostUSD, one)
		}
		sumPrompt, sumCompletion, sumCost = sumPrompt+a.PromptTokens, sumCompletion+a.CompletionTokens, sumCost+a.CostUSD
	}
	if sumPrompt != rec.PromptTokens || sumCompletion != rec.CompletionTokens || !near(sumCost, rec.CostUSD) {
		t.Errorf("attempts sum to %d+%d tokens, $%v; the request says %d+%d, $%v",
			sumPrompt, sumCompletion, sumCost, rec.PromptTokens, rec.CompletionTokens, rec.CostUSD)
	}
	est := coord.EstimatePrompt("anthropic", pt.AnthropicDefaultModel, msgs)
	if in.PromptEstimate != 2*est {
		t.Errorf("prompt estimate %d; want %d (two prompts of %d)", in.PromptEstimate, 2*est, est)
	}
	if r, err := e.store.PromptTokenRatio(ctx, "claude", pt.AnthropicDefaultModel, 0); err != nil || !near(r, 5000/float64(est)) {
		t.Errorf("PromptTokenRatio = %v, %v; want one prompt's %v", r, err, 5000/float64(est))
	}
	// `aiex usage` sums the requests' figures: the same as the attempts'.
	rows, err := e.store.Usage(ctx, in.StartedAt)
	if err != nil || len(rows) != 1 || rows[0].PromptTokens != 2*5000 || !near(rows[0].CostUSD, 2*one) {
		t.Errorf("usage %+v, %v; want 10000 prompt tokens, $%v", rows, err, 2*one)
	}
}

// TestFailoverUsageAddsUp: a request billed by one provider and answered
// by another counts both attempts' tokens, as its cost does; with the
// tokens of two models in it, it teaches the answering model's token ratio
// nothing.
func TestFailoverUsageAddsUp(t *testing.T) {
	tgt, prices := anthropicTarget(t, pt.WithUsage(5000, 40), pt.WithBrokenStream(0))
	local := pt.NewScripted("local", "ollama", pt.Step{Chunks: []string{"x"}, Usage: providers.Usage{PromptTokens: 300, CompletionTokens: 7}})
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt, target(local, true)}, Prices: prices, MaxAttempts: 1,
		Strategy: coord.RoundRobin})
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "x" {
		t.Fatalf("%q, %v; want local to answer", out, err)
	}
	ctx := context.Background()
	rec, _, _ := e.store.Interaction(ctx, in.ID)
	one := (5000*3 + 1*15) / 1e6
	if outcomes(&rec) != "claude:interrupted local:ok" || rec.PromptTokens != 5300 || rec.CompletionTokens != 8 || !near(rec.CostUSD, one) {
		t.Fatalf("route %q, tokens %d+%d, cost %v; want claude then local, 5300+8, %v",
			outcomes(&rec), rec.PromptTokens, rec.CompletionTokens, rec.CostUSD, one)
	}
	if r, err := e.store.PromptTokenRatio(ctx, "local", "m", 0); err != nil || r != 0 {
		t.Errorf("PromptTokenRatio(local) = %v, %v; want 0: the request's tokens are two models'", r, err)
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
		r, err := e.store.PromptTokenRatio(ctx, tgt.Provider.Name(), m, 0)
		if err != nil || !near(r, want) {
			t.Errorf("PromptTokenRatio(%q) = %v, %v; want %v", m, r, err, want)
		}
	}
}

// TestAnswerWithoutUsageIsCountedByEstimate: an answer that ends well but
// with no token count (an OpenAI-compatible gateway that drops the usage
// chunk) is counted by estimate, with its cost, marked so, and calibrates
// nothing; the spend caps then see it, so a paid provider that never
// reports usage still reaches its cap.
func TestAnswerWithoutUsageIsCountedByEstimate(t *testing.T) {
	fake := pt.NewOpenAI(t, pt.WithoutUsage(), pt.WithReply("a reply long enough ", "to be worth counting"))
	p, err := openai.New(openai.Config{Name: "gw", Kind: openai.KindCompatible, BaseURL: fake.URL(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	prices := pricing.Table{Overrides: map[string]pricing.Price{"gw/" + pt.DefaultOpenAIModel: {Input: 2, Output: 10}}}
	tgt := coord.Target{Provider: p, Model: pt.DefaultOpenAIModel}
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}, Prices: prices, Caps: coord.SpendCaps{DailyUSD: 0.00001}})

	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out == "" {
		t.Fatalf("%q, %v", out, err)
	}
	rec, _, _ := e.store.Interaction(context.Background(), in.ID)
	if rec.PromptTokens <= 0 || rec.CompletionTokens <= 0 || rec.CostUSD <= 0 || rec.PromptEstimate != 0 ||
		len(rec.Route) != 1 || !rec.Route[0].Estimated || !near(rec.Route[0].CostUSD, rec.CostUSD) {
		t.Fatalf("recorded %+v; want tokens and cost by estimate, marked so, and no prompt estimate", rec)
	}
	_, _, err = e.chat(t, coord.Request{})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "daily spend cap") {
		t.Fatalf("after the estimated spending: %v; want the daily cap to refuse", err)
	}
}
