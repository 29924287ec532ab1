package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
)

// Searcher returns retrieval over the code index. With [index] embed set,
// the embedding provider is built (as the coordinator's targets are) and
// search re-ranks with embeddings.
func (a *App) Searcher(ctx context.Context) (*search.Searcher, error) {
	cfg := search.Config{Store: a.Store}
	if e := a.cfg.File.Index.Embed; e != "" {
		name, model, _ := strings.Cut(e, "/")
		emb, err := a.embedder(ctx, name)
		if err != nil {
			return nil, err
		}
		cfg.Embedder, cfg.EmbedModel, cfg.EmbedKey = emb, model, e
	}
	return search.New(cfg), nil
}

// embedder returns the provider called name if it computes embeddings.
func (a *App) embedder(ctx context.Context, name string) (search.Embedder, error) {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range c.Targets() {
		names = append(names, t.Provider.Name())
		if t.Provider.Name() != name {
			continue
		}
		emb, ok := t.Provider.(providers.Embedder)
		if !ok {
			return nil, usererr.New("[index] embed names provider %q, which cannot compute embeddings (ollama and openai kinds can)", name)
		}
		return emb, nil
	}
	return nil, usererr.New("[index] embed names provider %q, which is not configured; configured: %s", name, strings.Join(names, ", "))
}

// EmbedIndex embeds the chunks of the project at root that the configured
// embedding model has not embedded yet; it does nothing when none is
// configured.
func (a *App) EmbedIndex(ctx context.Context, root string, progress func(int)) (search.EmbedStats, bool, error) {
	if a.cfg.File.Index.Embed == "" {
		return search.EmbedStats{}, false, nil
	}
	s, err := a.Searcher(ctx)
	if err != nil {
		return search.EmbedStats{}, false, err
	}
	proj, ok, err := a.Store.FindCodeProject(ctx, root)
	if err != nil || !ok {
		return search.EmbedStats{}, false, err
	}
	st, err := s.Embed(ctx, proj, a.Store.NodeID(), progress)
	return st, true, err
}

// Search ranks the chunks of the project at root for query.
func (a *App) Search(ctx context.Context, root, query string, limit int) (*search.Result, error) {
	proj, ok, err := a.Store.FindCodeProject(ctx, root)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, usererr.New("%s has no code index yet; run aiex index there first", root)
	}
	s, err := a.Searcher(ctx)
	if err != nil {
		return nil, err
	}
	return s.Search(ctx, proj.ID, query, limit)
}

// ContextRequest asks for the context of a task.
type ContextRequest struct {
	Task     string // prompt template; "" means "ask"
	Root     string // the project's root
	Target   string // PATH, PATH:LINE or a symbol; "" for none
	Question string
	Provider string // "" lets the strategy choose
	Model    string // "" means the provider's default
	Strategy coord.Strategy
	Window   int // overrides the model's context window; 0 asks the provider
	Reserve  int // tokens kept for the answer; 0 means a quarter of the window
}

// BuiltContext is a context and the model it was fitted to.
type BuiltContext struct {
	*ctxbuild.Context
	Provider  string `json:"provider"`
	Model     string `json:"model"`
	Tokenizer string `json:"tokenizer"` // the token family counted with
	Exact     bool   `json:"exact"`     // counted with the model's real tokenizer
	// Scale, when not 0, is how much the estimate was scaled by, learned
	// from the prompt tokens the model reported for earlier requests.
	Scale float64 `json:"scale,omitempty"`
}

// BuildContext fits the code for a task into the context window of the
// model the request would go to first (coord.Plan).
func (a *App) BuildContext(ctx context.Context, req ContextRequest) (*BuiltContext, error) {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, err
	}
	t, model, err := c.Plan(ctx, coord.Request{Provider: req.Provider, Model: req.Model, Strategy: req.Strategy})
	if err != nil {
		return nil, err
	}
	window := req.Window
	if window == 0 {
		window = a.window(ctx, t, model)
	}
	prompts, err := a.Prompts()
	if err != nil {
		return nil, err
	}
	s, err := a.Searcher(ctx)
	if err != nil {
		return nil, err
	}
	fam := tokens.FamilyOf(t.Provider.Kind(), model)
	var count, estimate tokens.Counter = fam.Counter(), tokens.Estimate{Family: fam}
	scale := 0.0
	if !fam.Exact() {
		// No tokenizer here: learn from what the model counted before.
		r, err := a.Store.PromptTokenRatio(ctx, t.Provider.Name(), model)
		if err != nil {
			return nil, err
		}
		if r > 1 {
			scale = r * (1 + learnedMargin)
			count = scaled{estimate, scale}
			estimate = count
		}
	}
	b := ctxbuild.New(ctxbuild.Config{Store: a.Store, Search: s, Prompts: prompts, Chunk: index.ChunkOptions(TokenFamily(a.cfg.File))})
	built, err := b.Build(ctx, ctxbuild.Request{
		Task: cmp.Or(req.Task, "ask"), Root: req.Root, Target: req.Target, Question: req.Question,
		Window: window, Reserve: req.Reserve, Count: count, Estimate: estimate,
	})
	if err != nil {
		return nil, err
	}
	return &BuiltContext{Context: built, Provider: t.Provider.Name(), Model: model, Tokenizer: string(fam), Exact: fam.Exact(),
		Scale: scale}, nil
}

// learnedMargin is added to a ratio learned from a model's own counts: it
// is the highest of recent requests, which differ in their mix of code
// and prose.
const learnedMargin = 0.05

// scaled is an estimate scaled by what a model was seen to count.
type scaled struct {
	est   tokens.Counter
	scale float64
}

func (s scaled) Count(text string) int { return int(math.Ceil(float64(s.est.Count(text)) * s.scale)) }

// promptWindower is implemented by providers that know the window a
// prompt must fit (Ollama: what the server runs the model with).
type promptWindower interface {
	PromptWindow(ctx context.Context, model string) (int, error)
}

// window is the context window of model at t: the config's
// context_window, else what the provider says, else a known figure, else
// 4,096 tokens (the smallest window in common use: erring small only
// leaves code out, erring large gets the prompt cut).
func (a *App) window(ctx context.Context, t coord.Target, model string) int {
	if pc, ok := a.cfg.File.Providers[t.Provider.Name()]; ok && pc.ContextWindow > 0 {
		return pc.ContextWindow
	}
	if pw, ok := t.Provider.(promptWindower); ok {
		if n, err := pw.PromptWindow(ctx, model); err == nil && n > 0 {
			return n
		}
	}
	if cw, ok := t.Provider.(contextWindower); ok {
		if n, err := cw.ContextWindow(ctx, model); err == nil && n > 0 {
			return n
		}
	}
	if ms, err := t.Provider.Models(ctx); err == nil {
		for _, m := range ms {
			if m.Name == model && m.ContextWindow > 0 {
				return m.ContextWindow
			}
		}
	}
	if n := openai.KnownContextWindow(model); n > 0 {
		return n
	}
	return defaultWindow
}

const defaultWindow = 4096

// describeContext is a one-line account of a context, for logs.
func describeContext(b *BuiltContext) string {
	return fmt.Sprintf("%s/%s: %d of %d tokens, %d included, %d dropped", b.Provider, b.Model, b.Tokens, b.Budget,
		len(b.Included), len(b.Dropped))
}

// CodeAsk is a question or task about the project's code.
type CodeAsk struct {
	ask.Request
	Task   string // "ask" (default) or "explain"
	Root   string // the project's root; "" asks without code
	Target string // PATH, PATH:LINE or a symbol; "" for none
	// NoContext sends the question alone, as if the project had no index.
	NoContext bool
}

// AskCode answers a question about the project's code: when the project
// has an index (or a target is given), the prompt carries the code that
// ctxbuild fits into the window of the model the request goes to first.
// It returns the context used, nil if none.
func (a *App) AskCode(ctx context.Context, req CodeAsk, fn func(text string) error) (*db.Interaction, *BuiltContext, error) {
	task := cmp.Or(req.Task, "ask")
	if req.Root != "" && !req.NoContext {
		_, indexed, err := a.Store.FindCodeProject(ctx, req.Root)
		if err != nil {
			return nil, nil, err
		}
		if indexed || req.Target != "" {
			built, err := a.BuildContext(ctx, ContextRequest{Task: task, Root: req.Root, Target: req.Target,
				Question: req.Prompt, Provider: req.Provider, Model: req.Model, Strategy: req.Strategy})
			if err != nil {
				return nil, nil, err
			}
			a.logger.Debug("context", "task", task, "built", describeContext(built))
			req.Messages = built.Prompt
			in, err := a.Ask(ctx, req.Request, fn)
			return in, built, err
		}
	}
	if task != "ask" {
		return nil, nil, usererr.Usage("%s needs a target: PATH, PATH:LINE or a symbol name", task)
	}
	in, err := a.Ask(ctx, req.Request, fn)
	return in, nil, err
}
