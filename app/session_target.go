package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// keptTarget is the target a question asked in a session without one of
// its own keeps (sessionTarget).
type keptTarget struct {
	// target is as Build takes it in the project: a path made absolute;
	// "" for none.
	target string
	// ref is the target as the session recorded it, and name the unit it
	// resolved to then ("" when not recorded: a file, a package, a turn
	// of an older aiex).
	ref, name string
}

// sessionTarget is the target a question asked in sess (nil: none)
// without one of its own keeps: the code the session is about
// (session.Session.TargetUnit), as Build takes it in the project at
// req.Root; none when there is none to keep. A follow-up ("does it handle
// nil input?") means the code of the turns before it, and its words alone
// would find unrelated code by search. Only a question keeps it: the
// other tasks name their own target, or have none (a new module).
func sessionTarget(req ContextRequest, sess *session.Session) keptTarget {
	if sess == nil || strings.TrimSpace(req.Target) != "" || cmp.Or(req.Task, "ask") != "ask" {
		return keptTarget{}
	}
	t, name := sess.TargetUnit()
	if t == "" {
		return keptTarget{}
	}
	// A path out of the project, which a session's events (shared by
	// every node of a cluster) may hold, is no target.
	abs, err := ctxbuild.AbsPath(req.Root, t, ctxbuild.FromRoot)
	if err != nil {
		return keptTarget{}
	}
	return keptTarget{target: abs, ref: t, name: name}
}

// buildKept builds breq, whose target was kept from the session (kept)
// when kept.target is set. Such a target follows the unit it resolved to
// when its turn recorded it: a PATH or PATH:LINE that no longer leads to
// that unit — the file renamed, lines added above it — takes the unit by
// its name, if the project still has it. A target that resolves neither
// way — its code renamed, moved or deleted since the turn that named it —
// or that no longer fits is left out and the question asked without it:
// the user did not name it this time, and an error about it would refuse
// a question that needs no target. The one that no longer resolves is
// named in gone, a warning for the user: the answer is not about the code
// the session was.
func (a *App) buildKept(ctx context.Context, b *ctxbuild.Builder, breq ctxbuild.Request, kept keptTarget) (built *ctxbuild.Context, gone string, err error) {
	built, err = b.Build(ctx, breq)
	if kept.target == "" || ctx.Err() != nil || err != nil && usererr.As(err) == nil {
		return built, "", err
	}
	moved := err == nil && built.TargetName != kept.name // another unit at the path now
	stale := staleIndex(err)                             // the index may be out of date
	if kept.name != "" && kept.name != kept.ref && (err != nil || moved) {
		nreq := breq
		nreq.Target = kept.name
		byName, nerr := b.Build(ctx, nreq)
		stale = stale || staleIndex(nerr)
		switch {
		case nerr == nil:
			return byName, "", nil
		case ctx.Err() != nil || usererr.As(nerr) == nil:
			return nil, "", nerr
		case err == nil:
			return built, "", nil // the unit is gone, or too large now; the path still leads to code
		case tooLong(nerr):
			err = nerr // it is there still
		}
	}
	if err == nil {
		return built, "", nil
	}
	a.logger.Debug("session target left out", "target", breq.Target, "err", err)
	if !tooLong(err) {
		gone = keptGone(kept, stale)
	}
	breq.Target = ""
	built, err = b.Build(ctx, breq)
	return built, gone, err
}

// tooLong reports whether err refused a target for its size: it is there.
func tooLong(err error) bool {
	var tl *ctxbuild.TooLongError
	return errors.As(err, &tl)
}

// staleIndex reports whether err, refusing a target, says the index is
// out of date: the file it has the target in was deleted, changed or
// replaced since (ctxbuild advises `aiex index` then). A file renamed and
// not indexed again is such a case: the unit is in the project, under a
// path the index does not know yet.
func staleIndex(err error) bool {
	ue := usererr.As(err)
	return ue != nil && strings.Contains(ue.Msg, "aiex index")
}

// keptGone is the warning that the session's target, kept, no longer
// resolves, so that the context has none: stale when the index may be out
// of date, which `aiex index` would settle. It says what the context is,
// not what became of the question: `aiex ask --dry-run` shows the context
// and sends nothing.
func keptGone(kept keptTarget, stale bool) string {
	what := kept.ref
	if kept.name != "" && kept.name != kept.ref {
		what += " (" + kept.name + ")"
	}
	if stale {
		return fmt.Sprintf("the session's target %s is not where the index has it, which may be out of date; the question's context leaves it out (run aiex index, or name the code with --target)", what)
	}
	return fmt.Sprintf("the session's target %s no longer exists in the project; the question's context leaves it out (name the code with --target)", what)
}

// withKept adds to warning, an answer's (answerWarning), the warning that
// the session's target no longer exists, when bc says so.
func withKept(warning string, bc *BuiltContext) string {
	if bc == nil || bc.TargetGone == "" {
		return warning
	}
	return strings.TrimPrefix(warning+"\n"+bc.TargetGone, "\n")
}
