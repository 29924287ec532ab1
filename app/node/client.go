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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Client talks to the node running on a data dir, through its unix socket.
type Client struct {
	hc   *http.Client
	path string
	via  string // Via's node: requests are relayed to it

	// Notice, when set, is told once in plain words when the process
	// serving the socket is stopped (Ctrl+Z) while a stream from it (an
	// answer, an event tail) is read: the stream waits for it, and the
	// user would not know why (see watchHolder).
	Notice func(msg string)

	// stoppedWait and hungWait replace the probe's bounds when set (tests).
	stoppedWait, hungWait time.Duration
}

// Via returns a client whose requests the node on the data dir relays to
// another node of its cluster over the mesh, named by its ID or name (as
// aiex cluster status lists them). That node serves peers an attach
// subset of its API: status, models, ask (without code), events of
// session streams, session reads. Errors of a relay that cannot reach
// the node wrap ErrPeerUnreachable.
func (c *Client) Via(node string) *Client {
	v := *c
	v.via = node
	return &v
}

// Attach resolves node as Via does and checks, on that node, that it
// takes an attached TUI. An unknown name is an error listing the
// cluster's nodes; a node that cannot be reached, one wrapping
// ErrPeerUnreachable.
func (c *Client) Attach(ctx context.Context, node string) (*AttachInfo, error) {
	resp, err := c.Via(node).do(ctx, http.MethodGet, "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ai AttachInfo
	if err := json.NewDecoder(resp.Body).Decode(&ai); err != nil {
		return nil, fmt.Errorf("node attach: %w", err)
	}
	return &ai, nil
}

// ErrNoNode is returned by Connect when no node runs on the data dir.
var ErrNoNode = errors.New("no node is running on this data dir")

// ErrCutOff is wrapped by the errors of a stream from the node (an
// answer, events) that ended before its end: the node stopped or the
// connection dropped.
var ErrCutOff = errors.New("the node's stream ended early")

// Connect returns a client of the node running on dataDir, or ErrNoNode.
func Connect(ctx context.Context, dataDir string) (*Client, error) {
	path := filepath.Join(dataDir, SocketName)
	if _, err := os.Stat(path); err != nil {
		return nil, ErrNoNode
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, ErrNoNode // a socket a crashed node left
	}
	conn.Close()
	return &Client{path: path, hc: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
	}}}, nil
}

func (c *Client) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	// A process stopped with Ctrl+Z still has its connections accepted:
	// make sure it answers before sending it the request (see probe).
	if err := c.probe(ctx); err != nil {
		return nil, err
	}
	if c.via != "" {
		// /v1/X relayed: /v1/via/NODE/X; "" resolves the node.
		path = "/v1/via/" + url.PathEscape(c.via) + strings.TrimPrefix(path, "/v1")
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://node"+path, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("node at %s: %w", c.path, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		msg := strings.TrimSpace(string(b))
		switch {
		case resp.Header.Get(noQuorumHeader) != "":
			return nil, noQuorumFromWire(msg)
		case resp.Header.Get(relayHeader) != "" && resp.StatusCode == http.StatusBadGateway:
			return nil, usererr.Wrap(ErrPeerUnreachable, "%s", msg)
		case resp.Header.Get(relayHeader) != "":
			return nil, usererr.New("%s", msg)
		case c.via != "":
			return nil, usererr.New("node %s: %s", c.via, msg)
		}
		return nil, usererr.New("node: %s", msg)
	}
	return resp, nil
}

// Status asks the node for the cluster's status.
func (c *Client) Status(ctx context.Context) (*ClusterStatus, error) {
	return c.status(ctx, "/v1/status")
}

// StatusWithPlan is Status with the model a question naming none would go
// to now, as the node plans it (ClusterStatus's Provider, Model and
// ModelNode; empty when it plans none), for a status bar. The node plans
// at most every PlanEvery, but a plan may list a provider's models: a
// status read once should use Status.
func (c *Client) StatusWithPlan(ctx context.Context) (*ClusterStatus, error) {
	return c.status(ctx, "/v1/status?plan=1")
}

func (c *Client) status(ctx context.Context, path string) (*ClusterStatus, error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var cs ClusterStatus
	if err := json.NewDecoder(resp.Body).Decode(&cs); err != nil {
		return nil, fmt.Errorf("node status: %w", err)
	}
	return &cs, nil
}

// Models asks the node for every model it can route to.
func (c *Client) Models(ctx context.Context) (*ModelsReply, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/models", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var mr ModelsReply
	if err := json.NewDecoder(resp.Body).Decode(&mr); err != nil {
		return nil, fmt.Errorf("node models: %w", err)
	}
	return &mr, nil
}

// Leave makes the node leave its cluster.
func (c *Client) Leave(ctx context.Context) error {
	resp, err := c.do(ctx, http.MethodPost, "/v1/leave", nil)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// Remove removes another node from the cluster.
func (c *Client) Remove(ctx context.Context, id string) error {
	resp, err := c.do(ctx, http.MethodPost, "/v1/remove?node="+url.QueryEscape(id), nil)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// Ask sends a question to the node and streams the answer's text to fn. The
// Answer is returned as far as it got, with any error.
func (c *Client) Ask(ctx context.Context, req AskRequest, fn func(text string) error) (*app.Answer, error) {
	defer c.watchHolder(ctx)()
	resp, err := c.do(ctx, http.MethodPost, "/v1/ask", req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	// started is the session turn the node recorded the question as, from
	// its first frame: an answer cut off still names it.
	var started *app.Answer
	for sc.Scan() {
		var f askFrame
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return started, fmt.Errorf("node: bad answer frame: %w", err)
		}
		ans := &app.Answer{Interaction: f.Interaction, Context: f.Context, Session: f.Session, Turn: f.Turn,
			Warning: f.Warning, Note: f.Note}
		if f.Session != "" && f.Interaction == nil && f.Error == nil && f.UserError == "" && f.Text == "" {
			started = &app.Answer{Session: f.Session, Turn: f.Turn}
			continue
		}
		if ans.Session == "" && started != nil {
			ans.Session, ans.Turn = started.Session, started.Turn
		}
		switch {
		case f.HostQuit != "":
			return ans, &hostQuitError{msg: f.HostQuit}
		case f.UserError != "":
			return ans, &usererr.Error{Msg: f.UserError, Code: f.Code}
		case f.Error != nil && f.Error.Plain:
			return ans, errors.New(f.Error.Message)
		case f.Error != nil:
			return ans, f.Error.err(string(f.Error.Kind))
		case f.Interaction != nil:
			return ans, nil
		}
		if f.Text != "" {
			if err := fn(f.Text); err != nil {
				return started, err
			}
		}
	}
	if ctx.Err() != nil {
		return started, ctx.Err()
	}
	return started, fmt.Errorf("node: the answer stopped before its end: %w", ErrCutOff)
}

// Events streams the events with id > after (of one stream, if set) to
// fn, then new ones as they are appended, until ctx ends.
func (c *Client) Events(ctx context.Context, after int64, stream string, fn func(db.Event) error) error {
	var streams []string
	if stream != "" {
		streams = []string{stream}
	}
	return c.Subscribe(ctx, after, streams, fn)
}

// Subscribe streams the events of streams (names, or prefixes ending in
// "*"; none means all) with id > after to fn, then new ones as they are
// appended, until ctx ends. To resume after a disconnect, subscribe again
// after the last id fn saw: nothing is missed, nothing comes twice.
func (c *Client) Subscribe(ctx context.Context, after int64, streams []string, fn func(db.Event) error) error {
	q := url.Values{"after": {fmt.Sprint(after)}, "stream": streams}
	defer c.watchHolder(ctx)()
	resp, err := c.do(ctx, http.MethodGet, "/v1/events?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var ev db.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("node: bad event: %w", err)
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("node: the event stream ended (the node stopped?): %w", ErrCutOff)
}

// call posts body to path and decodes the reply's result into out.
func (c *Client) call(ctx context.Context, path string, body, out any) error {
	defer c.watchHolder(ctx)()
	resp, err := c.do(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var rp reply
	if err := json.NewDecoder(resp.Body).Decode(&rp); err != nil {
		return fmt.Errorf("node %s: %w", path, err)
	}
	if len(rp.Result) > 0 && out != nil {
		if err := json.Unmarshal(rp.Result, out); err != nil {
			return fmt.Errorf("node %s: %w", path, err)
		}
	}
	switch {
	case rp.UserError != "" && rp.TooLong != nil:
		return &usererr.Error{Msg: rp.UserError, Code: rp.Code, Err: rp.TooLong}
	case rp.UserError != "":
		return &usererr.Error{Msg: rp.UserError, Code: rp.Code}
	case rp.Error != "":
		return errors.New(rp.Error)
	}
	return nil
}

// Session runs a session command on the node.
func (c *Client) Session(ctx context.Context, req app.SessionRequest) (*app.SessionResult, error) {
	var res app.SessionResult
	if err := c.call(ctx, "/v1/session", req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Replay has the node rebuild the projections from the event log. The
// report comes back with the error when a bad event stopped it.
func (c *Client) Replay(ctx context.Context, skip bool) (*events.ReplayReport, error) {
	var rep events.ReplayReport
	err := c.call(ctx, "/v1/replay", replayRequest{Skip: skip}, &rep)
	return &rep, err
}

// Prune has the node delete events appended before before, through
// snapshots.
func (c *Client) Prune(ctx context.Context, before time.Time) (*events.PruneReport, error) {
	var rep events.PruneReport
	err := c.call(ctx, "/v1/prune", pruneRequest{Before: before}, &rep)
	return &rep, err
}

// Checkpoint runs a checkpoint command on the node. The result comes back
// with the error when the command returns both (a refused restore lists
// what changed).
func (c *Client) Checkpoint(ctx context.Context, req app.CheckpointRequest) (*app.CheckpointResult, error) {
	var res app.CheckpointResult
	err := c.call(ctx, "/v1/checkpoint", req, &res)
	return &res, err
}

// Task runs a refactoring or generation task on the node, streaming the
// model's answer to fn. The result is returned as far as it got, with any
// error.
func (c *Client) Task(ctx context.Context, req TaskRequest, fn func(text string) error) (*app.TaskResult, error) {
	defer c.watchHolder(ctx)()
	resp, err := c.do(ctx, http.MethodPost, "/v1/task", req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var f taskFrame
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("node: bad task frame: %w", err)
		}
		if f.Result != nil && f.Result.Proposal != nil {
			f.Result.Proposal.Changes = f.Changes
		}
		switch {
		case f.HostQuit != "":
			return f.Result, &hostQuitError{msg: f.HostQuit}
		case f.UserError != "":
			return f.Result, &usererr.Error{Msg: f.UserError, Code: f.Code}
		case f.Error != "":
			return f.Result, errors.New(f.Error)
		case f.Done:
			return f.Result, nil
		}
		if f.Text != "" {
			if err := fn(f.Text); err != nil {
				return nil, err
			}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("node: the task's answer stopped before its end: %w", ErrCutOff)
}

// Apply has the node write a proposal's changes through a checkpoint.
func (c *Client) Apply(ctx context.Context, req app.ApplyRequest) (*checkpoint.Result, error) {
	var res checkpoint.Result
	if err := c.call(ctx, "/v1/apply", req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Audit runs aiex audit on the node.
func (c *Client) Audit(ctx context.Context, req app.AuditRequest) (*app.AuditResult, error) {
	var res app.AuditResult
	if err := c.call(ctx, "/v1/audit", req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// History asks the node's core for the most recent interactions.
func (c *Client) History(ctx context.Context, limit int) ([]app.Interaction, error) {
	var rows []app.Interaction
	err := c.call(ctx, "/v1/history", queryRequest{Limit: limit}, &rows)
	return rows, err
}

// Usage asks the node's core for tokens and cost since a time.
func (c *Client) Usage(ctx context.Context, since time.Time) ([]app.UsageRow, error) {
	var rows []app.UsageRow
	err := c.call(ctx, "/v1/usage", queryRequest{Since: since}, &rows)
	return rows, err
}

// Report asks the node's core for its status: data dir, store and
// providers (aiex status).
func (c *Client) Report(ctx context.Context) (*app.StatusReport, error) {
	var rep app.StatusReport
	if err := c.call(ctx, "/v1/report", queryRequest{}, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// Code runs a command about a project's code on the node.
func (c *Client) Code(ctx context.Context, req CodeRequest) (*CodeResult, error) {
	var res CodeResult
	if err := c.call(ctx, "/v1/code", req, &res); err != nil {
		return nil, err
	}
	if res.Context != nil {
		res.Context.Prompt = res.Prompt
	}
	return &res, nil
}

// Keys runs aiex keys on the node's store.
func (c *Client) Keys(ctx context.Context, req KeysRequest) ([]keys.Entry, error) {
	var list []keys.Entry
	err := c.call(ctx, "/v1/keys", req, &list)
	return list, err
}
