package cli

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
)

// failedAskJSON is what ask --json prints when a request that reached a
// provider did not complete: the shape of a successful answer (askJSON),
// with what arrived as the response, the status the request was recorded
// with (cancelled, interrupted or error, as in aiex history) and the
// error it was recorded with (err, the command's, goes to stderr). The recorded interaction is the base when there is one (a node
// may cut off before sending it).
//
// recorded takes out of it what the store takes out (storedInteraction):
// --json shows the interaction as history --json does, f judging its cost
// as history's configuration does.
func failedAskJSON(f app.File, prompt string, ans *app.Answer, arrived string, err error, recorded func(*app.Interaction) *app.Interaction) askJSON {
	var in app.Interaction
	var out askJSON
	if ans != nil {
		out.Turn = ans.Turn
		if ans.Interaction != nil {
			in = *ans.Interaction
		}
		if in.SessionID == "" {
			in.SessionID = ans.Session // the turn's, when no record came
		}
	}
	if in.Prompt == "" {
		in.Prompt = prompt
	}
	if in.Response == "" {
		in.Response = arrived
	}
	if in.Status == "" || in.Status == "ok" {
		switch {
		case errors.Is(err, context.Canceled):
			in.Status = "cancelled"
		case arrived != "":
			in.Status = "interrupted"
		default:
			in.Status = "error"
		}
	}
	// The error as recorded, as history shows it; stderr has the sentence
	// saying what to do. Only a request with no record (a node that cut
	// off before sending it) shows the error the command ends with.
	switch {
	case in.Error != "":
	case errors.Is(err, context.Canceled):
		in.Error = "cancelled" // as a cancelled request is recorded
	case usererr.As(err) != nil:
		in.Error = usererr.As(err).Msg
	default:
		in.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	out.interactionJSON = newInteractionJSON(f, asStored(recorded(&in)))
	return out
}

// askJSON is what ask and explain --json print: the interaction exactly as
// history --json prints it (its session is its session_id), and the turn
// of that session it is, with what the answer warns or notes (see
// app.Answer).
type askJSON struct {
	interactionJSON
	Turn    int64  `json:"turn,omitempty"`
	Warning string `json:"warning,omitempty"`
	Note    string `json:"note,omitempty"`
}

// newAskJSON is ans, whose interaction is in as the store keeps it, as ask
// --json prints it.
func newAskJSON(f app.File, ans *app.Answer, in *app.Interaction) askJSON {
	c := *in
	if c.SessionID == "" {
		c.SessionID = ans.Session
	}
	return askJSON{interactionJSON: newInteractionJSON(f, &c), Turn: ans.Turn, Warning: ans.Warning, Note: ans.Note}
}

// asStored is a copy of in with its times as the store keeps them, to the
// millisecond: ask --json then shows what history --json shows for the
// same interaction.
func asStored(in *app.Interaction) *app.Interaction {
	c := *in
	c.StartedAt = c.StartedAt.Truncate(time.Millisecond)
	if c.FinishedAt != nil {
		t := c.FinishedAt.Truncate(time.Millisecond)
		c.FinishedAt = &t
	}
	return &c
}

// A recorder is what storedInteraction needs of the coordinator.
type recorder interface {
	Recorded(*app.Interaction) *app.Interaction
}

// storedInteraction is in as the store keeps it: the credentials of the
// configured providers taken out of its prompt, answer and errors. A key
// the user pasted into the question must not reach --json output, which
// goes to files and logs, while the answer streamed to the terminal stays
// as it arrived.
func storedInteraction(r recorder, in *app.Interaction) *app.Interaction {
	if in == nil {
		return nil
	}
	return r.Recorded(in)
}
