package app

import (
	"cmp"
	"strings"

	"github.com/aiex-dev/aiex/providers/pricing"
)

// Whether a request's cost is known is decided when it is recorded, by the
// coordinator that priced it (Interaction.CostUnknown). A request recorded
// before the store kept that is judged when it is read, with the current
// configuration: it records its cost (cost_usd) but not whether its model
// had a price, so one recorded at $0 after using tokens may have been free
// (a local model) or of unknown price (a cloud model no price table knew).
// The provider's kind and address say which; the recorded cost of a model
// priced since is still $0, and still not its cost.

// CostUnknown reports whether a request to provider's model that used
// tokens but was recorded as costing nothing has an unknown cost rather
// than none. It has none when the provider is local (by its kind, or its
// address for an OpenAI-compatible server; NODE/PROVIDER names another
// node's local server) or the model is priced at zero. Otherwise it was
// recorded while no price was known: a priced request that uses tokens
// costs something.
//
// A provider no longer configured is judged by its name, which is its kind
// when none is given: "ollama" is local, and a name that is no kind is a
// provider whose price is unknown.
func CostUnknown(f File, provider, model string) bool {
	if strings.Contains(provider, "/") {
		return false
	}
	kind, local := providerKind(f, provider)
	if local {
		return false
	}
	p, ok := pricing.Table{Overrides: f.Prices}.Lookup(provider, kind, model)
	return !ok || p != (pricing.Price{})
}

// MarkUnpriced adds to the Unpriced count of rows (the requests recorded
// as of unknown cost) those recorded at no cost before that was recorded
// (Uncharged) whose cost CostUnknown judges unknown.
func MarkUnpriced(f File, rows []UsageRow) {
	for i := range rows {
		r := &rows[i]
		if r.Uncharged > 0 && CostUnknown(f, r.Provider, r.Model) {
			r.Unpriced += r.Uncharged
		}
	}
}

// InteractionCostUnknown reports whether in's cost is unknown: as recorded,
// or, for a request recorded before that was, if it used tokens, was
// recorded as costing nothing, and CostUnknown says so of its provider and
// model.
func InteractionCostUnknown(f File, in *Interaction) bool {
	if in.CostUnknown != nil {
		return *in.CostUnknown
	}
	return in.CostUSD == 0 && in.PromptTokens+in.CompletionTokens > 0 && CostUnknown(f, in.Provider, in.Model)
}

// IgnoredPrices lists the keys of the config's [prices] table that price
// only models that are never charged, sorted: "PROVIDER/MODEL" for a local
// provider, and a bare model name that only local models of models have.
// The coordinator charges nothing for a local model whatever its price
// (app/coord), so such an entry has no effect.
func IgnoredPrices(f File, models []ModelInfo) []string {
	cloud, local := map[string]bool{}, map[string]bool{}
	for _, m := range models {
		if m.Local {
			local[m.Model] = true
		} else {
			cloud[m.Model] = true
		}
	}
	var out []string
	for _, key := range sortedKeys(f.Prices) {
		if provider, _, ok := strings.Cut(key, "/"); ok && isProvider(f, provider) {
			if _, isLocal := providerKind(f, provider); isLocal {
				out = append(out, key)
			}
			continue
		}
		if local[key] && !cloud[key] {
			out = append(out, key)
		}
	}
	return out
}

// providerKind is the kind of the provider named name, as configured or,
// for a name the config does not give, the name itself (the kind of the
// providers made without configuration), and whether it is local: by its
// local setting when it has one (a gateway on loopback to a paid API is
// not), else by its kind and address, as the coordinator judges it.
func providerKind(f File, name string) (kind string, local bool) {
	pc := f.Providers[name]
	kind = cmp.Or(pc.Kind, name)
	return kind, isLocal(kind, pc, pc.BaseURL)
}

// isProvider reports whether name is a provider: configured, or, with none
// configured, one of those made from the environment.
func isProvider(f File, name string) bool {
	if len(f.Providers) == 0 {
		if name == "ollama" {
			return true
		}
		for _, k := range envKeyed {
			if k.name == name {
				return true
			}
		}
		return false
	}
	_, ok := f.Providers[name]
	return ok
}
