package app_test

import (
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// TestLocalSettingPrices: a provider's local setting decides whether it is
// charged, over what its address suggests: a gateway on loopback marked
// local = false is priced (its price is no ignored entry, and a request
// recorded at $0 has an unknown cost), and a server elsewhere marked
// local = true is not.
func TestLocalSettingPrices(t *testing.T) {
	no, yes := false, true
	f := app.File{
		Providers: map[string]app.ProviderConfig{
			"gw":  {Kind: "openai-compatible", BaseURL: "http://127.0.0.1:4000/v1", Local: &no},
			"gpu": {Kind: "openai-compatible", BaseURL: "http://10.0.0.5:8000/v1", Local: &yes},
		},
		Prices: map[string]pricing.Price{"gw/gpt-4o": {Input: 2.5, Output: 10}, "gpu/llama": {Input: 1, Output: 1}},
	}
	if got := app.IgnoredPrices(f, nil); !slices.Equal(got, []string{"gpu/llama"}) {
		t.Errorf("IgnoredPrices = %v; want [gpu/llama]: gw is marked local = false", got)
	}
	if !app.CostUnknown(f, "gw", "some-model") {
		t.Error("CostUnknown(gw) = false; want true: gw is marked local = false and the model has no price")
	}
	if app.CostUnknown(f, "gpu", "some-model") {
		t.Error("CostUnknown(gpu) = true; want false: gpu is marked local = true")
	}
}
