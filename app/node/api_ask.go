package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// AskRequest is a question a command sends to the node running on its
// data dir (POST /v1/ask).
type AskRequest struct {
	Prompt    string `json:"prompt"`
	Provider  string `json:"provider,omitempty"`
	Model     string `json:"model,omitempty"`
	Strategy  string `json:"strategy,omitempty"`
	Task      string `json:"task,omitempty"`
	Root      string `json:"root,omitempty"`
	Target    string `json:"target,omitempty"`
	NoContext bool   `json:"no_context,omitempty"`
	Actor     string `json:"actor,omitempty"`
	Session   string `json:"session,omitempty"` // new, last or an id: record the question as a turn of it
	Project   string `json:"project,omitempty"` // the session's project; "" means Root
	// Prepared is the prompt built by the node where the project's files
	// are (an attached TUI's): sent as it is.
	Prepared *app.Prepared `json:"prepared,omitempty"`
}

// codeAsk is req as the core takes it, for AskCode and, through the code
// op "dry-ask", DryAsk alike.
func (req AskRequest) codeAsk() app.CodeAsk {
	return app.CodeAsk{
		Request: ask.Request{Prompt: req.Prompt, Provider: req.Provider, Model: req.Model,
			Strategy: coord.Strategy(req.Strategy), Actor: req.Actor},
		Task: req.Task, Root: req.Root, Target: req.Target, NoContext: req.NoContext,
		Session: session.Ref(req.Session), Project: req.Project, Prepared: req.Prepared,
	}
}

// askFrame is one line of an /v1/ask answer: text, then the interaction
// or an error.
type askFrame struct {
	Text        string            `json:"text,omitempty"`
	Interaction *db.Interaction   `json:"interaction,omitempty"`
	Context     *app.BuiltContext `json:"context,omitempty"`
	Session     string            `json:"session,omitempty"`
	Turn        int64             `json:"turn,omitempty"`
	Error       *wireError        `json:"error,omitempty"`
	// UserError is a mistake of the user's, one line, and the exit code
	// it calls for.
	UserError string `json:"user_error,omitempty"`
	Code      int    `json:"code,omitempty"`
	// HostQuit says why the answer was cut: the process serving it quit
	// (ErrHostQuit on the client).
	HostQuit string `json:"host_quit,omitempty"`
	// Warning and Note are the answer's (app.Answer), on its last frame.
	Warning string `json:"warning,omitempty"`
	Note    string `json:"note,omitempty"`
}

func (n *Node) handleAsk(w http.ResponseWriter, r *http.Request) {
	var req AskRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("bad ask request: %w", err))
		return
	}
	n.serveAsk(w, r, req)
}

// serveAsk runs req on this node's core and streams its answer. A
// request relayed from another node (keepalive set) gets an empty frame
// every keepaliveEvery, so that the relay tells a long think from a node
// that is gone.
func (n *Node) serveAsk(w http.ResponseWriter, r *http.Request, req AskRequest) {
	fw := newFrameWriter(w)
	if wantKeepalive(r) {
		stop := fw.keepalive(keepaliveEvery)
		defer stop()
	}
	ca := req.codeAsk()
	// The session first, so that a client whose answer is cut off (the
	// user stopped it, this node went away) still has it.
	ca.OnTurn = func(s string, turn int64) { fw.write(askFrame{Session: s, Turn: turn}) }
	ans, err := n.app.AskCode(r.Context(), ca, func(text string) error { return fw.write(askFrame{Text: text}) })
	if ans == nil {
		ans = &app.Answer{}
	}
	// The client gets the interaction as it is stored: without the
	// credentials of this node's providers (coord.Recorded), which the
	// client cannot know to take out of its --json.
	recorded := func(in *db.Interaction) *db.Interaction {
		if c, cerr := n.app.Coord(r.Context()); cerr == nil && in != nil {
			return c.Recorded(in)
		}
		return in
	}
	if err != nil && errors.Is(err, context.Canceled) && n.quitting() {
		// Cut by this process quitting, not by the client: said so, and
		// recorded so.
		ans.Interaction = n.markHostQuit(r.Context(), ans.Interaction)
		fw.write(askFrame{Interaction: recorded(ans.Interaction), Session: ans.Session, Turn: ans.Turn, HostQuit: hostQuit().Error()})
		return
	}
	if err != nil {
		f := askFrame{Interaction: recorded(ans.Interaction), Session: ans.Session, Turn: ans.Turn, Error: toWire(err)}
		if ue := userError(err); ue != nil {
			f.UserError, f.Code, f.Error = ue.Msg, ue.ExitCode(), nil
		}
		fw.write(f)
		return
	}
	fw.write(askFrame{Interaction: recorded(ans.Interaction), Context: ans.Context, Session: ans.Session, Turn: ans.Turn,
		Warning: ans.Warning, Note: ans.Note})
}
