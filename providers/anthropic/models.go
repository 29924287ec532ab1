package anthropic

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// Models lists the models the API key may use (the active and deprecated
// ones), newest first, following the API's pages. ContextWindow is what the
// API reports as max_input_tokens, else the approximate figure of
// knownLimits; ModifiedAt is the model's release date.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	if p.refuse {
		return nil, providers.NoKeyError(p.name, p.noKey)
	}
	var ms []providers.Model
	q := url.Values{"limit": {"1000"}}
	for {
		var page modelPage
		if err := p.getJSON(ctx, pathModels+"?"+q.Encode(), &page); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("anthropic: list models: %w", ctx.Err())
			}
			// A refused key says what to change, as a chat's does: the
			// listing is often the first request a provider gets.
			pe := mapError(p.name, p.endpoint, err, time.Now())
			if ae, ok := pe.Err.(*APIError); ok {
				p.adviseKey(pe, ae)
			}
			return nil, p.scrub(pe)
		}
		if after := q.Get("after_id"); after != "" && page.LastID == after {
			// Not the page after it: a server that does not page.
			return ms, nil
		}
		for _, m := range page.Data {
			ms = append(ms, toModel(m))
		}
		// The last page says so; an empty page, or one that names no last
		// model, ends the list too.
		if len(page.Data) == 0 || page.HasMore != nil && !*page.HasMore || page.LastID == "" {
			return ms, nil
		}
		q.Set("after_id", page.LastID)
	}
}

// getJSON gets path and decodes its JSON answer into out; see tolerated
// for what it forgives.
func (p *Provider) getJSON(ctx context.Context, path string, out any) error {
	_, err := p.client.JSON(ctx, http.MethodGet, path, nil, out)
	return tolerated(err)
}

// toModel converts one entry of the API's model list.
func toModel(m modelInfo) providers.Model {
	pm := providers.Model{Name: m.ID}
	if t, err := time.Parse(time.RFC3339, m.CreatedAt); err == nil {
		pm.ModifiedAt = t
	}
	if m.MaxInputTokens > 0 {
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
