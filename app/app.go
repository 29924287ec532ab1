package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
)

// Config is what New needs. It works at its zero value except for DataDir.
type Config struct {
	DataDir    string       // resolved data dir
	ConfigPath string       // the config file in use, for messages
	File       File         // the parsed config file
	Logger     *slog.Logger // nil discards
	Version    string       // aiex version, recorded in nodes
	Verbose    bool         // let the store's libraries log to stderr
}

// App holds the services of one aiex process.
type App struct {
	Store     *db.Store
	Keys      *keys.Store
	Providers []providers.Provider
	Ask       *ask.Service

	logger  *slog.Logger
	cleanup []func(context.Context) error
}

// New opens the store and builds the services. Close releases them.
func New(ctx context.Context, cfg Config) (_ *App, retErr error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &App{logger: logger}
	defer func() {
		if retErr != nil {
			a.Close(ctx)
		}
	}()

	// Build the providers first: a bad provider config should fail before
	// the store is touched.
	cands, err := buildProviders(cfg.File)
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		a.Providers = append(a.Providers, c.Provider)
	}

	// Open the store.
	raftLevel := "OFF"
	if cfg.Verbose {
		raftLevel = "WARN"
	}
	st, err := db.Open(ctx, db.Config{Dir: cfg.DataDir, Logger: logger, RaftLogLevel: raftLevel})
	if err != nil {
		return nil, err
	}
	a.Store = st
	a.cleanup = append(a.cleanup, st.Close)

	// Provider API keys, encrypted with this node's key file (read lazily).
	a.Keys = keys.New(st, filepath.Join(st.Dir(), "secret.key"), st.NodeID())

	// Record this node.
	now := time.Now()
	host, _ := os.Hostname()
	if _, err := st.Execute(ctx, db.UpsertNodeStmt(&db.Node{
		ID: st.NodeID(), Name: host, Version: cfg.Version, StartedAt: now, LastSeen: now,
	})); err != nil {
		return nil, fmt.Errorf("app: record node: %w", err)
	}

	a.Ask = &ask.Service{
		Candidates: cands,
		Recorder:   st,
		Node:       st.NodeID(),
		Hint:       providerHint(cfg.ConfigPath),
	}
	return a, nil
}

// Close tears the services down in reverse order of creation. It is safe to
// call more than once.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		if err := a.cleanup[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	a.cleanup = nil
	return errors.Join(errs...)
}

// buildProviders makes the configured providers, the default one first.
// With none configured, Ollama at OLLAMA_HOST (or its default address) is
// the one provider: what a newcomer with a local Ollama expects.
func buildProviders(f File) ([]ask.Candidate, error) {
	names := sortedKeys(f.Providers)
	if i := slices.Index(names, f.Provider); i > 0 {
		names = append([]string{f.Provider}, slices.Delete(names, i, i+1)...)
	}
	if len(names) == 0 {
		p, err := ollama.New(ollama.Config{Name: "ollama"})
		if err != nil {
			return nil, err
		}
		return []ask.Candidate{{Provider: p, Model: f.Model}}, nil
	}
	var out []ask.Candidate
	for _, name := range names {
		pc := f.Providers[name]
		kind := pc.Kind
		if kind == "" {
			kind = name
		}
		var p providers.Provider
		var err error
		switch kind {
		case "ollama":
			p, err = ollama.New(ollama.Config{Name: name, BaseURL: pc.BaseURL})
		default:
			err = fmt.Errorf("unsupported provider kind %q", kind)
		}
		if err != nil {
			return nil, fmt.Errorf("app: provider %s: %w", name, err)
		}
		model := pc.Model
		if model == "" {
			model = f.Model
		}
		out = append(out, ask.Candidate{Provider: p, Model: model})
	}
	return out, nil
}

func providerHint(configPath string) string {
	if configPath == "" {
		configPath = DefaultConfigPath()
	}
	return fmt.Sprintf("start Ollama (ollama serve), set OLLAMA_HOST to a running server, or add a [providers.NAME] table to %s", configPath)
}
