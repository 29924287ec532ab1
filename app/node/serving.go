package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// The answers a node (or a process lending its core, ServeSocket) streams
// for its clients — other TUIs, one-shot commands, attached TUIs of other
// nodes — are someone else's work: the process should not drop them the
// moment its own user quits. It counts them (Serving), so that the TUI
// serving them can say so and wait for them (through GET /v1/serving on
// its own socket: the TUI's core and the server are built apart), and
// Drain waits for them. One still running when the server closes is cut,
// and recorded as interrupted by the server's quitting, not as
// cancelled: its user did not stop it.

// ErrHostQuit is wrapped by the error of an answer (Client.Ask, Client.Task)
// cut short because the process serving the data dir quit while it
// streamed: a TUI lending its core, or a node.
var ErrHostQuit = errors.New("the aiex process serving this data dir quit")

// hostQuitError is ErrHostQuit with the server's one-line message.
type hostQuitError struct{ msg string }

func (e *hostQuitError) Error() string { return e.msg }
func (e *hostQuitError) Unwrap() error { return ErrHostQuit }

// answers wraps the node API's routes and counts the answer streams in
// flight: asks and tasks, relayed ones included.
type answers struct {
	h      http.Handler
	flying atomic.Int64
	// refusing: the process is stopping (Drain): it finishes the answers
	// it streams and takes no new ones, which would make the wait longer
	// and be cut by a second Ctrl-C the asker never saw coming.
	refusing atomic.Bool
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/ask") || strings.HasSuffix(r.URL.Path, "/task")) {
		if a.refusing.Load() {
			httpError(w, http.StatusServiceUnavailable, errors.New("the aiex process serving this data dir is stopping (it finishes the answers it was giving); ask again in a moment"))
			return
		}
		a.flying.Add(1)
		defer a.flying.Add(-1)
	}
	a.h.ServeHTTP(w, r)
}

// Serving reports how many answers (asks and tasks) the node streams for
// its clients now, on the socket and on the mesh.
func (n *Node) Serving() int {
	total := 0
	for _, srv := range []*http.Server{n.api, n.local} {
		if srv == nil {
			continue
		}
		if a, ok := srv.Handler.(*answers); ok {
			total += int(a.flying.Load())
		}
	}
	return total
}

// srvAnswers is srv's answers handler, if it has one.
func srvAnswers(srv *http.Server) (*answers, bool) {
	if srv == nil {
		return nil, false
	}
	a, ok := srv.Handler.(*answers)
	return a, ok
}

// drainPoll is how often Drain looks at the answers in flight.
const drainPoll = 50 * time.Millisecond

// Drain waits until the node streams no answer for a client, or ctx ends,
// and returns how many it still streams. A process asked to quit calls it
// before Close, bounded by a grace period (a second interrupt ending ctx):
// Close cuts what is left. From then on new asks and tasks are refused
// (the process is stopping); other requests are served.
func (n *Node) Drain(ctx context.Context) int {
	for _, srv := range []*http.Server{n.api, n.local} {
		if a, ok := srvAnswers(srv); ok {
			a.refusing.Store(true)
		}
	}
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for {
		left := n.Serving()
		if left == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return left
		case <-t.C:
		}
	}
}

// ServingReply is what GET /v1/serving returns.
type ServingReply struct {
	// Answers is how many answers (asks, tasks) the process serving the
	// socket streams for its clients.
	Answers int `json:"answers"`
}

func (n *Node) handleServing(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, ServingReply{Answers: n.Serving()})
}

// Serving asks the process serving the socket how many answers it streams
// for its clients (see Node.Serving).
func (c *Client) Serving(ctx context.Context) (int, error) {
	var rep ServingReply
	resp, err := c.do(ctx, http.MethodGet, "/v1/serving", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return 0, fmt.Errorf("node serving: %w", err)
	}
	return rep.Answers, nil
}

// quitting reports whether the node has begun to close: a request
// cancelled from then on was cut by it, not by its client.
func (n *Node) quitting() bool {
	select {
	case <-n.stop:
		return true
	default:
		return false
	}
}

// hostQuit is the error of an answer the node cut by quitting.
func hostQuit() error {
	return &hostQuitError{msg: fmt.Sprintf("the aiex process serving this data dir (pid %d) quit before the answer finished; what arrived is recorded as interrupted", os.Getpid())}
}

// hostQuitReason is the recorded error of a request cut that way.
func hostQuitReason() string {
	return fmt.Sprintf("the aiex process serving this data dir (pid %d) quit before the answer finished", os.Getpid())
}

// recordTimeout bounds the rewrite of a cut request's record: the store
// may be waiting for a leader that is gone, and the process is quitting.
const recordTimeout = 2 * time.Second

// markHostQuit records a request the node cut by quitting as interrupted,
// with why, instead of cancelled as the core recorded it (its context was
// cancelled, which the core takes for its user's doing). The same
// statement as the core's finish, on the record the core returned: the
// answer, tokens and route stay as recorded.
func (n *Node) markHostQuit(ctx context.Context, in *db.Interaction) *db.Interaction {
	if in == nil || in.Status != db.StatusCancelled {
		return in
	}
	fixed := *in
	fixed.Status, fixed.ErrorKind, fixed.Error = db.StatusInterrupted, db.StatusInterrupted, hostQuitReason()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	// The record as stored is the coordinator's redacted copy (see
	// coord.Recorded); the caller gets it whole, as it got in.
	rec := &fixed
	if c, err := n.app.Coord(ctx); err == nil {
		rec = c.Recorded(&fixed)
	}
	if _, err := n.app.Store.Execute(rctx, db.FinishInteractionStmt(rec)); err != nil {
		n.logger.Warn("record a request cut by quitting", "interaction", in.ID, "err", err)
		return in
	}
	return &fixed
}
