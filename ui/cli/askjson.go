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
// error. The recorded interaction is the base when there is one (a node
// may cut off before sending it).
//
// recorded takes out of it what the store takes out (storedInteraction):
// --json shows the interaction as history --json does.
func failedAskJSON(prompt string, ans *app.Answer, arrived string, err error, recorded func(*app.Interaction) *app.Interaction) askJSON {
	var in app.Interaction
	var out askJSON
	if ans != nil {
		out.Session, out.Turn = ans.Session, ans.Turn
		if ans.Interaction != nil {
			in = *ans.Interaction
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
	if ue := usererr.As(err); ue != nil {
		in.Error = ue.Msg // the sentence stderr shows
	} else if in.Error == "" {
		in.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	if errors.Is(err, context.Canceled) {
		in.Error = "cancelled"
	}
	out.Interaction = asStored(recorded(&in))
	if out.Session == "" {
		out.Session = in.SessionID // askJSON shows it as session only
	}
	return out
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
