package anthropic

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/aiex-dev/aiex/providers"
)

// Models lists the models the API key may use (the active and deprecated
// ones), newest first, following the API's pages. ContextWindow is what the
// API reports as max_input_tokens, else the approximate figure of
// knownLimits; ModifiedAt is the model's release date.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	pager := p.client.Models.ListAutoPaging(ctx, anthropic.ModelListParams{Limit: anthropic.Int(1000)})
	var ms []providers.Model
	for pager.Next() {
		ms = append(ms, toModel(pager.Current()))
	}
	if err := pager.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("anthropic: list models: %w", ctx.Err())
		}
		return nil, p.scrub(mapError(p.name, p.endpoint, err, time.Now()))
	}
	return ms, nil
}

// toModel converts one entry of the API's model list.
func toModel(m anthropic.ModelInfo) providers.Model {
	pm := providers.Model{Name: m.ID, ModifiedAt: m.CreatedAt}
	if m.JSON.MaxInputTokens.Valid() && m.MaxInputTokens > 0 {
		pm.ContextWindow = int(m.MaxInputTokens)
	} else {
		pm.ContextWindow = knownLimits(m.ID).context
	}
	return pm
}

// limits are a model's context window and most output tokens.
type limits struct{ context, output int }

// knownLimits returns the limits of a well-known Claude model by the longest
// prefix of its name in the table, or zeros. The figures come from
// Anthropic's model pages and are approximate: a model family's members
// differ, and some offer larger windows behind a beta header. The Models API
// reports the exact input window of each model, which Models prefers.
func knownLimits(model string) limits {
	var (
		best  string
		found limits
	)
	for _, k := range [...]struct {
		prefix string
		limits
	}{
		{"claude-3-haiku", limits{200_000, 4_096}},
		{"claude-3-opus", limits{200_000, 4_096}},
		{"claude-3-5-haiku", limits{200_000, 8_192}},
		{"claude-3-5-sonnet", limits{200_000, 8_192}},
		{"claude-3-7-sonnet", limits{200_000, 64_000}},
		{"claude-haiku-4", limits{200_000, 64_000}},
		{"claude-sonnet-4", limits{200_000, 64_000}},
		{"claude-opus-4", limits{200_000, 32_000}},
		{"claude-opus-4-5", limits{200_000, 64_000}},
		{"claude-opus-4-6", limits{1_000_000, 128_000}},
		{"claude-sonnet-5", limits{1_000_000, 128_000}},
		{"claude-opus-5", limits{1_000_000, 128_000}},
		{"claude-fable-5", limits{1_000_000, 128_000}},
	} {
		if strings.HasPrefix(model, k.prefix) && len(k.prefix) > len(best) {
			best, found = k.prefix, k.limits
		}
	}
	return found
}

// max_tokens when the request sets none: the model's most output tokens up
// to maxTokensCap, or fallbackMaxTokens for a model not in knownLimits
// (every current Claude model writes at least that many).
const (
	maxTokensCap      = 32_000
	fallbackMaxTokens = 8_192
)

// defaultMaxTokens is max_tokens for a request to model that sets none.
// The cap keeps long answers possible without asking for the 128k some
// models allow.
func defaultMaxTokens(model string) int {
	if out := knownLimits(model).output; out > 0 {
		return min(out, maxTokensCap)
	}
	return fallbackMaxTokens
}
