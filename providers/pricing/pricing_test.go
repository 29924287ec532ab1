package pricing

import (
	"math"
	"testing"
)

func TestLookup(t *testing.T) {
	tab := Table{Overrides: map[string]Price{
		"work/gpt-4o": {Input: 1, Output: 2},
		"my-model":    {Input: 7, Output: 7},
	}}
	tests := []struct {
		name, kind, model string
		want              Price
		ok                bool
	}{
		{"openai", "openai", "gpt-4o-mini-2024-07-18", builtin["openai"]["gpt-4o-mini"], true},
		{"openai", "openai", "gpt-4o-2024-11-20", builtin["openai"]["gpt-4o"], true},
		{"work", "openai", "gpt-4o", Price{Input: 1, Output: 2}, true},
		{"x", "ollama", "my-model", Price{Input: 7, Output: 7}, true},
		{"anthropic", "anthropic", "claude-sonnet-4-20250514", builtin["anthropic"]["claude-sonnet-4"], true},
		{"ollama", "ollama", "llama3", Price{}, false},
	}
	for _, tt := range tests {
		got, ok := tab.Lookup(tt.name, tt.kind, tt.model)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%s, %s, %s) = %+v, %v; want %+v, %v", tt.name, tt.kind, tt.model, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCost(t *testing.T) {
	p := Price{Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75}
	// 1M prompt tokens of which 400k read from cache and 100k written; 200k out.
	got := p.Cost(Usage{Prompt: 1_000_000, CacheRead: 400_000, CacheWrite: 100_000, Completion: 200_000})
	want := 0.5*3 + 0.4*0.30 + 0.1*3.75 + 0.2*15
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("Cost = %v; want %v", got, want)
	}
	if c := (Price{Input: 1, Output: 2}).Cost(Usage{Prompt: 10, CacheRead: 10}); c != 10.0/1e6 {
		t.Fatalf("cache price defaults to input price: %v", c)
	}
}
