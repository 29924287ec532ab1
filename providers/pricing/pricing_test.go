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

// TestVariantsHaveTheirOwnPrice checks models whose names start with another
// model's name: each has its own price, or an unknown one, never the price of
// the model it is named after.
func TestVariantsHaveTheirOwnPrice(t *testing.T) {
	tab := Table{}
	tests := []struct {
		kind, model string
		want        Price
		ok          bool
	}{
		{"openai", "o3", Price{Input: 2, Output: 8, CacheRead: 0.50}, true},
		{"openai", "o3-2025-04-16", Price{Input: 2, Output: 8, CacheRead: 0.50}, true},
		{"openai", "o3-pro", Price{Input: 20, Output: 80}, true},
		{"openai", "o3-pro-2025-06-10", Price{Input: 20, Output: 80}, true},
		{"openai", "o3-mini", Price{Input: 1.10, Output: 4.40, CacheRead: 0.55}, true},
		{"openai", "o3-mini-2025-01-31", Price{Input: 1.10, Output: 4.40, CacheRead: 0.55}, true},
		{"openai", "o4-mini-2025-04-16", Price{Input: 1.10, Output: 4.40, CacheRead: 0.275}, true},
		{"openai", "gpt-5-2025-08-07", Price{Input: 1.25, Output: 10, CacheRead: 0.125}, true},
		{"openai", "gpt-5-pro", Price{Input: 15, Output: 120}, true},
		{"openai", "gpt-5-pro-2025-10-06", Price{Input: 15, Output: 120}, true},
		{"openai", "gpt-5-mini-2025-08-07", Price{Input: 0.25, Output: 2, CacheRead: 0.025}, true},
		{"openai", "gpt-5-nano-2025-08-07", Price{Input: 0.05, Output: 0.40, CacheRead: 0.005}, true},
		{"openai", "gpt-5-codex", Price{Input: 1.25, Output: 10, CacheRead: 0.125}, true},
		{"openai", "gpt-4.1-mini-2025-04-14", Price{Input: 0.40, Output: 1.60, CacheRead: 0.10}, true},
		{"openai", "gpt-4.1-nano-2025-04-14", Price{Input: 0.10, Output: 0.40, CacheRead: 0.025}, true},
		{"openai", "gpt-4o-2024-05-13", Price{Input: 5, Output: 15}, true},
		{"openai", "gpt-4o-2024-08-06", Price{Input: 2.50, Output: 10, CacheRead: 1.25}, true},
		{"anthropic", "claude-opus-4-20250514", Price{Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75}, true},
		{"anthropic", "claude-opus-4-1-20250805", Price{Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75}, true},
		{"anthropic", "claude-opus-4-5-20251101", Price{Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25}, true},
		{"anthropic", "claude-opus-4-6", Price{Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25}, true},
		{"anthropic", "claude-sonnet-4-5-20250929", Price{Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75}, true},
		{"anthropic", "claude-haiku-4-5-20251001", Price{Input: 1, Output: 5, CacheRead: 0.10, CacheWrite: 1.25}, true},
		{"anthropic", "claude-3-5-haiku-latest", Price{Input: 0.80, Output: 4, CacheRead: 0.08, CacheWrite: 1}, true},
		{"anthropic", "claude-3-7-sonnet-20250219", Price{Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75}, true},

		// Not in the table: unknown, not the price of a shorter name.
		{"openai", "gpt-5.5", Price{}, false},
		{"openai", "gpt-5-chat-latest", Price{}, false},
		{"openai", "gpt-5.2-pro", Price{}, false},
		{"openai", "o3-deep-research", Price{}, false},
		{"openai", "gpt-4o-realtime-preview", Price{}, false},
		{"openai", "gpt-4.1-2025-04-14-ft", Price{}, false},
		{"anthropic", "claude-opus-4-9", Price{}, false},
		{"anthropic", "claude-sonnet-4-7-20270101", Price{}, false},
	}
	for _, tt := range tests {
		got, ok := tab.Lookup(tt.kind, tt.kind, tt.model)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%s, %s) = %+v, %v; want %+v, %v", tt.kind, tt.model, got, ok, tt.want, tt.ok)
		}
	}
}

// TestEveryEntryIsItsOwn checks that each entry prices its own name and its
// dated snapshots, and that no entry is priced through another.
func TestEveryEntryIsItsOwn(t *testing.T) {
	for kind, table := range builtin {
		for name, want := range table {
			for _, model := range []string{name, name + "-2031-02-03", name + "-20310203"} {
				if got, ok := builtinPrice(kind, model); !ok || got != want {
					t.Errorf("%s/%s = %+v, %v; want %+v", kind, model, got, ok, want)
				}
			}
			if want == (Price{}) {
				t.Errorf("%s/%s has no price", kind, name)
			}
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
