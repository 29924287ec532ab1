package app

import (
	"context"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Interaction is one recorded LLM request, as the UIs show it.
type Interaction = db.Interaction

// History returns the most recent interactions, newest first.
func (a *App) History(ctx context.Context, limit int) ([]Interaction, error) {
	return a.Store.Interactions(ctx, limit)
}

// StatusReport describes this node: its store and its providers.
type StatusReport struct {
	DataDir       string           `json:"data_dir"`
	Store         db.Status        `json:"store"`
	SchemaVersion int              `json:"schema_version"`
	Providers     []ProviderStatus `json:"providers"`
}

// ProviderStatus is one configured provider and whether it answered.
type ProviderStatus struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Endpoint  string   `json:"endpoint"`
	Reachable bool     `json:"reachable"`
	Models    []string `json:"models"`
	Error     string   `json:"error,omitempty"`
}

// probeTimeout bounds how long Status waits for each provider.
const probeTimeout = 2 * time.Second

// Status reports the store's state and probes every provider in parallel.
func (a *App) Status(ctx context.Context) (StatusReport, error) {
	r := StatusReport{DataDir: a.Store.Dir(), Store: a.Store.Status()}
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return r, err
	}
	r.SchemaVersion = v
	r.Providers = make([]ProviderStatus, len(a.Providers))
	var wg sync.WaitGroup
	for i, p := range a.Providers {
		wg.Go(func() {
			r.Providers[i] = probe(ctx, p)
		})
	}
	wg.Wait()
	return r, nil
}

func probe(ctx context.Context, p providers.Provider) ProviderStatus {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	ps := ProviderStatus{Name: p.Name(), Kind: p.Kind(), Endpoint: p.Endpoint(), Models: []string{}}
	models, err := p.Models(ctx)
	if err != nil {
		ps.Error = err.Error()
		return ps
	}
	ps.Reachable = true
	for _, m := range models {
		ps.Models = append(ps.Models, m.Name)
	}
	return ps
}
