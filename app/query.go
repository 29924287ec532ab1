package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// Interaction is one recorded LLM request, as the UIs show it.
type Interaction = db.Interaction

// UsageRow is one day's usage of one provider and model.
type UsageRow = db.UsageRow

// History returns the most recent interactions, newest first.
func (a *App) History(ctx context.Context, limit int) ([]Interaction, error) {
	return a.Store.Interactions(ctx, limit)
}

// Usage sums tokens and cost per day, provider and model since a time.
func (a *App) Usage(ctx context.Context, since time.Time) ([]UsageRow, error) {
	return a.Store.Usage(ctx, since)
}

// StatusReport describes this node: its store and its providers.
type StatusReport struct {
	DataDir       string           `json:"data_dir"`
	Store         db.Status        `json:"store"`
	SchemaVersion int              `json:"schema_version"`
	Providers     []ProviderStatus `json:"providers"`
}

// ProviderStatus is one configured provider: whether it answered, its
// breakers and limits in this process, and how it did recently.
type ProviderStatus struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Endpoint  string   `json:"endpoint"`
	Local     bool     `json:"local"`
	Reachable bool     `json:"reachable"`
	Models    []string `json:"models"`
	Error     string   `json:"error,omitempty"`
	// ErrorKind is the kind of Error when the provider gave one
	// (providers.ErrorKind: "auth" for a missing or refused key).
	ErrorKind string `json:"error_kind,omitempty"`
	// HTTPStatus is the status of the error the provider's server
	// answered its model listing with (500: running, but failing), and 0
	// when it was not reached or listed its models.
	HTTPStatus int          `json:"http_status,omitempty"`
	Limits     coord.Limits `json:"limits"`
	// SharedBy is, in a cluster, how many live nodes configure this cloud
	// provider (by its name), this one included: they share its rate
	// limits, each taking 1/SharedBy of them. 0 outside a node and for
	// local servers, whose limits are each machine's own.
	SharedBy int                 `json:"shared_by,omitempty"`
	Breakers []coord.RouteStatus `json:"breakers"`
	Recent   *db.ProviderStat    `json:"recent,omitempty"` // the last 24 hours
	// SpendCap says which spend cap refuses this paid (not local)
	// provider's requests now — "daily spend cap of $1.00 is reached
	// ($2.01 spent)" — and is empty while it may be used.
	SpendCap string `json:"spend_cap,omitempty"`
}

// probeTimeout bounds how long a report waits for each provider.
const probeTimeout = 2 * time.Second

// recentWindow is the period "recent" statistics cover.
const recentWindow = 24 * time.Hour

// Status reports the store's state and probes every provider in parallel.
func (a *App) Status(ctx context.Context) (StatusReport, error) {
	r := StatusReport{DataDir: a.Store.Dir(), Store: a.Store.Status()}
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return r, err
	}
	r.SchemaVersion = v
	r.Providers, err = a.ProviderReport(ctx)
	return r, err
}

// ProviderReport probes every provider in parallel (a model listing, also a
// health probe for half-open breakers) and adds what this process and the
// store know of it.
func (a *App) ProviderReport(ctx context.Context) ([]ProviderStatus, error) {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, err
	}
	targets := c.Targets()
	var wg sync.WaitGroup
	// Whether the nodes hosting other nodes' providers answer, as aiex
	// cluster status tells (a probe of each member): their providers list
	// the models the node published, which outlive it until its heartbeat
	// is stale. Asked while the providers are.
	var reach map[string]bool
	wg.Go(func() { reach = a.membersReached(ctx, targets) })
	out := probeTargets(ctx, c, targets)
	wg.Wait()
	stats, err := a.Store.ProviderStats(ctx, time.Now().Add(-recentWindow))
	if err != nil {
		return nil, err
	}
	// The embedding models' breakers too: their routes are kept beside
	// the chat models', but only Probe takes up those of earlier requests.
	c.LoadEmbedRoutes(ctx)
	// By name: the cluster's remote targets may change between the calls.
	routes := map[string][]coord.RouteStatus{}
	for _, ts := range c.Status() {
		routes[ts.Name] = ts.Routes
	}
	capped, _, err := c.CapReached(ctx)
	if err != nil {
		return nil, err
	}
	for i, t := range targets {
		ps := &out[i]
		ps.Local, ps.Limits, ps.Breakers = t.Local, t.Limits, routes[ps.Name]
		if a.cfg.Nodes != nil && !t.Local && t.Node == "" {
			ps.SharedBy = max(1, a.cfg.Nodes(ps.Name))
		}
		if ps.Breakers == nil {
			ps.Breakers = []coord.RouteStatus{}
		}
		if s, ok := stats[ps.Name]; ok {
			ps.Recent = &s
		}
		if !t.Local {
			ps.SpendCap = capped
		}
	}
	for i, t := range targets {
		if !out[i].Reachable {
			continue
		}
		if msg, down := hostDown(t.Provider, reach); down {
			out[i].Reachable = false
			out[i].ErrorKind = string(providers.KindUnavailable)
			out[i].Error = msg
		}
	}
	return out, nil
}

// hosted is implemented by the providers other nodes of the cluster host
// (app/node): the hosting node's ID and name.
type hosted interface {
	HostNode() (id, name string)
}

// hostReach is implemented by the providers other nodes of the cluster
// host (app/node): whether the node is known not to answer now (a request
// found it out of reach and no heartbeat of it came since), and why.
type hostReach interface {
	HostDown() (why string, down bool)
}

// membersReached is, when some of targets are other nodes' providers,
// whether each member of the cluster answers, by ID, as aiex cluster
// status tells (a probe of each member); nil when none is, or when the
// members cannot be told (the providers' own view decides alone).
func (a *App) membersReached(ctx context.Context, targets []coord.Target) map[string]bool {
	if !slices.ContainsFunc(targets, func(t coord.Target) bool { _, ok := t.Provider.(hosted); return ok }) {
		return nil
	}
	ms, err := a.Store.Members(ctx)
	if err != nil {
		return nil
	}
	reach := make(map[string]bool, len(ms))
	for _, m := range ms {
		reach[m.ID] = m.Reachable
	}
	return reach
}

// hostDown says, of p, another node's provider, that its node is known
// not to answer — by a request that could not reach it (hostReach), or by
// the cluster's probe of its members (reach, from membersReached) — in one
// line with what to do; ok is false for a provider of this node, or one
// whose node is up.
func hostDown(p providers.Provider, reach map[string]bool) (msg string, ok bool) {
	if h, isH := p.(hostReach); isH {
		if why, down := h.HostDown(); down {
			return fmt.Sprintf("%s: %s: %s: %s", p.Name(), providers.KindUnavailable, why, coord.HostAdvice), true
		}
	}
	if h, isH := p.(hosted); isH && reach != nil {
		if id, name := h.HostNode(); !reach[id] {
			return fmt.Sprintf("%s: %s: node %s (%s) is not reachable (aiex cluster status shows it so): %s",
				p.Name(), providers.KindUnavailable, name, id, coord.HostAdvice), true
		}
	}
	return "", false
}

// LimitsText names the rate limits as this node applies them: the
// configured ones ("3 req/min", or "none"), or this node's share of them
// when other nodes configure the provider too — "this node's share: 1 of
// 3 req/min (3 nodes use oai)".
func (ps ProviderStatus) LimitsText() string {
	n := ps.SharedBy
	if n <= 1 || ps.Limits == (coord.Limits{}) {
		return ps.Limits.String()
	}
	var parts []string
	for _, l := range []struct {
		per  int
		unit string
	}{{ps.Limits.RequestsPerMinute, "req/min"}, {ps.Limits.TokensPerMinute, "tok/min"}} {
		if l.per > 0 {
			// As the coordinator shares them: at least one each.
			parts = append(parts, fmt.Sprintf("%d of %d %s", max(1, l.per/n), l.per, l.unit))
		}
	}
	return fmt.Sprintf("this node's share: %s (%d nodes use %s)", strings.Join(parts, ", "), n, ps.Name)
}

// probeTargets lists the models of every target once, through the
// coordinator, within probeTimeout: its health probe (coord.Probe) lists
// again a server a request found silent, and each target's listing is
// then the one the coordinator holds — the probe's, or its cache's — not a
// second listing of the report's own, which would wait on a silent server
// twice. The probe runs beside the listings of the other targets, so that
// the report takes one bound, not two.
func probeTargets(ctx context.Context, c *coord.Coordinator, targets []coord.Target) []ProviderStatus {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	// The coordinator gives a listing half of what is left before its
	// caller's deadline, keeping the rest for a request's answer; a
	// report has no answer to wait for, so its listings' deadline is
	// twice the bound: each listing is given probeTimeout.
	lctx, cancelList := context.WithTimeout(ctx, 2*probeTimeout)
	defer cancelList()
	var wg sync.WaitGroup
	wg.Go(func() { c.Probe(pctx) })
	for _, t := range targets {
		// Listings of the targets the probe leaves alone, made while it
		// runs; what they find is cached for the reads below.
		wg.Go(func() { _, _ = c.Models(lctx, t.Provider.Name()) })
	}
	wg.Wait()
	probeCut := errors.Is(pctx.Err(), context.DeadlineExceeded)
	out := make([]ProviderStatus, len(targets))
	for i, t := range targets {
		wg.Go(func() {
			p := t.Provider
			ps := ProviderStatus{Name: p.Name(), Kind: p.Kind(), Endpoint: p.Endpoint(), Models: []string{}}
			models, err := c.Models(lctx, p.Name())
			if err != nil {
				ps.Error = listError(lctx, p, err, probeTimeout)
				if probeCut && silent(err) {
					// A server held as silent that the probe, cut at its
					// bound, found silent still: said with this report's
					// wait rather than the bound of the listing that
					// first found it so.
					ps.Error = coord.NoAnswer(p, probeTimeout).Message
				}
				ps.ErrorKind = string(providers.KindOf(err))
				if pe := (*providers.Error)(nil); errors.As(err, &pe) {
					ps.HTTPStatus = pe.StatusCode
					if pe.Kind == providers.KindUnavailable && pe.StatusCode >= 500 {
						// Its server runs, and fails: as history records it.
						ps.ErrorKind = coord.OutcomeServerError
					}
				}
				out[i] = ps
				return
			}
			ps.Reachable = true
			for _, m := range models {
				ps.Models = append(ps.Models, m.Name)
			}
			out[i] = ps
		})
	}
	wg.Wait()
	return out
}

// silent reports whether err is the coordinator's failure of a listing
// its server did not answer (coord.NoAnswer), whatever its bound.
func silent(err error) bool { return errors.Is(err, coord.ErrNoAnswer) }

// listError says in one line why p could not list its models under ctx,
// bounded by d: a server that did not answer in time is named as such
// (coord.NoAnswer), not reported as "context deadline exceeded", and one
// that answered with an error status with the status and its address.
func listError(ctx context.Context, p providers.Provider, err error, d time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return coord.NoAnswer(p, d).Message
	}
	var pe *providers.Error
	if errors.As(err, &pe) && pe.StatusCode >= 400 {
		// Its server answered with an error: said with the status and
		// address, not the server's message alone.
		return fmt.Sprintf("%s: %s: %s", pe.Provider, pe.Kind, coord.ProviderMessage(p, err))
	}
	return err.Error()
}

// ModelInfo is one model of one provider.
type ModelInfo struct {
	Provider      string         `json:"provider"`
	Model         string         `json:"model"`
	Node          string         `json:"node,omitempty"` // the node hosting it, when another node of the cluster
	ContextWindow int            `json:"context_window"` // tokens; 0 when unknown
	Local         bool           `json:"local"`
	Loaded        bool           `json:"loaded"`
	Price         *pricing.Price `json:"price"` // USD per 1M tokens; nil when unknown (free if local)
	// NoChat marks a model that does not chat (an embedding model, say):
	// listed, but not one to ask (providers.Model.NoChat).
	NoChat bool `json:"no_chat,omitempty"`
}

// contextWindower is implemented by providers that can look a model's
// context window up separately (Ollama's show).
type contextWindower interface {
	ContextWindow(ctx context.Context, model string) (int, error)
}

// Models lists every model of every reachable provider; unreachable ones
// are reported in errs by provider name.
func (a *App) Models(ctx context.Context) (models []ModelInfo, errs map[string]string, err error) {
	prices := a.prices
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, nil, err
	}
	targets := c.Targets()
	var mu sync.Mutex
	errs = map[string]string{}
	var wg sync.WaitGroup
	// Another node's providers list what it published, down or not: a
	// node out of reach has its models said unavailable, not listed as
	// loaded. Its members are probed while the providers list.
	var reach map[string]bool
	wg.Go(func() { reach = a.membersReached(ctx, targets) })
	for _, t := range targets {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			defer cancel()
			ms, err := t.Provider.Models(pctx)
			if err != nil {
				mu.Lock()
				errs[t.Provider.Name()] = listError(pctx, t.Provider, err, probeTimeout)
				mu.Unlock()
				return
			}
			cw, _ := t.Provider.(contextWindower)
			// A configured context_window is what prompts are fitted to
			// (window, in code.go) and what the model is run with: shown
			// instead of the server's. Another node's models come with
			// the window that node configured (it publishes it).
			var configured int
			if t.Node == "" {
				configured = a.cfg.File.Providers[t.Provider.Name()].ContextWindow
			}
			for _, m := range ms {
				mi := ModelInfo{Provider: t.Provider.Name(), Model: m.Name, ContextWindow: cmp.Or(configured, m.ContextWindow),
					Local: t.Local || m.Local, Loaded: m.Loaded, Node: t.Node, NoChat: m.NoChat}
				if mi.ContextWindow == 0 && cw != nil {
					mi.ContextWindow, _ = cw.ContextWindow(pctx, m.Name)
				}
				if mi.Local {
					mi.Price = &pricing.Price{}
				} else if p, ok := prices.Lookup(t.Provider.Name(), t.Provider.Kind(), m.Name); ok {
					mi.Price = &p
				}
				mu.Lock()
				models = append(models, mi)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, t := range targets {
		if msg, down := hostDown(t.Provider, reach); down {
			name := t.Provider.Name()
			errs[name] = msg
			models = slices.DeleteFunc(models, func(m ModelInfo) bool { return m.Provider == name })
		}
	}
	sort.Slice(models, func(i, j int) bool {
		if models[i].Provider != models[j].Provider {
			return models[i].Provider < models[j].Provider
		}
		return models[i].Model < models[j].Model
	})
	return models, errs, nil
}
