package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// The node API, served to peers over the mesh (whose transport has
// authenticated and authorised them) and to this machine's commands over
// the unix socket (mode 0600; the last four routes are the socket's only). JSON in and out; streams are
// newline-delimited JSON.
//
//	GET  /v1/status[?plan=1] ClusterStatus (with plan=1, the model a question would go to)
//	GET  /v1/models          every model this node can route to (ModelsReply)
//	POST /v1/chat            a forwarded request for one of this node's local providers (chatRequest → chatFrame…)
//	POST /v1/ask             a question for this node's core, from a command (AskRequest → askFrame…)
//	GET  /v1/events?after=N[&stream=S…]  every event (of streams S: names or PREFIX*) with id > N, then new ones as they are appended (db.Event…)
//	POST /v1/leave           this node leaves the cluster
//	POST /v1/remove?node=ID  removes another node (its ID, or its name)
//	POST /v1/session         a session command (app.SessionRequest → reply{app.SessionResult})
//	POST /v1/replay          rebuilds the projections from the event log (replayRequest → reply{events.ReplayReport})
//	POST /v1/prune           deletes old events through snapshots (pruneRequest → reply{events.PruneReport})
//	POST /v1/checkpoint      a checkpoint command (app.CheckpointRequest → reply{app.CheckpointResult})
//	POST /v1/audit           aiex audit (app.AuditRequest → reply{app.AuditResult})
//	POST /v1/history         aiex history (queryRequest → reply{[]app.Interaction})
//	POST /v1/usage           aiex usage (queryRequest → reply{[]app.UsageRow})
//	POST /v1/report          aiex status and providers of this node's core (queryRequest → reply{app.StatusReport})
//	POST /v1/code            aiex index, search, context, providers; the TUI's files (CodeRequest → reply{CodeResult})
//	POST /v1/keys            aiex keys set|list|rm (KeysRequest → reply{[]keys.Entry}); the socket is 0600
//	POST /v1/task            refactor or gen: the answer streamed, then the checked proposal (TaskRequest → taskFrame…)
//	POST /v1/apply           writes a proposal's changes through a checkpoint (app.ApplyRequest → reply{checkpoint.Result})
//	GET  /v1/serving         how many answers the process streams for its clients (ServingReply; see serving.go)
//	GET  /v1/via/{node}      resolves another node for an attached TUI and checks it takes one (AttachInfo)
//	     /v1/via/{node}/…    relays the request to that node's API over the mesh (see attach.go)
//
// Peers on the mesh get what forwarding and status need (status, models,
// chat), and what a TUI attached to this node through its own node needs
// (attach, ask, events and session reads, narrowed: see attach.go) unless
// [cluster] refuse_attach is set; the rest — running this node's core on
// a path of this machine, writes, keys, membership changes, the audit
// log — is for the socket, that is for this machine's user.
func (n *Node) routes(local bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", n.handleStatus)
	mux.HandleFunc("GET /v1/models", n.handleModels)
	mux.HandleFunc("POST /v1/chat", n.handleChat)
	if !local {
		n.attachRoutes(mux)
	}
	if local {
		mux.HandleFunc("GET /v1/via/{node}", n.handleResolve)
		mux.HandleFunc("/v1/via/{node}/{rest...}", n.handleVia)
		mux.HandleFunc("POST /v1/ask", n.handleAsk)
		mux.HandleFunc("GET /v1/events", n.handleEvents)
		mux.HandleFunc("POST /v1/leave", finishing(n.handleLeave))
		mux.HandleFunc("POST /v1/remove", finishing(n.handleRemove))
		mux.HandleFunc("POST /v1/session", finishing(n.handleSession))
		mux.HandleFunc("POST /v1/replay", n.handleReplay)
		mux.HandleFunc("POST /v1/prune", n.handlePrune)
		mux.HandleFunc("POST /v1/checkpoint", finishing(n.handleCheckpoint))
		mux.HandleFunc("POST /v1/task", n.handleTask)
		mux.HandleFunc("POST /v1/audit", finishing(n.handleAudit))
		mux.HandleFunc("POST /v1/history", finishing(n.handleQuery))
		mux.HandleFunc("POST /v1/usage", finishing(n.handleQuery))
		mux.HandleFunc("POST /v1/report", finishing(n.handleQuery))
		mux.HandleFunc("POST /v1/code", n.handleCode)
		mux.HandleFunc("POST /v1/keys", finishing(n.handleKeys))
		mux.HandleFunc("POST /v1/apply", finishing(n.handleApply))
		mux.HandleFunc("GET /v1/serving", finishing(n.handleServing))
	}
	return &answers{h: mux}
}

// errStopping is the cause with which a stopping node (or a process
// lending its core) cancels the requests in flight.
var errStopping = app.ErrStopping

// finishing wraps the handler of a short request — a read, a session or
// checkpoint command, a write of a proposal — so that a node stopping lets
// it finish (Shutdown waits for it; its bound cuts it) rather than cancel
// it: a command on the data dir while the TUI serving it quits would get
// "context canceled" for a history read. The client going away still
// cancels it. Streams (asks, tasks, event tails, relays) and runs of any
// length (the index) are cancelled as before.
func finishing(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		defer cancel()
		stop := context.AfterFunc(r.Context(), func() {
			if !errors.Is(context.Cause(r.Context()), errStopping) {
				cancel() // the client went away
			}
		})
		defer stop()
		h(w, r.WithContext(ctx))
	}
}

// ClusterStatus is what GET /v1/status returns.
type ClusterStatus struct {
	Self    string         `json:"self"` // this node's ID
	Addr    string         `json:"addr"`
	Store   db.Status      `json:"store"`
	Members []db.Member    `json:"members"`
	Nodes   []db.Node      `json:"nodes"`
	Models  []db.NodeModel `json:"models"`
	Error   string         `json:"error,omitempty"` // members could not be listed (no quorum)
	// Provider and Model are what a question naming no model would go to
	// now, as this node plans it, and ModelNode the node hosting it when
	// another. Only GET /v1/status?plan=1 fills them (planning may list a
	// provider's models: aiex cluster status does not wait for that), and
	// they stay empty when no model can be planned.
	Provider  string `json:"provider,omitempty"`
	Model     string `json:"model,omitempty"`
	ModelNode string `json:"model_node,omitempty"`
}

// Status reports the cluster as this node sees it.
func (n *Node) Status(ctx context.Context) (*ClusterStatus, error) {
	st := n.app.Store
	cs := &ClusterStatus{Self: st.NodeID(), Addr: n.Addr(), Store: st.Status()}
	var err error
	if cs.Members, err = st.Members(ctx); err != nil {
		cs.Error = err.Error()
	}
	n.peerStates(ctx, cs.Members)
	if cs.Nodes, err = st.Nodes(ctx); err != nil {
		return nil, err
	}
	if cs.Models, err = st.NodeModels(ctx); err != nil {
		return nil, err
	}
	return cs, nil
}

// peerStates fills in the Raft state and applied index of the other
// members, which rqlite's node meta lacks, by asking each node's API
// (in parallel, briefly: an unreachable node keeps them empty).
func (n *Node) peerStates(ctx context.Context, ms []db.Member) {
	ctx, cancel := context.WithTimeout(ctx, peerStatusTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for i := range ms {
		if ms[i].Self || !ms[i].Reachable {
			continue
		}
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ms[i].Addr+"/v1/status?self=1", nil)
			if err != nil {
				return
			}
			resp, err := n.hc.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var st db.Status
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&st) == nil {
				ms[i].State, ms[i].AppliedIndex = st.State, st.AppliedIndex
			}
		})
	}
	wg.Wait()
}

// peerStatusTimeout bounds peerStates.
const peerStatusTimeout = time.Second

func (n *Node) handleStatus(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("self") != "" {
		writeJSON(w, n.app.Store.Status()) // a peer filling in its status
		return
	}
	cs, err := n.Status(r.Context())
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	if r.URL.Query().Get("plan") != "" {
		n.fillPlan(r.Context(), cs) // a status bar naming the next question's model
	}
	writeJSON(w, cs)
}

// ModelsReply is what GET /v1/models returns: app.Models as this node
// sees it, other nodes' models included.
type ModelsReply struct {
	Models []app.ModelInfo   `json:"models"`
	Errors map[string]string `json:"errors"`
}

func (n *Node) handleModels(w http.ResponseWriter, r *http.Request) {
	ms, errs, err := n.app.Models(r.Context())
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, ModelsReply{Models: ms, Errors: errs})
}

// handleChat runs a forwarded request on one of this node's own local
// providers. The origin node records the interaction; this one does not.
func (n *Node) handleChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad chat request: %w", err))
		return
	}
	p, err := n.localProvider(r.Context(), req.Provider)
	if err != nil {
		httpError(w, http.StatusNotFound, err)
		return
	}
	fw := newFrameWriter(w)
	stop := fw.keepalive(keepaliveEvery)
	defer stop()
	sent := false
	res, err := p.Chat(r.Context(), providers.Request{Model: req.Model, Messages: req.Messages, Tools: req.Tools,
		Temperature: req.Temperature, MaxTokens: req.MaxTokens, Window: req.Window}, func(c providers.Chunk) error {
		sent = true
		return fw.write(chatFrame{Text: c.Text, ToolCall: c.ToolCall})
	})
	if err != nil && r.Context().Err() != nil && n.quitting() {
		// Cut by this node quitting, not by the node that asked: said
		// so, rather than as the provider's "context canceled". Before
		// any text the asking node may fail over; after, the answer was
		// interrupted (as when a node dies mid-answer).
		we := &wireError{Kind: providers.KindUnavailable, Message: fmt.Sprintf("node %s quit before answering (it is stopping)", n.self.Name)}
		if sent {
			we = &wireError{Kind: providers.KindInterrupted, Message: fmt.Sprintf("node %s quit mid-answer (it is stopping)", n.self.Name)}
		}
		fw.write(chatFrame{Error: we})
		return
	}
	if err != nil {
		fw.write(chatFrame{Error: toWire(err)})
		return
	}
	fw.write(chatFrame{Done: &res})
}

// localProvider is this node's own provider called name.
func (n *Node) localProvider(ctx context.Context, name string) (providers.Provider, error) {
	c, err := n.app.Coord(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range c.Targets() {
		if t.Node == "" && t.Local && t.Provider.Name() == name {
			return t.Provider, nil
		}
	}
	return nil, fmt.Errorf("node %s has no local provider %q", n.app.Store.NodeID(), name)
}

func (n *Node) handleEvents(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	streams := r.URL.Query()["stream"]
	log, err := n.app.Events()
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	fw := newFrameWriter(w)
	if wantKeepalive(r) {
		stop := fw.keepalive(keepaliveEvery)
		defer stop()
	}
	err = log.Subscribe(r.Context(), streams, after, func(evs []db.Event) error {
		for _, ev := range evs {
			if err := fw.write(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, db.ErrClosed) {
		n.logger.Debug("events tail", "err", err)
	}
}

func (n *Node) handleLeave(w http.ResponseWriter, r *http.Request) {
	if err := n.app.Store.Leave(r.Context()); err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, db.ErrLastVoter) {
			code = http.StatusConflict
		}
		httpError(w, code, err)
		return
	}
	writeJSON(w, map[string]string{"left": n.app.Store.NodeID()})
}

// handleRemove removes the node given by its ID or, when that is no
// member's ID, by its name as cluster status shows it.
func (n *Node) handleRemove(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("node")
	if id == "" {
		httpError(w, http.StatusBadRequest, errors.New("no node given"))
		return
	}
	err := n.remove(r.Context(), id)
	if errors.Is(err, db.ErrNotMember) {
		nd, rerr := n.resolveNode(r.Context(), id, "remove")
		var re *resolveError
		switch {
		case rerr == nil:
			id = nd.ID
			err = n.remove(r.Context(), id)
		case errors.As(rerr, &re) && re.code == http.StatusConflict:
			// Several members have that name: say so, with their IDs,
			// rather than that none is a member.
			httpError(w, re.code, re)
			return
		}
	}
	switch {
	case errors.Is(err, errRemoveSelf):
		httpError(w, http.StatusBadRequest, err)
	case errors.Is(err, db.ErrNotMember):
		httpError(w, http.StatusNotFound, err)
	case err != nil:
		httpError(w, http.StatusServiceUnavailable, err)
	default:
		writeJSON(w, map[string]string{"removed": id})
	}
}

var errRemoveSelf = errors.New("that is this node; use aiex cluster leave")

// remove removes the member with ID id, unless it is this node.
func (n *Node) remove(ctx context.Context, id string) error {
	if id == n.app.Store.NodeID() {
		return errRemoveSelf
	}
	if err := n.app.Store.Remove(ctx, id); err != nil {
		return err
	}
	// Its requests still running never end now (only their node ends
	// them, when it opens its store): marked interrupted, so that usage
	// counts them. Best effort: history shows them so anyway.
	if k, err := n.app.Store.InterruptGone(ctx); err != nil {
		n.logger.Warn("could not mark the removed node's running requests interrupted", "node", id, "err", err)
	} else if k > 0 {
		n.logger.Info("marked the removed node's running requests interrupted", "node", id, "requests", k)
	}
	return nil
}

// keepaliveEvery is how often a forwarded answer with nothing to say (a
// model loading, a long think) sends an empty frame, so that the origin can
// tell a slow model from a dead node (see idleTimeout).
const keepaliveEvery = 2 * time.Second

// frameWriter writes newline-delimited JSON, flushing each line.
type frameWriter struct {
	mu  sync.Mutex
	w   http.ResponseWriter
	enc *json.Encoder
	rc  *http.ResponseController
}

// keepalive writes an empty frame every d until stop is called.
func (f *frameWriter) keepalive(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if f.write(struct{}{}) != nil {
					return
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func newFrameWriter(w http.ResponseWriter) *frameWriter {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	f := &frameWriter{w: w, enc: json.NewEncoder(w), rc: http.NewResponseController(w)}
	f.rc.Flush() // the header now: the origin times out waiting for it
	return f
}

func (f *frameWriter) write(v any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enc.Encode(v); err != nil {
		return err
	}
	return f.rc.Flush()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, err error) {
	if ue := userError(err); ue != nil && errors.Is(err, db.ErrNoQuorum) {
		w.Header().Set(noQuorumHeader, "1")
		http.Error(w, ue.Msg, code)
		return
	}
	http.Error(w, err.Error(), code)
}

// reply is the answer of a command run by the node's core for a command
// of this machine: its result, or the error — a user's mistake with its
// exit code kept, so that the command prints it as if it had run here.
type reply struct {
	Result    json.RawMessage `json:"result,omitempty"`
	UserError string          `json:"user_error,omitempty"`
	Code      int             `json:"code,omitempty"`
	// TooLong is the user error's cause when a prompt did not fit: the
	// command says more from its figures (`aiex context` names its
	// --reserve flag).
	TooLong *ctxbuild.TooLongError `json:"too_long,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

func writeReply(w http.ResponseWriter, result any, err error) {
	var rp reply
	if err != nil {
		if ue := userError(err); ue != nil {
			rp.UserError, rp.Code = ue.Msg, ue.ExitCode()
			errors.As(err, &rp.TooLong)
		} else {
			rp.Error = err.Error()
		}
	}
	if result != nil {
		b, merr := json.Marshal(result)
		if merr != nil {
			httpError(w, http.StatusInternalServerError, merr)
			return
		}
		rp.Result = b
	}
	writeJSON(w, rp)
}

func (n *Node) handleSession(w http.ResponseWriter, r *http.Request) {
	var req app.SessionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad session request: %w", err))
		return
	}
	res, err := n.app.Session(r.Context(), req)
	writeReply(w, res, err)
}

// replayRequest is what POST /v1/replay takes.
type replayRequest struct {
	Skip bool `json:"skip,omitempty"`
}

func (n *Node) handleReplay(w http.ResponseWriter, r *http.Request) {
	var req replayRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad replay request: %w", err))
		return
	}
	rep, err := n.app.Replay(r.Context(), req.Skip)
	writeReply(w, rep, err)
}

// pruneRequest is what POST /v1/prune takes.
type pruneRequest struct {
	Before time.Time `json:"before"`
}

func (n *Node) handlePrune(w http.ResponseWriter, r *http.Request) {
	var req pruneRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Before.IsZero() {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad prune request: %v", err))
		return
	}
	rep, err := n.app.Prune(r.Context(), req.Before)
	writeReply(w, rep, err)
}

func (n *Node) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	var req app.CheckpointRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad checkpoint request: %w", err))
		return
	}
	res, err := n.app.Checkpoint(r.Context(), req)
	writeReply(w, res, err)
}

// Tasks the node runs for POST /v1/task.
const (
	TaskRefactor  = "refactor"
	TaskGenModule = "gen-module"
	TaskGenTests  = "gen-tests"
)

// TaskRequest is a refactoring or generation task for the node's core.
type TaskRequest struct {
	Kind string `json:"kind"` // TaskRefactor, TaskGenModule, TaskGenTests
	app.TaskRequest
}

// taskFrame is one line of a /v1/task answer: text, then the result, with
// an error if it failed.
type taskFrame struct {
	Text   string          `json:"text,omitempty"`
	Result *app.TaskResult `json:"result,omitempty"`
	// Changes are the proposal's files as they would be written (its
	// Changes field, which its JSON leaves out).
	Changes   []parse.Change `json:"changes,omitempty"`
	Error     string         `json:"error,omitempty"`
	UserError string         `json:"user_error,omitempty"`
	Code      int            `json:"code,omitempty"`
	HostQuit  string         `json:"host_quit,omitempty"` // as askFrame's
	Done      bool           `json:"done,omitempty"`
}

func (n *Node) handleTask(w http.ResponseWriter, r *http.Request) {
	var req TaskRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad task request: %w", err))
		return
	}
	run := map[string]func(context.Context, app.TaskRequest, func(string) error) (*app.TaskResult, error){
		TaskRefactor: n.app.Refactor, TaskGenModule: n.app.GenModule, TaskGenTests: n.app.GenTests,
	}[req.Kind]
	if run == nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("unknown task %q", req.Kind))
		return
	}
	fw := newFrameWriter(w)
	res, err := run(r.Context(), req.TaskRequest, func(text string) error { return fw.write(taskFrame{Text: text}) })
	f := taskFrame{Result: res, Done: true}
	if res != nil && res.Proposal != nil {
		f.Changes = res.Proposal.Changes
	}
	if err != nil && errors.Is(err, context.Canceled) && n.quitting() {
		if res != nil && res.Answer != nil {
			res.Answer.Interaction = n.markHostQuit(r.Context(), res.Answer.Interaction)
		}
		f.HostQuit = hostQuit().Error()
		fw.write(f)
		return
	}
	if err != nil {
		if ue := userError(err); ue != nil {
			f.UserError, f.Code = ue.Msg, ue.ExitCode()
		} else {
			f.Error = err.Error()
		}
	}
	fw.write(f)
}

func (n *Node) handleApply(w http.ResponseWriter, r *http.Request) {
	var req app.ApplyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad apply request: %w", err))
		return
	}
	res, err := n.app.Apply(r.Context(), req)
	writeReply(w, res, err)
}

func (n *Node) handleAudit(w http.ResponseWriter, r *http.Request) {
	var req app.AuditRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad audit request: %w", err))
		return
	}
	res, err := n.app.AuditLog(r.Context(), req)
	writeReply(w, res, err)
}

// queryRequest is what the read-only reports of the core take.
type queryRequest struct {
	Limit int       `json:"limit,omitempty"` // history
	Since time.Time `json:"since,omitempty"` // usage
}

func (n *Node) handleQuery(w http.ResponseWriter, r *http.Request) {
	var req queryRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad request: %w", err))
		return
	}
	switch r.URL.Path {
	case "/v1/history":
		rows, err := n.app.History(r.Context(), req.Limit)
		writeReply(w, rows, err)
	case "/v1/usage":
		rows, err := n.app.Usage(r.Context(), req.Since)
		writeReply(w, rows, err)
	case "/v1/report":
		rep, err := n.app.Status(r.Context())
		writeReply(w, rep, err)
	}
}

// CodeRequest is a command about a project's code for the node's core.
type CodeRequest struct {
	Op      string             `json:"op"` // index, search, context, dry-ask, providers, files
	Index   app.IndexRequest   `json:"index,omitempty"`
	Root    string             `json:"root,omitempty"` // search, files
	Query   string             `json:"query,omitempty"`
	Limit   int                `json:"limit,omitempty"`
	Context app.ContextRequest `json:"context,omitempty"`
	// Ask is the question whose prompt dry-ask builds (app.DryAsk) and
	// returns as Context, sending nothing. It is an op of its own rather
	// than a flag of /v1/ask, which a node that did not know the flag
	// would answer.
	Ask *AskRequest `json:"ask,omitempty"`
}

// CodeResult is what a CodeRequest returns: the field of its op.
type CodeResult struct {
	Index     *app.IndexResult     `json:"index,omitempty"`
	Search    *search.Result       `json:"search,omitempty"`
	Context   *app.BuiltContext    `json:"context,omitempty"`
	Prompt    []providers.Message  `json:"prompt,omitempty"` // the context's rendered prompt
	Providers []app.ProviderStatus `json:"providers,omitempty"`
	Files     *app.ProjectFiles    `json:"files,omitempty"`
	Note      string               `json:"note,omitempty"` // dry-ask's (app.DryAsk)
}

func (n *Node) handleCode(w http.ResponseWriter, r *http.Request) {
	var req CodeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad code request: %w", err))
		return
	}
	res, err := n.code(r.Context(), req)
	writeReply(w, res, err)
}

func (n *Node) code(ctx context.Context, req CodeRequest) (*CodeResult, error) {
	res := &CodeResult{}
	var err error
	switch req.Op {
	case "index":
		res.Index, err = n.app.IndexProject(ctx, req.Index, nil)
	case "search":
		res.Search, err = n.app.Search(ctx, req.Root, req.Query, req.Limit)
	case "context":
		if res.Context, err = n.app.BuildContext(ctx, req.Context); err == nil {
			res.Prompt = res.Context.Prompt
		}
	case "dry-ask":
		if req.Ask == nil {
			return nil, errors.New("dry-ask without a question")
		}
		if res.Context, res.Note, err = n.app.DryAsk(ctx, req.Ask.codeAsk()); err == nil {
			res.Prompt = res.Context.Prompt
		}
	case "providers":
		res.Providers, err = n.app.ProviderReport(ctx)
	case "files":
		res.Files, err = n.app.Files(ctx, req.Root)
	default:
		err = fmt.Errorf("unknown code op %q", req.Op)
	}
	return res, err
}

// KeysRequest is aiex keys for the node's store. Secret travels only over
// the unix socket (mode 0600) and is never logged.
type KeysRequest struct {
	Op       string `json:"op"` // set, list, rm
	Provider string `json:"provider,omitempty"`
	Secret   string `json:"secret,omitempty"`
}

func (n *Node) handleKeys(w http.ResponseWriter, r *http.Request) {
	var req KeysRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, errors.New("bad keys request"))
		return
	}
	ks := n.app.Keys
	switch req.Op {
	case "set":
		e, err := ks.Set(r.Context(), req.Provider, req.Secret)
		n.app.ReloadProviders() // the next request uses the key
		writeReply(w, []keys.Entry{e}, err)
	case "list":
		list, err := ks.List(r.Context())
		writeReply(w, list, err)
	case "rm":
		err := ks.Delete(r.Context(), req.Provider)
		n.app.ReloadProviders()
		writeReply(w, nil, err)
	default:
		httpError(w, http.StatusBadRequest, fmt.Errorf("unknown keys op %q", req.Op))
	}
}
