package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/internal/keylock"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// Config is what New needs. It works at its zero value except for DataDir.
type Config struct {
	DataDir    string              // resolved data dir
	ConfigPath string              // the config file in use, for messages
	File       File                // the parsed config file
	Logger     *slog.Logger        // nil discards
	Version    string              // aiex version, recorded in nodes
	Verbose    bool                // let the store's libraries log to stderr
	Getenv     func(string) string // the environment; nil means os.Getenv
	// Cluster, for a node daemon (app/node), opens the store as a member of
	// a cluster over the mesh; nil opens it alone, as one-shot commands do.
	Cluster *db.ClusterConfig
	// NodeName is this node's name in the nodes table; "" means the host name.
	NodeName string
	// Remote lists the targets other nodes host, for the coordinator's
	// local_affinity routing (app/node); nil means none.
	Remote func() []coord.Target
	// Nodes counts the cluster's live nodes that configure a provider,
	// this one included, for cluster-wide rate limits (app/node); nil
	// means this node alone.
	Nodes func(provider string) int
	// NodeAlive, when set (app/node), says whether another node is up as
	// this process has watched its heartbeats change, whatever that
	// node's clock says; known is false for a node it has not watched
	// yet. Without it, a node is up when the time of its last heartbeat
	// is recent by this process's clock.
	NodeAlive func(id string) (alive, known bool)
	// LongRunning is set by processes that serve many requests (the node,
	// the TUI): they keep the syntax trees of edited files between index
	// runs, so that the next edit of a file reparses only what changed.
	LongRunning bool
}

// App holds the services of one aiex process.
type App struct {
	Store *db.Store
	Keys  *keys.Store

	cfg      Config
	getenv   func(string) string
	prices   pricing.Table
	logger   *slog.Logger
	cleanup  []func(context.Context) error
	coordMu  sync.Mutex
	coord    *coord.Coordinator
	coordErr error
	// pending runs the finishing writes of LLM requests that returned
	// before the store took them, for every coordinator built (they are
	// built anew by ReloadProviders); Close waits for them.
	pending coord.Pending

	ev eventServices // the event log and what keeps its state in it

	promptsOnce sync.Once
	prompts     *prompt.Set
	promptsErr  error

	trees *chunk.Trees // kept syntax trees (Config.LongRunning), or nil

	projects keylock.Locks // by project root: checkpoint writes take turns (projectCheckpoints)
}

// New opens the store and builds the services. Close releases them.
func New(ctx context.Context, cfg Config) (_ *App, retErr error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	a := &App{logger: logger, prices: pricing.Table{Overrides: cfg.File.Prices}}
	defer func() {
		if retErr != nil {
			a.Close(ctx)
		}
	}()

	// Open the store.
	raftLevel := "OFF"
	if cfg.Verbose {
		raftLevel = "WARN"
	}
	st, err := db.Open(ctx, db.Config{Dir: cfg.DataDir, Logger: logger, RaftLogLevel: raftLevel, Cluster: cfg.Cluster})
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
	node := &db.Node{ID: st.NodeID(), Name: cmp.Or(cfg.NodeName, host), Version: cfg.Version, StartedAt: now, LastSeen: now}
	if cfg.Cluster != nil {
		node.Addr = cfg.Cluster.Advertise
	}
	// In the same write, the requests an earlier process of this node
	// left running end as interrupted: holding the data dir's lock, this
	// process is the only one of the node, so their owner is gone.
	// Each gets the "llm" event that every request's end has, and the
	// session turns they answered are ended below, once the services are
	// configured: the sessions are read first, while the requests still
	// show running, on a copy caught up with the leader (a node restarted
	// may not have applied its predecessor's last writes yet).
	orphaned := fmt.Sprintf("the aiex process making the request ended before the request did (killed or crashed); found when node %s next opened its data dir", node.Name)
	orphanSessions := a.orphanSessions(ctx, node.ID)
	if _, err := st.Execute(ctx, db.UpsertNodeStmt(node), db.InterruptRunningEventsStmt(node.ID, now), db.InterruptRunningStmt(node.ID, orphaned)); err != nil {
		return nil, fmt.Errorf("app: record node: %w", err)
	}

	if cfg.LongRunning {
		trees := chunk.NewTrees(chunk.DefaultTreeBytes)
		a.trees = trees
		a.cleanup = append(a.cleanup, func(context.Context) error { trees.Close(); return nil })
	}

	a.cfg, a.getenv = cfg, getenv
	a.endOrphanedTurns(ctx, orphanSessions)
	return a, nil
}

// Coord returns the coordinator every LLM request goes through, building
// the providers on first use: commands that send no request (history,
// keys, usage) never pay for them, nor fail on a provider's setup.
func (a *App) Coord(ctx context.Context) (*coord.Coordinator, error) {
	a.coordMu.Lock()
	defer a.coordMu.Unlock()
	if a.coord == nil && a.coordErr == nil {
		a.coord, a.coordErr = a.newCoord(ctx)
	}
	return a.coord, a.coordErr
}

// ReloadProviders makes the next request build the providers anew (a
// long-running node after an API key was stored or removed). Requests in
// flight finish on the coordinator they started with; breakers and rate
// limits start afresh.
func (a *App) ReloadProviders() {
	a.coordMu.Lock()
	defer a.coordMu.Unlock()
	a.coord, a.coordErr = nil, nil
}

func (a *App) newCoord(ctx context.Context) (*coord.Coordinator, error) {
	targets, err := buildTargets(ctx, a.cfg.File, a.Keys, a.getenv)
	if err != nil {
		return nil, err
	}
	strategy, err := coord.ParseStrategy(a.cfg.File.Strategy)
	if err != nil {
		return nil, err
	}
	lim := a.cfg.File.Limits
	return coord.New(coord.Config{
		Targets:     targets,
		Recorder:    a.Store,
		Node:        a.Store.NodeID(),
		Strategy:    strategy,
		Preferred:   a.cfg.File.Provider,
		Prices:      a.prices,
		Caps:        coord.SpendCaps{DailyUSD: lim.DailyUSD, MonthlyUSD: lim.MonthlyUSD},
		MaxAttempts: lim.MaxAttempts,
		MaxAnswer:   int(lim.MaxAnswer),
		Deadline:    time.Duration(lim.Deadline),
		Hint:        providerHint(a.cfg.ConfigPath, a.getenv),
		Configured:  len(a.cfg.File.Providers) > 0,
		Logger:      a.logger,
		Remote:      a.cfg.Remote,
		Nodes:       a.cfg.Nodes,
		Pending:     &a.pending,
	}), nil
}

// Ask answers a one-shot question through the coordinator (see app/ask).
func (a *App) Ask(ctx context.Context, req ask.Request, fn func(text string) error) (*db.Interaction, error) {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, err
	}
	prompts, err := a.Prompts()
	if err != nil {
		return nil, err
	}
	return (&ask.Service{Router: c, Prompts: askPrompt{prompts}}).Ask(ctx, req, fn)
}

// Prompts returns the prompt templates: the embedded ones, overridden by
// files in the prompts directory beside the config file.
func (a *App) Prompts() (*prompt.Set, error) {
	a.promptsOnce.Do(func() {
		path := a.cfg.ConfigPath
		if path == "" {
			path = DefaultConfigPath()
		}
		a.prompts, a.promptsErr = prompt.Load(filepath.Join(filepath.Dir(path), "prompts"))
	})
	return a.prompts, a.promptsErr
}

// askPrompt renders the "ask" template for app/ask.
type askPrompt struct{ set *prompt.Set }

func (p askPrompt) Ask(question string) ([]providers.Message, error) {
	return p.set.Render("ask", prompt.Data{Question: question})
}

// Indexer returns the code index over the store (see app/index); chunks
// carry token counts for the default model's family.
func (a *App) Indexer() *index.Indexer {
	return index.New(index.Config{Store: a.Store, Family: TokenFamily(a.cfg.File), Logger: a.logger, Trees: a.trees})
}

// TokenFamily is the tokenizer family of f's default model: the default
// provider's kind and model, else the model name alone; FamilyGeneric
// when f names neither.
func TokenFamily(f File) tokens.Family {
	kind, model := f.Provider, f.Model
	if pc, ok := f.Providers[f.Provider]; ok {
		kind, model = cmp.Or(pc.Kind, kind), cmp.Or(pc.Model, model)
	}
	if kind == "" && model == "" {
		return tokens.FamilyGeneric
	}
	return tokens.FamilyOf(kind, model)
}

// Close tears the services down in reverse order of creation. It is safe to
// call more than once.
func (a *App) Close(ctx context.Context) error {
	// First the LLM requests' records that the store has not taken yet (a
	// leader change, a full disk): for a few seconds at most, while the
	// store is still open to take them.
	a.pending.Close()
	var errs []error
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		if err := a.cleanup[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	a.cleanup = nil
	return errors.Join(errs...)
}

// providerHint is the advice that ends the failure of a request no
// provider could take when the config has no provider tables: how to get
// one, the keys not set in the environment among them.
func providerHint(configPath string, getenv func(string) string) string {
	if configPath == "" {
		configPath = DefaultConfigPath()
	}
	// A key already set is not offered: its provider was tried.
	var unset []string
	for _, k := range []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY"} {
		if getenv(k) == "" {
			unset = append(unset, k)
		}
	}
	keys := ""
	if len(unset) > 0 {
		keys = "set " + strings.Join(unset, " or ") + ", "
	}
	return fmt.Sprintf("start Ollama (ollama serve), set OLLAMA_HOST to a running server, %sor add a [providers.NAME] table to %s", keys, configPath)
}

// DataDirBusy reports whether a process has the store of data dir dir
// open (holds its lock), and which (see db.DirBusy).
func DataDirBusy(dir string) (holder string, busy bool) { return db.DirBusy(dir) }

// Event is a record of the event log, for the user interfaces (which go
// through app, never db).
type Event = db.Event

// ClusterMemberError is what opening a cluster member's data dir alone
// returns (db.ClusterMemberError): only its node can open it.
type ClusterMemberError = db.ClusterMemberError
