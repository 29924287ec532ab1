package app

import (
	"cmp"
	"context"
	"strings"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// sessionTarget is the target a question asked in sess (nil: none)
// without one of its own keeps: the code the session is about
// (session.Session.Target), as Build takes it in the project at
// req.Root; "" when there is none to keep. A follow-up ("does it handle
// nil input?") means the code of the turns before it, and its words alone
// would find unrelated code by search. Only a question keeps it: the
// other tasks name their own target, or have none (a new module).
func sessionTarget(req ContextRequest, sess *session.Session) string {
	if sess == nil || strings.TrimSpace(req.Target) != "" || cmp.Or(req.Task, "ask") != "ask" {
		return ""
	}
	t := sess.Target()
	if t == "" {
		return ""
	}
	// A path out of the project, which a session's events (shared by
	// every node of a cluster) may hold, is no target.
	abs, err := ctxbuild.AbsPath(req.Root, t, ctxbuild.FromRoot)
	if err != nil {
		return ""
	}
	return abs
}

// buildKept builds breq. When its target was kept from the session
// (kept) rather than named, a target that no longer resolves — its code
// renamed, moved or deleted since the turn that named it — or that no
// longer fits is left out and the question asked without it: the user
// did not name it this time, and an error about it would refuse a
// question that needs no target.
func (a *App) buildKept(ctx context.Context, b *ctxbuild.Builder, breq ctxbuild.Request, kept bool) (*ctxbuild.Context, error) {
	built, err := b.Build(ctx, breq)
	if err == nil || !kept || ctx.Err() != nil || usererr.As(err) == nil {
		return built, err
	}
	a.logger.Debug("session target left out", "target", breq.Target, "err", err)
	breq.Target = ""
	return b.Build(ctx, breq)
}
