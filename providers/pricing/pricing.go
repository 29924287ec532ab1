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
	"time"
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

// builtin maps a provider kind and a model name to the model's list price.
// A model matches the entry of its own name, or of its name without a
// snapshot suffix (see snapshotBase): "gpt-4o-mini-2024-07-18" is priced as
// "gpt-4o-mini". Nothing else matches: variants with their own price list
// ("o3-pro", "gpt-5-pro", "gpt-5.5") are not priced as the model whose name
// they start with, and a model missing here has an unknown price rather than
// a wrong one.
//
// Sources, checked 2026-11: OpenAI's API pricing page and model pages
// (developers.openai.com, "Pricing" and "Models"); Anthropic's pricing page
// and model overviews (platform.claude.com, "Pricing"). Cache writes are
// Anthropic's 5-minute ones. Models priced by prompt length are priced for
// the prompts Aiex sends: Claude Sonnet 4 and 4.5 cost more past 200K
// tokens only with the 1M-context beta, which Aiex does not ask for.
var builtin = map[string]map[string]Price{
	"openai": {
		"gpt-5":                  {Input: 1.25, Output: 10, CacheRead: 0.125},
		"gpt-5-codex":            {Input: 1.25, Output: 10, CacheRead: 0.125},
		"gpt-5-mini":             {Input: 0.25, Output: 2, CacheRead: 0.025},
		"gpt-5-nano":             {Input: 0.05, Output: 0.40, CacheRead: 0.005},
		"gpt-5-pro":              {Input: 15, Output: 120}, // no cached-input price
		"gpt-4.1":                {Input: 2, Output: 8, CacheRead: 0.50},
		"gpt-4.1-mini":           {Input: 0.40, Output: 1.60, CacheRead: 0.10},
		"gpt-4.1-nano":           {Input: 0.10, Output: 0.40, CacheRead: 0.025},
		"gpt-4o":                 {Input: 2.50, Output: 10, CacheRead: 1.25},
		"gpt-4o-2024-05-13":      {Input: 5, Output: 15}, // the first snapshot kept its launch price
		"gpt-4o-mini":            {Input: 0.15, Output: 0.60, CacheRead: 0.075},
		"o3":                     {Input: 2, Output: 8, CacheRead: 0.50},
		"o3-pro":                 {Input: 20, Output: 80}, // no cached-input price
		"o3-mini":                {Input: 1.10, Output: 4.40, CacheRead: 0.55},
		"o4-mini":                {Input: 1.10, Output: 4.40, CacheRead: 0.275},
		"text-embedding-3-small": {Input: 0.02},
		"text-embedding-3-large": {Input: 0.13},
	},
	"anthropic": {
		"claude-opus-4":     {Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75},
		"claude-opus-4-0":   {Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75},
		"claude-opus-4-1":   {Input: 15, Output: 75, CacheRead: 1.50, CacheWrite: 18.75},
		"claude-opus-4-5":   {Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25},
		"claude-opus-4-6":   {Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25},
		"claude-opus-4-7":   {Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25},
		"claude-opus-4-8":   {Input: 5, Output: 25, CacheRead: 0.50, CacheWrite: 6.25},
		"claude-sonnet-4":   {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-sonnet-4-0": {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-sonnet-4-5": {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-sonnet-4-6": {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-3-7-sonnet": {Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75},
		"claude-haiku-4-5":  {Input: 1, Output: 5, CacheRead: 0.10, CacheWrite: 1.25},
		"claude-3-5-haiku":  {Input: 0.80, Output: 4, CacheRead: 0.08, CacheWrite: 1},
	},
}

// Table looks prices up: overrides first (keyed "provider/model" or
// "model"), then the built-in table by provider kind and model name.
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
	if p, ok := table[model]; ok {
		return p, true
	}
	if base, ok := snapshotBase(model); ok {
		if p, ok := table[base]; ok {
			return p, true
		}
	}
	return Price{}, false
}

// snapshotBase returns the name of the model that model is a snapshot or
// alias of, and true, if model ends in a snapshot date as OpenAI
// ("-2024-07-18") or Anthropic ("-20250514") writes them, or in "-latest".
func snapshotBase(model string) (string, bool) {
	if base, ok := strings.CutSuffix(model, "-latest"); ok {
		return base, true
	}
	for _, layout := range [...]string{"-2006-01-02", "-20060102"} {
		n := len(model) - len(layout)
		if n <= 0 {
			continue
		}
		if _, err := time.Parse(layout, model[n:]); err == nil {
			return model[:n], true
		}
	}
	return "", false
}

// Known lists the built-in entries as "kind/model", sorted.
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
