package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// ErrNoAnswer is wrapped by the error of a request to a process that
// serves the data dir's socket but does not answer: it is stopped (Ctrl+Z,
// SIGSTOP) or hung. The kernel still accepts connections on the socket of
// a stopped process, so without a bound its clients would wait forever.
var ErrNoAnswer = errors.New("the process serving the data dir does not answer")

// How long a process serving the socket may take to answer the probe that
// goes before each request (see probe). A live one answers within a
// millisecond, even while it streams answers or indexes: the probe's
// handler reads a counter. One that is stopped is said so after
// stoppedWait; one that runs and still does not answer is given until
// hungWait, since a loaded machine may be slow to schedule it.
const (
	stoppedWait = 2 * time.Second
	hungWait    = 5 * time.Second
)

// probe asks the process serving the socket for its count of answers in
// flight (GET /v1/serving, the cheapest route) before the real request is
// sent, and bounds only that: the real request — an answer streamed, an
// event tail, an index run — may take as long as it takes, and its
// handler may send nothing (not even its header) for a long while, so
// that its own wait cannot tell a stopped process from a busy one. Not
// sending the request to a process that does not answer also keeps it
// from running it later, when that process is brought back and nobody
// waits for it any more.
//
// A probe that got no answer is an error wrapping ErrNoAnswer that names
// the process and whether it is stopped; any other failure (the socket
// gone, the connection closed) is returned as the request's would be.
func (c *Client) probe(ctx context.Context) error {
	stopped, hung := c.waits()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.ping(pctx) }()
	start := time.Now()
	t := time.NewTimer(stopped)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			if err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		case <-t.C:
		}
		h := c.holder()
		waited := time.Since(start)
		if h.stopped() || waited >= hung {
			cancel()
			<-done
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return h.noAnswer(filepath.Dir(c.path), waited)
		}
		// Running: it may yet answer, or be stopped meanwhile.
		t.Reset(min(250*time.Millisecond, hung-waited))
	}
}

// waits returns the probe's bounds: the constants, unless a test set its
// own.
func (c *Client) waits() (stopped, hung time.Duration) {
	stopped, hung = stoppedWait, hungWait
	if c.stoppedWait > 0 {
		stopped = c.stoppedWait
	}
	if c.hungWait > 0 {
		hung = c.hungWait
	}
	return stopped, hung
}

// ping sends the probe. Any reply, whatever its status, is an answer.
func (c *Client) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://node/v1/serving", nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("node at %s: %w", c.path, err)
	}
	// Read to its end, so that the connection serves the real request.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.Body.Close()
}

// holderInfo is what can be learnt of the process serving a socket that
// does not answer.
type holderInfo struct {
	pid   int    // 0: unknown
	what  string // "the aiex TUI", "the aiex node", …
	state byte   // its scheduler state (Linux's /proc/PID/stat); 0: unknown
}

// holder finds out which process serves the socket: the peer of a new
// connection to it (the kernel knows it even while that process is
// stopped), else the PID the data dir's lock holder wrote.
func (c *Client) holder() holderInfo {
	h := holderInfo{pid: socketPeer(c.path), what: "the aiex process"}
	if h.pid == 0 {
		if who, busy := db.DirBusy(filepath.Dir(c.path)); busy {
			fmt.Sscanf(who, "PID %d", &h.pid)
		}
	}
	if h.pid != 0 {
		h.what = processKind(processArgs(h.pid))
		h.state = db.ProcessState(h.pid)
	}
	return h
}

func (h holderInfo) stopped() bool { return h.state == 'T' || h.state == 't' }

// noAnswer is the one-line error for a holder that did not answer within
// waited.
func (h holderInfo) noAnswer(dataDir string, waited time.Duration) error {
	who := h.what
	if h.pid != 0 {
		who = fmt.Sprintf("%s (PID %d)", h.what, h.pid)
	}
	head := fmt.Sprintf("%s holding data dir %s does not answer", who, dataDir)
	switch {
	case h.state == 'T':
		return usererr.Wrap(ErrNoAnswer, "%s: it is stopped (Ctrl+Z); bring it back with fg in its shell, or kill -CONT %d", head, h.pid)
	case h.state == 't':
		return usererr.Wrap(ErrNoAnswer, "%s: it is stopped in a debugger; let it go on, then try again", head)
	case h.state != 0:
		return usererr.Wrap(ErrNoAnswer, "%s within %s: it runs but is busy or hung; try again, or restart it", head, waited.Round(time.Second))
	}
	return usererr.Wrap(ErrNoAnswer, "%s within %s: it is stopped (Ctrl+Z) or hung; bring it back with fg in its shell, or restart it", head, waited.Round(time.Second))
}

// processKind names an aiex process by its command line, as its user
// knows it: the TUI (aiex alone, or aiex tui), a node, an event tail. The
// flags that take a value are those that can come before the command.
func processKind(args []string) string {
	if len(args) == 0 {
		return "the aiex process"
	}
	var words []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data-dir" || a == "--config":
			i++ // its value
		case !strings.HasPrefix(a, "-"):
			words = append(words, a)
		}
	}
	has := func(seq ...string) bool {
		for i := 0; i+len(seq) <= len(words); i++ {
			if strings.Join(words[i:i+len(seq)], " ") == strings.Join(seq, " ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("node", "run"):
		return "the aiex node"
	case has("events", "tail"):
		return "aiex events tail"
	case has("tui") || len(words) == 0 && strings.HasPrefix(filepath.Base(args[0]), "aiex"):
		return "the aiex TUI"
	}
	return "the aiex process"
}
