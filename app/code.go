package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
)

// Searcher returns retrieval over the code index. With [index] embed set,
// search re-ranks with embeddings, which the coordinator asks the
// configured provider for.
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
		if _, ok := t.Provider.(providers.Embedder); !ok {
			return nil, usererr.New("[index] embed names provider %q, which cannot compute embeddings (providers of kind %s can)", name, strings.Join(embedKinds, ", "))
		}
		// Through the coordinator: spend caps, breaker, rate limits,
		// retries and usage apply to embeddings as to chats.
		return c.Embedder(name), nil
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

// codeProject finds the project at root in the index, as the cluster
// has it (catchUp).
func (a *App) codeProject(ctx context.Context, root string) (db.CodeProject, bool, error) {
	a.catchUp(ctx)
	return a.Store.FindCodeProject(ctx, root)
}

// catchUp has this node apply what the cluster had committed before a
// read of the index: on a follower, an index run just finished through
// another node is applied here up to a heartbeat later, and a search then
// missed the files it indexed (or warned that no run had finished), and a
// context said a file just indexed had no chunks. db.Store.Sync closes
// the gap (~5 ms, at most syncWait); a single node and the leader need
// none. Without a leader, or one that does not answer in time, the read
// takes what this node has, as every read does then.
func (a *App) catchUp(ctx context.Context) {
	st := a.Store.Status()
	if !st.Cluster || st.Leader == "" || st.Leader == st.NodeID {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, syncWait)
	defer cancel()
	if err := a.Store.Sync(sctx); err != nil {
		a.logger.Debug("app: reading the index without catching up with the leader", "err", err)
	}
}

// syncWait bounds how long a read waits to catch up with the leader.
const syncWait = 2 * time.Second

// Search ranks the chunks of the project at root for query.
func (a *App) Search(ctx context.Context, root, query string, limit int) (*search.Result, error) {
	proj, ok, err := a.codeProject(ctx, root)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, usererr.New("%s has no code index yet; run aiex index there first", root)
	}
	// Embeddings only re-rank: when their model cannot be reached at
	// all (its provider cannot be built), the hits are ranked without
	// them, saying why, as when the query could not be embedded.
	s, embedErr := a.Searcher(ctx)
	if embedErr != nil {
		if ctx.Err() != nil {
			return nil, embedErr
		}
		s = search.New(search.Config{Store: a.Store})
	}
	res, err := s.Search(ctx, proj.ID, query, limit)
	if res != nil && embedErr != nil && res.EmbedError == "" {
		res.EmbedError = embedErrorText(embedErr)
	}
	if res != nil {
		res.Incomplete = proj.IndexedAt.IsZero()
		res.OtherVersion = index.ByOtherVersion(proj)
		res.Changed = a.changedSinceIndexed(ctx, proj, res.Hits)
	}
	return res, err
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
	// Reserve is the tokens kept for the answer; nil means a quarter of
	// the window, at most 4,096 (ctxbuild.DefaultReserve).
	Reserve *int
	// Data is what else the task's template needs (a refactoring's goal,
	// a new module's name and path); Target, Context and Question are
	// filled in.
	Data prompt.Data
	// Session, an id, puts the session's most recent turns that fit into
	// the prompt, as a question asked in it would have them.
	Session string
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
	// HistoryTurns earlier turns of the session went into the prompt,
	// taking HistoryTokens of its Tokens.
	HistoryTurns  int `json:"history_turns,omitempty"`
	HistoryTokens int `json:"history_tokens,omitempty"`
	// HistoryLeftOut older turns of the session, which a question would
	// carry if the window had room, did not fit the history's share of it
	// and were left out.
	HistoryLeftOut int `json:"history_left_out,omitempty"`
	// Conventions, when not nil, is the project's conventions file, whose
	// text went into the prompt (see ConventionsFile).
	Conventions *Conventions `json:"conventions,omitempty"`
	// TargetGone, when not "", says that the target the session's question
	// kept no longer exists in the project and was left out (buildKept).
	TargetGone string `json:"target_gone,omitempty"`
}

// BuildContext fits the code for a task into the context window of the
// model the request would go to first (coord.Plan).
func (a *App) BuildContext(ctx context.Context, req ContextRequest) (*BuiltContext, error) {
	if req.Task == "explain" && strings.TrimSpace(req.Target) == "" {
		return nil, usererr.Usage("name the code to explain: PATH, PATH:LINE or a symbol name")
	}
	a.catchUp(ctx)
	var b *BuiltContext
	err := a.underDeadline(ctx, func(ctx context.Context) (err error) {
		b, err = a.buildContextFor(ctx, req)
		return err
	})
	return b, err
}

// underDeadline runs do, the work of one request from its start (planning
// it, building its prompt, sending it), under the request's deadline
// ([limits] deadline): a provider that never answers — while its models
// are listed, or while the request waits for the answer — cannot hold the
// command past it. If the deadline cut do short, its error says so in one
// line rather than as a context error from wherever it struck.
func (a *App) underDeadline(ctx context.Context, do func(context.Context) error) error {
	c, err := a.Coord(ctx)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, c.Deadline())
	defer cancel()
	err = do(dctx)
	if err != nil && ctx.Err() == nil && errors.Is(dctx.Err(), context.DeadlineExceeded) && usererr.As(err) == nil {
		err = usererr.Wrap(err, "the request took longer than its %s deadline", c.Deadline())
	}
	return err
}

// buildContextFor is BuildContext under the request's deadline.
func (a *App) buildContextFor(ctx context.Context, req ContextRequest) (*BuiltContext, error) {
	p, err := a.plan(ctx, coord.Request{Provider: req.Provider, Model: req.Model, Strategy: req.Strategy}, req.Window)
	if ue := usererr.As(err); err != nil && req.Window > 0 && (ue == nil || ue.ExitCode() != usererr.ExitUsage) {
		// A model this node cannot reach (another node's, for an attached
		// TUI), or none reachable at all, and a window given: fitting needs
		// no model. Counted with the tokenizer of the model's family, or of
		// the configured default's when none is named.
		fam := TokenFamily(a.cfg.File)
		if req.Model != "" {
			fam = tokens.FamilyOf(req.Provider, req.Model)
		}
		p, err = &planned{provider: req.Provider, model: req.Model, window: req.Window, fam: fam, count: fam.Counter(),
			estimate: tokens.Estimate{Family: fam}}, nil
	}
	if err != nil {
		return nil, err
	}
	var sess *session.Session
	if req.Session != "" {
		svc, err := a.Sessions()
		if err != nil {
			return nil, err
		}
		if sess, err = svc.Open(ctx, session.Ref(req.Session), req.Root); err != nil {
			return nil, err
		}
	}
	return a.buildContext(ctx, req, p, sess)
}

// planned is the model a request would go to first, its window and how to
// count its tokens.
type planned struct {
	target          coord.Target
	provider        string // the target's provider's name
	model           string
	window          int
	fam             tokens.Family
	count, estimate tokens.Counter
	scale           float64 // see BuiltContext.Scale
}

// plan resolves the model a request would go to first (coord.Plan), its
// context window (window, when not 0) and its token counter: the model's
// tokenizer, else an estimate scaled by what the model was seen to count.
func (a *App) plan(ctx context.Context, r coord.Request, window int) (*planned, error) {
	return a.planAs(ctx, r, window, false)
}

// planAs is plan; with record, for a request sent only if it plans, its
// failure is recorded as the request's (coord.PlanOrRecord).
func (a *App) planAs(ctx context.Context, r coord.Request, window int, record bool) (*planned, error) {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil, err
	}
	plan := c.Plan
	if record {
		plan = c.PlanOrRecord
	}
	t, model, err := plan(ctx, r)
	if err != nil {
		return nil, err
	}
	if window == 0 {
		window = a.window(ctx, t, model)
	}
	fam := tokens.FamilyOf(t.Provider.Kind(), model)
	p := &planned{target: t, provider: t.Provider.Name(), model: model, window: window, fam: fam, count: fam.Counter(), estimate: tokens.Estimate{Family: fam}}
	if !fam.Exact() {
		// No tokenizer here: learn from what the model counted before.
		r, err := a.Store.PromptTokenRatio(ctx, t.Provider.Name(), model, window)
		if err != nil {
			return nil, err
		}
		if r > 1 {
			p.scale = r * (1 + learnedMargin)
			p.count = scaled{p.estimate, p.scale}
			p.estimate = p.count
		}
	}
	return p, nil
}

// historyShare is the part of the window a session's earlier turns may
// take in a prompt with code; without code they may take twice as much.
const historyShare = 4

// buildContext builds the context of req for the planned model. With a
// session, its most recent turns that fit in a share of the window go
// into the prompt before the question, and the code gets what is left.
func (a *App) buildContext(ctx context.Context, req ContextRequest, p *planned, sess *session.Session) (*BuiltContext, error) {
	prompts, err := a.Prompts()
	if err != nil {
		return nil, err
	}
	s, err := a.Searcher(ctx)
	if err != nil {
		return nil, err
	}
	// The answer's reserve: a quarter of the window, at most 4,096 tokens,
	// unless the request says (0 included).
	reserve := ctxbuild.DefaultReserve(p.window)
	if req.Reserve != nil {
		reserve = *req.Reserve
	}
	if reserve >= p.window {
		// Said of the user's own number, before the history adds to it.
		return nil, ctxbuild.NoRoom(reserve, p.window)
	}
	var history []providers.Message
	turns, histTokens := 0, 0
	if sess != nil {
		history, turns = sess.HistoryWithin(p.window/historyShare, p.count.Count)
		histTokens = countMessages(p.count, history)
	}
	opt := index.ChunkOptions(TokenFamily(a.cfg.File))
	opt.Trees = a.trees // an edited file is chunked again at each context until it is indexed
	b := ctxbuild.New(ctxbuild.Config{Store: a.Store, Search: s, Prompts: prompts, Chunk: opt, Private: a.private()})
	// A question without a target of its own in a session is about the
	// code the session is about.
	kept := sessionTarget(req, sess)
	breq := ctxbuild.Request{
		Task: cmp.Or(req.Task, "ask"), Root: req.Root, Target: cmp.Or(kept.target, req.Target), Question: req.Question, Data: req.Data,
		Window: p.window, Reserve: new(reserve + histTokens), Count: p.count, Estimate: p.estimate,
	}
	// The project's own conventions (the AGENTS.md nearest the target), in
	// their share of the window, unless the request brings its own.
	var conv *Conventions
	if req.Root != "" {
		breq.Conventions = func(dir string) []string {
			text, c, err := projectConventions(req.Root, dir, p.window, p.count)
			if err != nil {
				a.logger.Warn("conventions", "err", err)
			}
			if text == "" {
				return nil
			}
			conv = c
			return []string{text}
		}
	}
	built, gone, err := a.buildKept(ctx, b, breq, kept)
	if err != nil {
		return nil, err
	}
	if len(built.Data.Conventions) == 0 {
		conv = nil // left out: the question and the target needed the room
	}
	if turns > 0 {
		// The history is part of the prompt: the answer keeps its reserve.
		built.Prompt = session.WithHistory(history, built.Prompt)
		built.Tokens += histTokens
		built.Reserve, built.Budget = reserve, p.window-reserve
	}
	return &BuiltContext{Context: built, Provider: p.provider, Model: p.model, Tokenizer: string(p.fam),
		Exact: p.fam.Exact(), Scale: p.scale, HistoryTurns: turns, HistoryTokens: histTokens, HistoryLeftOut: historyLeftOut(sess, turns),
		Conventions: conv, TargetGone: gone}, nil
}

// historyLeftOut is how many of sess's answered turns (all a question
// would carry as its history) are not among the turns most recent that
// went into its prompt; 0 without a session.
func historyLeftOut(sess *session.Session, turns int) int {
	if sess == nil {
		return 0
	}
	return max(len(sess.History())/2-turns, 0)
}

// countMessages counts messages as a chat format sends them.
func countMessages(count tokens.Counter, msgs []providers.Message) int {
	n := 0
	for _, m := range msgs {
		n += count.Count(m.Content) + sessionMessageOverhead
	}
	return n
}

// sessionMessageOverhead is what a chat format adds per message.
const sessionMessageOverhead = 4

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
	// Looking a window up is as cheap as listing the models: a server that
	// has not answered in that time leaves the window to the fallbacks.
	ctx, cancel := context.WithTimeout(ctx, coord.DefaultListTimeout)
	defer cancel()
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
	// Through the coordinator's catalog: a server that takes the listing
	// and never answers is then held as such, and the request passes it
	// over rather than send it the chat too.
	if c, err := a.Coord(ctx); err == nil {
		if ms, err := c.Models(ctx, t.Provider.Name()); err == nil {
			for _, m := range ms {
				if m.Name == model && m.ContextWindow > 0 {
					return m.ContextWindow
				}
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
	// Request's Prompt is the user's words: the question that goes to the
	// model with the code, and the search's query; "" for a task that
	// has none (a refactoring, whose goal is in Data; gen tests).
	ask.Request
	Task   string // "ask" (default) or "explain"
	Root   string // the project's root; "" asks without code
	Target string // PATH, PATH:LINE or a symbol; "" for none
	// NoContext sends the question alone, as if the project had no index.
	NoContext bool
	// Data is what else the task's template needs (see ContextRequest).
	Data prompt.Data
	// Recorded, when set, is what the request is recorded as, in the
	// history and the session's turn, instead of its question
	// (recordedPrompt): a workflow's command (refactor TARGET: GOAL).
	Recorded string
	// Session records the question and its answer as a turn of a session:
	// session.RefNew, RefLast or an id; "" records nothing. The session's
	// earlier turns go into the prompt.
	Session session.Ref
	// Project is the project the session belongs to; "" means Root.
	Project string
	// Prepared, when set, is the prompt, built by another node: the
	// messages go as they are (Root, Target and the session's history are
	// not looked at), and the turn records its context.
	Prepared *Prepared
	// OnTurn, when set, is told the session and turn as soon as the turn
	// is recorded as started, before the answer: a client at a distance
	// (a node's) then knows the session even if the answer never ends.
	OnTurn func(session string, turn int64)
}

// Prepared is a prompt built by the node where the project's files are,
// for a question another node answers (a TUI attached to it): the
// messages, with the code and the session's history in them, and what
// they hold.
type Prepared struct {
	Messages []providers.Message     `json:"messages"`
	Context  *session.ContextSummary `json:"context,omitempty"`
	// Window is the context window the messages were fitted to.
	Window int `json:"window,omitempty"`
}

// Answer is how a question was answered.
type Answer struct {
	Interaction *db.Interaction `json:"interaction"`
	Context     *BuiltContext   `json:"context,omitempty"` // nil: no code was sent
	Session     string          `json:"session,omitempty"` // the session the turn was recorded in
	Turn        int64           `json:"turn,omitempty"`
	// Warning says what the user should know of an answer that came:
	// that the server most likely cut the prompt (see promptCut), that no
	// index run over the whole project has finished, so that code it did
	// not reach was not in the context (ctxbuild.IncompleteWarning), that
	// another version of aiex made the index (ctxbuild.OtherVersionWarning);
	// one line each.
	Warning string `json:"warning,omitempty"`
	// Note says what the user should know of the session: that --session
	// last found none to continue and the question started one.
	Note string `json:"note,omitempty"`
}

// turnEndTimeout bounds recording how a turn ended once the request's own
// context is done (Ctrl-C): the record must still be written.
const turnEndTimeout = 10 * time.Second

// AskCode answers a question about the project's code: when the project
// has an index (or a target is given), the prompt carries the code that
// ctxbuild fits into the window of the model the request goes to first.
// With a session, the question is recorded as its next turn before the
// request goes out and the answer when it ends — completed, interrupted
// (cancelled; with the part that arrived) or failed — and the session's
// earlier turns go with the question. The Answer is returned, as far as
// it got, with any error.
func (a *App) AskCode(ctx context.Context, req CodeAsk, fn func(text string) error) (*Answer, error) {
	var ans *Answer
	err := a.underDeadline(ctx, func(ctx context.Context) (err error) {
		ans, err = a.askCode(ctx, req, fn)
		return err
	})
	return ans, err
}

// askCode is AskCode under the request's deadline.
func (a *App) askCode(ctx context.Context, req CodeAsk, fn func(text string) error) (*Answer, error) {
	if req.Start.IsZero() {
		// The request's time counts its planning (a model list that kept
		// it waiting) and the building of its prompt.
		req.Start = time.Now()
	}
	task, err := checkAsk(req)
	if err != nil {
		return nil, err
	}
	var sess *session.Session
	if req.Session != "" {
		svc, err := a.Sessions()
		if err != nil {
			return nil, err
		}
		if sess, err = svc.Begin(ctx, req.Session, projectOf(req), req.Actor); err != nil {
			return nil, err
		}
	}
	if p := req.Prepared; p != nil {
		if len(p.Messages) == 0 {
			return nil, usererr.Usage("a prepared prompt has no messages")
		}
		req.Messages, req.Window = p.Messages, p.Window
		if sess == nil {
			in, err := a.Ask(ctx, req.Request, fn)
			if u, ok := unrecorded(in, err, nil, "", 0); ok {
				err = u
				a.noteUnrecorded(ctx, in, u)
			}
			return &Answer{Interaction: in}, err
		}
		return a.askInSession(ctx, sess, req, p.Context, nil, &Answer{}, fn)
	}
	ap, err := a.prepareAsk(ctx, &req, task, sess, true)
	if err != nil {
		return nil, err
	}
	ans := &Answer{Context: ap.context}
	summary, p := ap.summary, ap.plan
	// The messages are built: the prompt is only recorded from here on,
	// in the history and the session's turn alike.
	req.Prompt = recordedPrompt(req)
	if sess == nil {
		in, err := a.Ask(ctx, req.Request, fn)
		ans.Interaction, ans.Warning = in, answerWarning(in, p, ans.Context, req.Root)
		if u, ok := unrecorded(in, err, nil, "", 0); ok {
			err = u
			a.noteUnrecorded(ctx, in, u)
		}
		return ans, err
	}
	return a.askInSession(ctx, sess, req, summary, p, ans, fn)
}

// ErrStopping is the cause with which a process serving the data dir to
// other processes (a node, a TUI) cancels the requests it serves when it
// stops (app/node).
var ErrStopping = errors.New("the aiex process serving this data dir quit")

// recordedPrompt is what a question is recorded as, in the history and in
// its session's turn: a task without words of the user's (explain TARGET)
// as the command it was; a question about a target ("why is this here")
// with its target, without which it means nothing on reading it again, or
// to the model in a later turn of the session. The workflows say what
// they are recorded as ("refactor TARGET: GOAL", Recorded).
func recordedPrompt(req CodeAsk) string {
	target := strings.TrimSpace(req.Target)
	task := cmp.Or(req.Task, "ask")
	switch {
	case req.Recorded != "":
		return req.Recorded
	case req.Prompt == "":
		return strings.TrimSpace(task + " " + target)
	case target != "" && (task == "ask" || task == "explain"):
		return task + " " + target + ": " + req.Prompt
	}
	return req.Prompt
}

// askInSession asks req as the next turn of sess. p, when not nil, is the
// model the request is planned for: the turn records it from the start,
// so that a turn whose process dies before the answer names it too.
func (a *App) askInSession(ctx context.Context, sess *session.Session, req CodeAsk, summary *session.ContextSummary, p *planned, ans *Answer,
	fn func(text string) error) (*Answer, error) {
	// As recordedPrompt made it, or a prepared prompt's own (a task's
	// "refactor TARGET: GOAL").
	recorded := cmp.Or(req.Prompt, strings.TrimSpace(cmp.Or(req.Task, "ask")+" "+req.Target))
	provider, model := req.Provider, req.Model
	if p != nil {
		provider, model = p.provider, p.model
	}
	n, err := sess.RecordTurnStarted(ctx, session.TurnStart{Prompt: recorded, Provider: provider, Model: model, Context: summary})
	if err != nil {
		return nil, err
	}
	ans.Session, ans.Turn, ans.Note = sess.ID(), n, sess.Note()
	req.SessionID = sess.ID()
	if req.OnTurn != nil {
		req.OnTurn(ans.Session, n)
	}
	var text strings.Builder
	in, askErr := a.Ask(ctx, req.Request, func(s string) error {
		text.WriteString(s)
		return fn(s)
	})
	ans.Interaction, ans.Warning = in, withKept(answerWarning(in, p, ans.Context, req.Root), ans.Context)
	res := session.TurnResult{Answer: text.String(), Provider: provider, Model: model, Node: a.Store.NodeID(), Context: summary}
	if in != nil {
		res.Provider, res.Model, res.Node, res.InteractionID = in.Provider, in.Model, in.Node, in.ID
		res.PromptTokens, res.CompletionTokens = int64(in.PromptTokens), int64(in.CompletionTokens)
		res.CostUSD, res.CostUnknown = in.CostUSD, in.CostUnknown != nil && *in.CostUnknown
		if in.TTFTMillis != nil {
			res.TTFTMillis = int64(*in.TTFTMillis)
		}
		if in.TotalMillis != nil {
			res.TotalMillis = int64(*in.TotalMillis)
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnEndTimeout)
	defer cancel()
	var recErr error
	switch {
	case askErr == nil || (in != nil && in.Status == db.StatusOK):
		// The answer arrived whole; an error then is the history's row
		// that could not be written (a full disk), and the turn is
		// completed all the same: its end is retried until the store
		// can write again, with the answer.
		recErr = sess.RecordTurnCompleted(rctx, n, res)
	case errors.Is(askErr, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		// Stopped by the user (or a closed stdout); a request that ran
		// out of its deadline failed, and says so.
		res.Reason = "cancelled"
		if errors.Is(context.Cause(ctx), ErrStopping) {
			// Not the asker's doing: the process serving the data dir
			// (a node, a TUI lending its core) quit.
			res.Reason = ErrStopping.Error() + " before the answer finished"
		}
		recErr = sess.RecordTurnInterrupted(rctx, n, res)
	case in != nil && in.Status == db.StatusInterrupted:
		// The provider broke off: the partial answer stands, as the
		// interaction records it, and so does the provider's account of
		// why — not the message on the screen, which says what became of
		// the record.
		res.Reason = cmp.Or(in.Error, askErr.Error())
		recErr = sess.RecordTurnInterrupted(rctx, n, res)
	default:
		res.Reason = askErr.Error()
		recErr = sess.RecordTurnFailed(rctx, n, res)
	}
	if u, ok := unrecorded(in, askErr, recErr, sess.ID(), n); ok {
		// The answer streamed whole, and the disk had no room for its
		// records: asking again would pay for it twice. What was recorded
		// and what was not is said; this process keeps trying the rest
		// (and the session's next use takes the request's recorded answer
		// for a turn left running).
		a.noteUnrecorded(ctx, in, u)
		return ans, u
	}
	switch {
	case recErr != nil:
		recErr = fmt.Errorf("record turn %d of session %s: %w", n, sess.ID(), recErr)
	}
	if askErr != nil {
		if recErr != nil {
			a.logger.Warn("session", "err", recErr)
		}
		return ans, askErr
	}
	return ans, recErr
}
