package app_test

import (
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// TestCostUnknown: a request recorded at $0 after using tokens was free
// when its provider is local or its model priced at zero; otherwise its
// cost is unknown, also for a model priced since it was made.
func TestCostUnknown(t *testing.T) {
	f := app.File{
		Providers: map[string]app.ProviderConfig{
			"oa":      {Kind: "openai"},
			"local":   {Kind: "ollama"},
			"studio":  {Kind: "lmstudio"},
			"vllm":    {Kind: "openai-compatible", BaseURL: "http://127.0.0.1:8000/v1"},
			"router":  {Kind: "openai-compatible", BaseURL: "https://openrouter.ai/api/v1"},
			"claude":  {Kind: "anthropic"},
			"ollama":  {},
			"free-oa": {Kind: "openai"},
		},
		Prices: map[string]pricing.Price{"free-oa/gpt-9": {}, "router/priced": {Input: 1, Output: 2}},
	}
	tests := []struct {
		provider, model string
		want            bool
	}{
		{"oa", "gpt-9", true},            // no price known
		{"oa", "gpt-4o-mini", true},      // priced now, recorded at $0: before it was
		{"free-oa", "gpt-9", false},      // priced at zero
		{"local", "tiny:latest", false},  // Ollama
		{"ollama", "tiny:latest", false}, // named for its kind
		{"studio", "qwen", false},        // LM Studio
		{"vllm", "llama", false},         // a compatible server on loopback
		{"router", "llama", true},        // … and one in the cloud
		{"router", "priced", true},
		{"claude", "claude-sonnet-4-5-20250929", true},
		{"node-b/ollama", "tiny:latest", false}, // another node's local server
		{"gone", "x", true},                     // no longer configured, no kind by its name
	}
	for _, tt := range tests {
		if got := app.CostUnknown(f, tt.provider, tt.model); got != tt.want {
			t.Errorf("CostUnknown(%s, %s) = %v; want %v", tt.provider, tt.model, got, tt.want)
		}
	}

	rows := []app.UsageRow{
		{Provider: "oa", Model: "gpt-9", Requests: 3, Uncharged: 2},
		{Provider: "local", Model: "tiny:latest", Requests: 4, Uncharged: 4},
		{Provider: "oa", Model: "gpt-4o-mini", Requests: 1, CostUSD: 0.01},
	}
	app.MarkUnpriced(f, rows)
	if got := []int{rows[0].Unpriced, rows[1].Unpriced, rows[2].Unpriced}; !slices.Equal(got, []int{2, 0, 0}) {
		t.Errorf("MarkUnpriced: unpriced %v; want [2 0 0]", got)
	}
}

// TestIgnoredPrices: a price given to a local provider's model, or to a
// model name only local models have, is listed; one a cloud model uses is
// not.
func TestIgnoredPrices(t *testing.T) {
	p := pricing.Price{Input: 1, Output: 1}
	f := app.File{
		Providers: map[string]app.ProviderConfig{"local": {Kind: "ollama"}, "oa": {Kind: "openai"}},
		Prices: map[string]pricing.Price{
			"local/tiny:latest": p, "local/not-listed": p, "oa/gpt-9": p,
			"tiny:latest": p, "shared": p, "meta-llama/llama-3": p,
		},
	}
	models := []app.ModelInfo{
		{Provider: "local", Model: "tiny:latest", Local: true},
		{Provider: "local", Model: "shared", Local: true},
		{Provider: "oa", Model: "shared"},
		{Provider: "oa", Model: "gpt-9"},
	}
	want := []string{"local/not-listed", "local/tiny:latest", "tiny:latest"}
	if got := app.IgnoredPrices(f, models); !slices.Equal(got, want) {
		t.Errorf("IgnoredPrices = %q; want %q", got, want)
	}
	// Without providers configured, Ollama's are local.
	if got := app.IgnoredPrices(app.File{Prices: map[string]pricing.Price{"ollama/tiny": p, "openai/gpt-9": p}}, nil); !slices.Equal(got, []string{"ollama/tiny"}) {
		t.Errorf("IgnoredPrices without providers = %q", got)
	}
}

// TestCostUnknownAsRecorded: whether a request's cost is unknown is what
// was recorded, whatever the configuration says when it is read; a request
// recorded before that was kept is judged by the configuration. Usage adds
// those judged so to those recorded so.
func TestCostUnknownAsRecorded(t *testing.T) {
	none := app.File{} // the provider is no longer configured
	priced := app.File{Prices: map[string]pricing.Price{"fake/m": {Input: 1, Output: 1}}}
	yes, no := true, false
	tests := []struct {
		recorded *bool
		f        app.File
		want     bool
	}{
		{&yes, priced, true}, // priced since: still not what it cost
		{&no, none, false},   // known (free) when recorded, whatever is configured now
		{nil, none, true},    // before it was recorded: judged by the name
		{nil, app.File{Providers: map[string]app.ProviderConfig{"fake": {Kind: "ollama"}}}, false},
	}
	for i, tt := range tests {
		in := app.Interaction{Provider: "fake", Model: "m", PromptTokens: 10, CompletionTokens: 2, CostUnknown: tt.recorded}
		if got := app.InteractionCostUnknown(tt.f, &in); got != tt.want {
			t.Errorf("%d: InteractionCostUnknown = %v; want %v", i, got, tt.want)
		}
	}
	rows := []app.UsageRow{{Provider: "fake", Model: "m", Uncharged: 2, Unpriced: 3}}
	app.MarkUnpriced(none, rows)
	if rows[0].Unpriced != 5 {
		t.Errorf("MarkUnpriced: %d unpriced; want 3 recorded so + 2 judged so", rows[0].Unpriced)
	}
}
