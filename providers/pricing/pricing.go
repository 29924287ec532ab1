// Package pricing knows what cloud models cost: a built-in table of list
// prices for well-known models, in US dollars per million tokens, that
// configuration can override or extend. Local models cost nothing.
//
// List prices change; the table is a convenience, dated below, and every
// entry can be overridden in the configuration ([prices."provider/model"]).
package pricing

import (
	"sort"
	"strings"
)

// TableDate is when the built-in prices were last checked.
const TableDate = "2026-11"

// Price is a model's price in USD per million tokens.
type Price struct {
	Input      float64 `toml:"input" json:"input"`
	Output     float64 `toml:"output" json:"output"`
	CacheRead  float64 `toml:"cache_read" json:"cache_read"`   // 0: same as Input
	CacheWrite float64 `toml:"cache_write" json:"cache_write"` // 0: same as Input
}

// Usage is what a request consumed. Prompt includes the cached tokens.
type Usage struct {
	Prompt, Completion, CacheRead, CacheWrite int
}

// Cost is what u costs at p, in USD.
func (p Price) Cost(u Usage) float64 {
	cr, cw := p.CacheRead, p.CacheWrite
	if cr == 0 {
		cr = p.Input
	}
	if cw == 0 {
		cw = p.Input
	}
	plain := max(u.Prompt-u.CacheRead-u.CacheWrite, 0)
	return (float64(plain)*p.Input + float64(u.CacheRead)*cr + float64(u.CacheWrite)*cw + float64(u.Completion)*p.Output) / 1e6
}

// builtin maps a provider kind and a model name prefix to a price. Longer
// prefixes win, so "gpt-4o-mini" is not priced as "gpt-4o".
var builtin = map[string]map[string]Price{
	"openai": {
		"gpt-5":                  {Input: 1.25, Output: 10, CacheRead: 0.125},
		"gpt-5-mini":             {Input: 0.25, Output: 2, CacheRead: 0.025},
		"gpt-5-nano":             {Input: 0.05, Output: 0.40, CacheRead: 0.005},
		"gpt-4.1":                {Input: 2, Output: 8, CacheRead: 0.50},
		"gpt-4.1-mini":           {Input: 0.40, Output: 1.60, CacheRead: 0.10},
		"gpt-4.1-nano":           {Input: 0.10, Output: 0.40, CacheRead: 0.025},
		"gpt-4o":                 {Input: 2.50, Output: 10, CacheRead: 1.25},
		"gpt-4o-mini":            {Input: 0.15, Output: 0.60, CacheRead: 0.075},
		"o3":                     {Input: 2, Output: 8, CacheRead: 0.50},
		"o4-mini":                {Input: 1.10, Output: 4.40, CacheRead: 0.275},
		"text-embedding-3-small": {Input: 0.02},
		"text-embedding-3-large": {Input: 0.13},
	},
	"anthropic": {
		"claude-opus-4":     {Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75},
		"claude-opus-4-5":   {Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25},
		"claude-sonnet-4":   {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-3-7-sonnet": {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-haiku-4-5":  {Input: 1, Output: 5, CacheRead: 0.10, CacheWrite: 1.25},
		"claude-3-5-haiku":  {Input: 0.80, Output: 4, CacheRead: 0.08, CacheWrite: 1},
	},
}

// Table looks prices up: overrides first (keyed "provider/model" or
// "model"), then the built-in table by provider kind and longest model-name
// prefix.
type Table struct {
	Overrides map[string]Price
}

// Lookup returns the price of model served by a provider named name of kind
// kind; ok is false when the model's price is unknown.
func (t Table) Lookup(name, kind, model string) (Price, bool) {
	if p, ok := t.Overrides[name+"/"+model]; ok {
		return p, true
	}
	if p, ok := t.Overrides[model]; ok {
		return p, true
	}
	return builtinPrice(kind, model)
}

func builtinPrice(kind, model string) (Price, bool) {
	table := builtin[kind]
	// Longest matching prefix: "gpt-4o-mini-2024-07-18" → "gpt-4o-mini".
	var best string
	for prefix := range table {
		if strings.HasPrefix(model, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return Price{}, false
	}
	return table[best], true
}

// Known lists the built-in entries as "kind/model-prefix", sorted.
func Known() []string {
	var out []string
	for kind, table := range builtin {
		for m := range table {
			out = append(out, kind+"/"+m)
		}
	}
	sort.Strings(out)
	return out
}
