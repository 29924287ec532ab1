package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/providers"
)

// The forwarding wire format, POST /v1/chat on the node that hosts the
// model: the request is a chatRequest; the answer streams as
// newline-delimited JSON, one chatFrame per line — text as it comes, then
// one frame with Done (the result) or Error.

type chatRequest struct {
	Provider    string              `json:"provider"`
	Model       string              `json:"model"`
	Messages    []providers.Message `json:"messages"`
	Tools       []providers.Tool    `json:"tools,omitempty"`
	Temperature *float64            `json:"temperature,omitempty"`
	MaxTokens   int                 `json:"max_tokens,omitempty"`
	Window      int                 `json:"window,omitempty"`
}

type chatFrame struct {
	Text     string                   `json:"text,omitempty"`
	ToolCall *providers.ToolCallDelta `json:"tool_call,omitempty"`
	Done     *providers.Result        `json:"done,omitempty"`
	Error    *wireError               `json:"error,omitempty"`
}

// wireError is a providers.Error on the wire.
type wireError struct {
	Kind         providers.ErrorKind `json:"kind"`
	Message      string              `json:"message"`
	Status       int                 `json:"status,omitempty"`
	RetryAfterMS int64               `json:"retry_after_ms,omitempty"`
	Models       []string            `json:"models,omitempty"`
	// Plain marks an error that did not come from a provider (the store's,
	// say): it goes back to the user as its message alone.
	Plain bool `json:"plain,omitempty"`
}

func toWire(err error) *wireError {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return &wireError{Kind: pe.Kind, Message: pe.Error(), Status: pe.StatusCode,
			RetryAfterMS: pe.RetryAfter.Milliseconds(), Models: pe.Models}
	}
	return &wireError{Kind: providers.KindUnavailable, Message: err.Error(), Plain: true}
}

func (w *wireError) err(provider string) *providers.Error {
	return &providers.Error{Provider: provider, Kind: w.Kind, Message: w.Message, StatusCode: w.Status,
		RetryAfter: time.Duration(w.RetryAfterMS) * time.Millisecond, Models: w.Models}
}

// remoteProvider is a provider another node hosts: requests go to that
// node's API over the mesh, which runs them on its provider.
type remoteProvider struct {
	name     string // NODE/PROVIDER
	node     string // the node's name
	nodeID   string // its Raft ID
	addr     string // its mesh address
	provider string // the provider's name there
	kind     string
	hc       *http.Client // over the mesh, shared by the node's remote providers
	reach    *reach       // whether the node answers, shared by its remote providers

	mu     sync.Mutex
	models []providers.Model
}

func (p *remoteProvider) Name() string     { return p.name }
func (p *remoteProvider) Kind() string     { return p.kind }
func (p *remoteProvider) Endpoint() string { return "aiex node " + p.node + " at " + p.addr }

// HostNode is the hosting node's ID and name: a report of the providers
// judges whether it answers as aiex cluster status does (app.hosted).
func (p *remoteProvider) HostNode() (id, name string) { return p.nodeID, p.node }

func (p *remoteProvider) setModels(ms []providers.Model) {
	p.mu.Lock()
	p.models = ms
	p.mu.Unlock()
}

func (p *remoteProvider) addModel(m db.NodeModel) {
	p.mu.Lock()
	p.models = append(p.models, providers.Model{Name: m.Model, ContextWindow: m.ContextWindow, Local: true, Loaded: m.Loaded})
	p.mu.Unlock()
}

// Models lists what the node published (no network round trip).
func (p *remoteProvider) Models(context.Context) ([]providers.Model, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]providers.Model(nil), p.models...), nil
}

// PromptWindow is the window the hosting node published for model.
func (p *remoteProvider) PromptWindow(_ context.Context, model string) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.models {
		if m.Name == model && m.ContextWindow > 0 {
			return m.ContextWindow, nil
		}
	}
	return 0, errors.New("window not published")
}

// Forwarding timeouts: connecting to a node, waiting for its response
// header, and keeping an idle connection to it for the next request.
// A node that died or went offline on a tailnet sends no reset: a dial to
// it, or a request on a pooled connection to it, gets no answer at all,
// and mid-answer the stream just goes quiet. A live node answers a dial
// within a few round trips, even relayed (DERP), and sends its response
// header at once, before the model is asked; then a frame at least every
// keepaliveEvery, so silence for frameTimeout means it is gone.
const (
	dialTimeout   = 2 * time.Second
	headerTimeout = 2 * time.Second
	frameTimeout  = 4 * keepaliveEvery
	idleTimeout   = 90 * time.Second
)

// reach remembers that a node did not answer (no connection, or no
// response header in time) until it shows a sign of life: a heartbeat row
// newer than the one known when it failed. Meanwhile requests for it fail
// at once: the coordinator tries a target three times before it fails
// over, and each try would wait out the same timeout (a node that vanished
// from a tailnet cost 11 s that way). A dead node's heartbeats stop, and it
// drops out of the targets once they are stale.
type reach struct {
	addr string

	mu       sync.Mutex
	lastSeen time.Time // the node's newest heartbeat, as of the last refresh
	silent   bool      // no answer since that heartbeat
	since    time.Time // when it did not answer
}

// heartbeat records the node's newest heartbeat; a new one ends a silence.
func (r *reach) heartbeat(seen time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !seen.Equal(r.lastSeen) {
		r.lastSeen, r.silent = seen, false
	}
}

// noAnswer records that a request got no answer.
func (r *reach) noAnswer() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.silent, r.since = true, time.Now()
}

// answered records that a request got an answer.
func (r *reach) answered() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.silent = false
}

// silentSince reports whether the node is known not to answer, and since
// when.
func (r *reach) silentSince() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.since, r.silent
}

// noAnswerErr reports whether err means the node did not answer at all: a
// dial or a response header that timed out, or a dial that failed (its
// API refused the connection: the node is not running). A request on a
// pooled connection that broke is not: the node may have restarted, and a
// new connection will reach it. Every try of the coordinator on a node
// refused its connection too, and each was counted against its breaker:
// one request opened it, for 30 s after the node came back.
func noAnswerErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, errSilent) || (errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &oe) && oe.Op == "dial")
}

// HostDown reports whether the node hosting p is known not to answer now —
// a request found it out of reach, and no heartbeat of it came since — and
// says so in one clause, "node n1 (127.0.0.1:7421) is not reachable". The
// coordinator passes its targets over meanwhile (app/coord), and aiex
// models shows their models unavailable (app.Models).
func (p *remoteProvider) HostDown() (string, bool) {
	if p.reach == nil {
		return "", false
	}
	if _, silent := p.reach.silentSince(); !silent {
		return "", false
	}
	return p.unreachable(), true
}

// unreachable is the clause that says the node hosting p cannot be
// reached.
func (p *remoteProvider) unreachable() string {
	return fmt.Sprintf("node %s (%s) is not reachable", p.node, p.addr)
}

// meshClient returns an HTTP client that reaches nodes' APIs over tr: the
// URL's host is the node's mesh address. header bounds the wait for a
// response header (0: none; the request's context bounds it).
func meshClient(tr mesh.Transport, header time.Duration) *http.Client {
	d := mesh.NewDialer(tr, HeaderAPI)
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			timeout := dialTimeout
			if dl, ok := ctx.Deadline(); ok {
				timeout = min(timeout, time.Until(dl))
			}
			return d.DialContext(ctx, addr, timeout)
		},
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       idleTimeout,
		ResponseHeaderTimeout: header,
	}}
}

// Chat forwards req to the hosting node and streams its answer back.
func (p *remoteProvider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	if p.reach != nil {
		if since, silent := p.reach.silentSince(); silent {
			return providers.Result{}, &providers.Error{Provider: p.name, Kind: providers.KindUnavailable,
				Message: fmt.Sprintf("%s: it did not answer %v ago; waiting for its next heartbeat",
					p.unreachable(), time.Since(since).Round(time.Millisecond))}
		}
	}
	body, err := json.Marshal(chatRequest{Provider: p.provider, Model: req.Model, Messages: req.Messages, Tools: req.Tools,
		Temperature: req.Temperature, MaxTokens: req.MaxTokens, Window: req.Window})
	if err != nil {
		return providers.Result{}, err
	}
	// Cancelled when the node goes silent (no frame for frameTimeout).
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	silent := time.AfterFunc(frameTimeout, func() { cancel(errSilent) })
	defer silent.Stop()
	hr, err := http.NewRequestWithContext(sctx, http.MethodPost, "http://"+p.addr+"/v1/chat", bytes.NewReader(body))
	if err != nil {
		return providers.Result{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return providers.Result{}, ctx.Err()
		}
		if errors.Is(context.Cause(sctx), errSilent) {
			err = errSilent
		}
		if noAnswerErr(err) {
			if p.reach != nil {
				p.reach.noAnswer()
			}
			// Said once, without the Go error ("Post "http://…/v1/chat":
			// mesh: dial …"), which tells the user nothing more.
			return providers.Result{}, &providers.Error{Provider: p.name, Kind: providers.KindUnavailable,
				Message: p.unreachable()}
		}
		return providers.Result{}, &providers.Error{Provider: p.name, Kind: providers.KindUnavailable,
			Message: fmt.Sprintf("cannot reach node %s at %s: %v", p.node, p.addr, unwrapURL(err))}
	}
	defer resp.Body.Close()
	if p.reach != nil {
		p.reach.answered()
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return providers.Result{}, &providers.Error{Provider: p.name, Kind: providers.KindUnavailable, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("node %s: %s", p.node, bytes.TrimSpace(msg))}
	}
	res, err := readFrames(sctx, p.name, p.node, resp.Body, func() { silent.Reset(frameTimeout) }, fn)
	if err == nil {
		// Read to the end so that the connection goes back to the pool: a
		// body closed early costs the next request a TCP and TLS handshake.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(sctx), errSilent) {
		kind := providers.KindUnavailable
		if providers.KindOf(err) == providers.KindInterrupted {
			kind = providers.KindInterrupted
		}
		return res, &providers.Error{Provider: p.name, Kind: kind, Message: fmt.Sprintf("node %s at %s went silent", p.node, p.addr)}
	}
	return res, err
}

// unwrapURL is err without the method and URL net/http leads it with
// (Post "http://…/v1/chat": …): the message names the node already.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errSilent cancels a forwarded request whose node stopped sending.
var errSilent = errors.New("the node went silent")

// readFrames reads a forwarded answer.
func readFrames(ctx context.Context, name, node string, r io.Reader, alive func(), fn func(providers.Chunk) error) (providers.Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		alive()
		var f chatFrame
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return providers.Result{}, &providers.Error{Provider: name, Kind: providers.KindInterrupted,
				Message: fmt.Sprintf("node %s sent a bad frame: %v", node, err)}
		}
		switch {
		case f.Error != nil:
			return providers.Result{}, f.Error.err(name)
		case f.Done != nil:
			return *f.Done, nil
		}
		if f.Text != "" || f.ToolCall != nil {
			if err := fn(providers.Chunk{Text: f.Text, ToolCall: f.ToolCall}); err != nil {
				return providers.Result{}, err
			}
		}
	}
	if ctx.Err() != nil {
		return providers.Result{}, ctx.Err()
	}
	err := sc.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return providers.Result{}, &providers.Error{Provider: name, Kind: providers.KindInterrupted,
		Message: fmt.Sprintf("node %s stopped mid-answer: %v", node, err)}
}
