package node

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// Attaching a TUI to another node (aiex tui --node NAME). The TUI does
// not join the mesh: it talks to the node running on its own data dir,
// which relays the conversation's requests to node NAME over the mesh.
//
//	TUI ──unix socket──► this node: /v1/via/NAME/ask ──mesh──► NAME: /v1/ask (peer routes)
//
// The relay streams answers and event tails back line by line, flushing
// each; a TUI that goes away cancels the relayed request, which cancels
// it on NAME; NAME going away (or silent: relayed streams carry
// keepalives) ends the TUI's stream early. A node the relay cannot reach
// is answered 502 (ErrPeerUnreachable on the client).
//
// On the node attached to, peers get an attach subset of the API: ask
// (without this node's files: a peer's question goes with no project's
// code, since the project is on the peer's machine and a path of this
// one must not be read for it), events of session streams only, session
// reads (list, show, resume), and GET /v1/attach to check that attaching
// is allowed. [cluster] refuse_attach = true answers all of them 403.

// ErrPeerUnreachable is wrapped by the errors of requests relayed to
// another node (Client.Via) that the relay could not reach: it is down,
// or it did not answer in time.
var ErrPeerUnreachable = errors.New("the node attached to cannot be reached")

// relayHeader marks an error answered by the relay itself (an unknown
// node, one it cannot reach) rather than by the node relayed to.
const relayHeader = "Aiex-Relay-Error"

// relayReplyTimeout bounds a relayed request that is not a stream: its
// reply comes after the work (status, models, a session), which takes
// well under this on a live node.
const relayReplyTimeout = 10 * time.Second

// maxRelayedRequest bounds a relayed request's body (a question, a
// session read: JSON of a few KB).
const maxRelayedRequest = 16 << 20

// keepaliveFrame is the empty frame of a stream with nothing to say.
var keepaliveFrame = []byte("{}")

// AttachInfo is the node a TUI attaches to (GET /v1/via/{node}).
type AttachInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Addr string `json:"addr"`
}

// wantKeepalive reports whether a stream's requester asked for
// keepalive frames (the relay does).
func wantKeepalive(r *http.Request) bool { return r.URL.Query().Get("keepalive") != "" }

// resolveError is a node name the relay cannot resolve, with the status
// to answer.
type resolveError struct {
	code int
	msg  string
}

func (e *resolveError) Error() string { return e.msg }

// resolveNode finds the node called name: its ID, else its name when one
// node has it (two machines may share a host name; IDs differ). Nodes
// removed from the cluster keep their rows, but are not candidates: a
// name that a removed node shared is one node's again. verb says what the
// node is wanted for ("attach to", "remove"), in the message that asks
// for an ID.
func (n *Node) resolveNode(ctx context.Context, name, verb string) (db.Node, error) {
	nodes, err := n.app.Store.Nodes(ctx)
	if err != nil {
		return db.Node{}, &resolveError{http.StatusServiceUnavailable, fmt.Sprintf("cannot list the cluster's nodes: %v", err)}
	}
	if gone, err := n.app.Store.RemovedNodes(ctx); err == nil && len(gone) > 0 {
		nodes = slices.DeleteFunc(nodes, func(nd db.Node) bool { return gone[nd.ID] })
	}
	var named []db.Node
	for _, nd := range nodes {
		if nd.ID == name {
			return nd, nil
		}
		if strings.EqualFold(nd.Name, name) {
			named = append(named, nd)
		}
	}
	switch len(named) {
	case 1:
		return named[0], nil
	case 0:
		slices.SortFunc(nodes, func(a, b db.Node) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
		list := make([]string, len(nodes))
		for i, nd := range nodes {
			list[i] = nd.Name + " (" + nd.ID + ")"
		}
		return db.Node{}, &resolveError{http.StatusNotFound,
			fmt.Sprintf("no node %q in this cluster; its nodes: %s", name, strings.Join(list, ", "))}
	}
	ids := make([]string, len(named))
	for i, nd := range named {
		ids[i] = nd.ID
	}
	slices.Sort(ids)
	return db.Node{}, &resolveError{http.StatusConflict,
		fmt.Sprintf("%d nodes are called %q (%s): give the ID of the one to %s", len(named), name, strings.Join(ids, ", "), verb)}
}

// relayFail answers an error of the relay's own.
func relayFail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set(relayHeader, "1")
	http.Error(w, msg, code)
}

// target resolves the request's {node}, answering the error if it
// cannot.
func (n *Node) target(w http.ResponseWriter, r *http.Request) (db.Node, bool) {
	if n.mux == nil {
		relayFail(w, http.StatusConflict, "the aiex on this data dir runs without the mesh (a TUI's own core): start aiex node run to reach other nodes")
		return db.Node{}, false
	}
	nd, err := n.resolveNode(r.Context(), r.PathValue("node"), "attach to")
	if err != nil {
		var re *resolveError
		errors.As(err, &re)
		relayFail(w, re.code, re.msg)
		return db.Node{}, false
	}
	return nd, true
}

// handleResolve resolves a node for an attached TUI and checks, on that
// node, that it takes one.
func (n *Node) handleResolve(w http.ResponseWriter, r *http.Request) {
	nd, ok := n.target(w, r)
	if !ok {
		return
	}
	n.relay(w, r, nd, "attach")
}

// handleVia relays a request to another node's API.
func (n *Node) handleVia(w http.ResponseWriter, r *http.Request) {
	nd, ok := n.target(w, r)
	if !ok {
		return
	}
	rest := r.PathValue("rest")
	if strings.HasPrefix(rest, "via/") {
		relayFail(w, http.StatusBadRequest, "a relayed request cannot be relayed again")
		return
	}
	n.relay(w, r, nd, rest)
}

// relayedStream reports whether a relayed route answers with a stream.
func relayedStream(rest string) bool { return rest == "ask" || rest == "events" }

// relay sends r to node to's API as /v1/rest, and its answer back. To
// this node itself, the request goes to its own peer routes, so that an
// attached TUI sees the same API whichever node it names.
func (n *Node) relay(w http.ResponseWriter, r *http.Request, to db.Node, rest string) {
	if to.ID == n.app.Store.NodeID() {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/v1/"+rest, ""
		n.api.Handler.ServeHTTP(w, r2)
		return
	}
	stream := relayedStream(rest)
	q := r.URL.Query()
	if stream {
		q.Set("keepalive", "1")
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	hc := n.hc // a stream's header comes at once: a short wait tells a node that is gone
	if !stream {
		hc = n.rc
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, relayReplyTimeout)
		defer stop()
	}
	// The request is read whole first: once the answer's header goes back
	// to the TUI, its body may no longer be read, and the transport may
	// still be reading it (to check its length) as the answer starts.
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRelayedRequest+1))
	if err != nil || len(b) > maxRelayedRequest {
		relayFail(w, http.StatusBadRequest, fmt.Sprintf("cannot read the request to relay (at most %d bytes): %v", maxRelayedRequest, err))
		return
	}
	var body io.Reader
	if len(b) > 0 {
		body = bytes.NewReader(b)
	}
	u := url.URL{Scheme: "http", Host: to.Addr, Path: "/v1/" + rest, RawQuery: q.Encode()}
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		relayFail(w, http.StatusBadRequest, err.Error())
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		out.Header.Set("Content-Type", ct)
	}
	resp, err := hc.Do(out)
	if err != nil {
		if r.Context().Err() != nil {
			return // the TUI went away
		}
		relayFail(w, http.StatusBadGateway, fmt.Sprintf("node %s cannot be reached at %s (last seen %s ago): %v",
			to.Name, to.Addr, time.Since(to.LastSeen).Round(time.Second), err))
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	if !stream || resp.StatusCode != http.StatusOK {
		io.Copy(w, resp.Body)
		return
	}
	// The stream, line by line, each flushed: a node silent for
	// frameTimeout (it sends a keepalive every keepaliveEvery) is gone,
	// and the stream ends here, short of its last frame, as the TUI sees a
	// node that stopped.
	rc := http.NewResponseController(w)
	rc.Flush()
	silent := time.AfterFunc(frameTimeout, func() { cancel(errSilent) })
	defer silent.Stop()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		silent.Reset(frameTimeout)
		line := sc.Bytes()
		if bytes.Equal(line, keepaliveFrame) {
			continue
		}
		if _, err := w.Write(line); err != nil {
			return
		}
		if _, err := w.Write([]byte{'\n'}); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
	if err := sc.Err(); err != nil && r.Context().Err() == nil {
		n.logger.Debug("relayed stream cut", "node", to.Name, "route", rest, "err", context.Cause(ctx))
	}
}

// attachRoutes adds to a peer's routes those a TUI attached to this node
// through another node uses.
func (n *Node) attachRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/attach", n.attachOnly(n.handleAttach))
	mux.HandleFunc("POST /v1/ask", n.attachOnly(n.handlePeerAsk))
	mux.HandleFunc("GET /v1/events", n.attachOnly(n.handlePeerEvents))
	mux.HandleFunc("POST /v1/session", n.attachOnly(n.handlePeerSession))
}

// attachOnly refuses h when this node's config refuses attaching.
func (n *Node) attachOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if n.cfg.App.File.Cluster.RefuseAttach {
			http.Error(w, fmt.Sprintf("node %s does not take attached TUIs ([cluster] refuse_attach in its config); run aiex tui without --node",
				n.self.Name), http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

func (n *Node) handleAttach(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, AttachInfo{ID: n.self.ID, Name: n.self.Name, Addr: n.self.Addr})
}

// handlePeerAsk runs a peer's question without reading code here: the
// project is on the peer's machine, and this node reads no path of its
// own for a peer. The peer may send the prompt prepared, with the code in
// it (Prepared), built where the files are.
func (n *Node) handlePeerAsk(w http.ResponseWriter, r *http.Request) {
	var req AskRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad ask request: %w", err))
		return
	}
	if req.Prepared == nil && (req.Task != "" && req.Task != "ask" || req.Target != "") {
		http.Error(w, fmt.Sprintf("%s reads the project's files, which are not on node %s; run it without --node",
			cmp.Or(req.Task, "a target"), n.self.Name), http.StatusForbidden)
		return
	}
	if req.Project == "" {
		req.Project = req.Root // the session's project, as on the socket
	}
	req.Root, req.NoContext = "", true
	n.serveAsk(w, r, req)
}

// handlePeerEvents tails session streams for a peer; other streams (the
// audit log, the index's) stay on this machine.
func (n *Node) handlePeerEvents(w http.ResponseWriter, r *http.Request) {
	streams := r.URL.Query()["stream"]
	if len(streams) == 0 {
		http.Error(w, "peers may follow session streams only: name them", http.StatusForbidden)
		return
	}
	for _, s := range streams {
		if !strings.HasPrefix(s, session.StreamPrefix) {
			http.Error(w, fmt.Sprintf("peers may follow session streams only, not %q", s), http.StatusForbidden)
			return
		}
	}
	n.handleEvents(w, r)
}

// handlePeerSession runs a peer's session read.
func (n *Node) handlePeerSession(w http.ResponseWriter, r *http.Request) {
	var req app.SessionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad session request: %w", err))
		return
	}
	switch req.Op {
	case app.SessionList, app.SessionShow, app.SessionResume:
	default:
		http.Error(w, fmt.Sprintf("peers may read sessions only, not %s them", req.Op), http.StatusForbidden)
		return
	}
	res, err := n.app.Session(r.Context(), req)
	writeReply(w, res, err)
}
