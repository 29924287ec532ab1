package cli

import (
	"fmt"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// SessionRmCmd removes a session. Nothing brings it back (a replay of the
// event log leaves it removed), so it names the session and asks first,
// as checkpoint restore does; archive is the way that can be undone.
type SessionRmCmd struct {
	Session string `arg:"" placeholder:"ID|last" help:"The session: its id (or a unique prefix of 4 or more), or last."`
	Yes     bool   `short:"y" help:"Do not ask for confirmation (needed when stdin is not a terminal)."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (r *SessionRmCmd) Validate() error { return session.CheckRef(r.Session, false, "remove") }

// Run removes it, after asking on a terminal (without --yes).
func (r *SessionRmCmd) Run(c *Context) error {
	ref := r.Session
	if !r.Yes {
		project, err := projectRoot()
		if err != nil {
			return err
		}
		res, err := sessionDo(c, app.SessionRequest{Op: app.SessionShow, Ref: ref, Project: project, Actor: "cli"})
		if err != nil {
			return err
		}
		in := res.Document.Session
		what := fmt.Sprintf("session %s (%s, %s)", in.ID, title(in.Title), english.Count(in.Turns, "turn"))
		if !c.StdinTTY || c.Stdin == nil || c.Out.JSON {
			return usererr.Usage("removing %s cannot be undone; add --yes to do it (aiex session archive %s puts it away and can be undone)",
				what, in.ID)
		}
		yes, err := confirm(c, fmt.Sprintf("Remove %s for good? It cannot be undone (aiex session archive can).", what))
		if err != nil {
			return err
		}
		if !yes {
			return usererr.New("not removed")
		}
		// The session asked about, even if "last" is another by now.
		ref = in.ID
	}
	return changeSession(c, app.SessionRemove, ref, "removed session %s (%s)")
}
