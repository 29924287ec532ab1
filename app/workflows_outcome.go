package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Refactor asks the model for a change to req.Target toward req.Goal (a
// unified diff, prompt template "refactor"), streams its answer to fn,
// and returns the change as a checked proposal; nothing is written. The
// question and answer are a turn of the session, which also records
// what became of the proposal (recordProposal).
func (a *App) Refactor(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	res, err := a.refactor(ctx, req, fn)
	err = res.unwritten(err)
	a.recordProposal(ctx, "refactor", req, res, err)
	return res, err
}

// GenModule asks the model for a new module or Go package file and
// returns it as a checked proposal, as genModule says; nothing is
// written. Its turn records what became of the proposal.
func (a *App) GenModule(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	res, err := a.genModule(ctx, req, fn)
	err = res.unwritten(err)
	a.recordProposal(ctx, "gen-module", req, res, err)
	return res, err
}

// GenTests asks the model for tests of req.Target and, with Toolchain,
// runs them, as genTests says; nothing is written into the project. Its
// turn records what became of the proposal.
func (a *App) GenTests(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	res, err := a.genTests(ctx, req, fn)
	err = res.unwritten(err)
	a.recordProposal(ctx, "gen-tests", req, res, err)
	return res, err
}

// recordProposal records in the turn of res's answer what became of its
// proposal once checked: refused by its checks, a dry run, cancelled, or
// awaiting the write asked for (Apply then records how that went). An
// answer that came whole but held no change to check (no diff, one that
// does not apply, a code block naming no file: err says which) is
// recorded as unusable, with err's message, so that a reader of the
// session can tell it from a proposal never asked for; an answer that
// did not come whole records nothing more than its own status. The
// record is the session's; failing to make it does not fail the task,
// whose answer is already recorded.
func (a *App) recordProposal(ctx context.Context, task string, req TaskRequest, res *TaskResult, err error) {
	if res == nil || res.Answer == nil || res.Answer.Session == "" || res.Answer.Turn < 1 {
		return
	}
	if res.Proposal == nil {
		if err != nil && ctx.Err() == nil && res.Answer.Interaction != nil && res.Answer.Interaction.Status == db.StatusOK {
			a.recordOutcome(ctx, req.Root, req.Actor, res.Answer.Session, res.Answer.Turn,
				session.Proposal{Task: task, Status: session.ProposalUnusable, Reason: errorMsg(err)})
		}
		return
	}
	p := res.Proposal
	out := session.Proposal{Task: p.Task, Checks: []session.ProposalCheck{}}
	for _, c := range p.Checks {
		out.Checks = append(out.Checks, session.ProposalCheck{Name: c.Name, Status: c.Status})
	}
	switch {
	case !p.OK():
		out.Status = session.ProposalRefused
	case res.unrecorded != nil && req.Apply:
		// Not written, and not to be: the command ended without it.
		out.Status, out.Reason = session.ProposalWriteFailed, errorMsg(err)
	case ctx.Err() != nil:
		out.Status = session.ProposalCancelled
	case req.Apply:
		out.Status = session.ProposalPending
	default:
		out.Status = session.ProposalDryRun
	}
	a.recordOutcome(ctx, req.Root, req.Actor, res.Answer.Session, res.Answer.Turn, out)
}

// keepUnrecorded takes err, the error of the task's question, as the
// answer's when the answer came whole but its records could not all be
// written (a full disk, *UnrecordedError): the task goes on to make its
// proposal, which is not written (unwritten says why). Any other error is
// returned.
func (r *TaskResult) keepUnrecorded(err error) error {
	if ue := (*UnrecordedError)(nil); errors.As(err, &ue) && r.Answer != nil && r.Answer.Interaction != nil {
		r.unrecorded = err
		return nil
	}
	return err
}

// unwritten is the error of a task whose answer's records could not all
// be written (keepUnrecorded): nothing is written — the disk that has no
// room for the records has none for the write's checkpoint either — and
// the error says so, why, and what became of the records. err, the task's
// own error (an answer without a usable change), comes first.
func (r *TaskResult) unwritten(err error) error {
	if r == nil || r.unrecorded == nil {
		return err
	}
	var ue *UnrecordedError
	errors.As(r.unrecorded, &ue)
	if err != nil {
		return &usererr.Error{Msg: errorMsg(err) + "; " + ue.Error(), Err: errors.Join(err, r.unrecorded)}
	}
	what := "nothing was written"
	if r.Proposal != nil {
		what = "the change was not written"
	}
	cause := ue.Full.Cause()
	if !ue.Full.TooLarge {
		cause += " or choose another data dir (--data-dir)"
	}
	return &usererr.Error{Msg: fmt.Sprintf("%s: %s; %s", what, cause, ue.say("")), Err: r.unrecorded}
}

// recordWrite records in the turn that proposed req's changes how their
// write went (res, err), or that it was declined. A write of part of the
// proposal (req.Partial) says what it left out.
func (a *App) recordWrite(ctx context.Context, req ApplyRequest, res *checkpoint.Result, err error) {
	if req.Session == "" || req.Turn < 1 {
		return
	}
	var out session.Proposal
	var ae *checkpoint.ApplyError
	switch {
	case req.Declined:
		out.Status, out.Reason = session.ProposalDeclined, req.DeclinedHow
	case err != nil:
		out.Status, out.Reason = session.ProposalWriteFailed, errorMsg(err)
		if errors.As(err, &ae) {
			out.Checkpoint = ae.Checkpoint
		}
	case res.Checkpoint == nil:
		out.Status, out.Reason = session.ProposalWritten, "nothing needed writing: the files were already as proposed"
	default:
		out.Status, out.Checkpoint = session.ProposalWritten, res.Checkpoint.ID
	}
	if req.Partial != "" && out.Status == session.ProposalWritten {
		// Written is what the turn's proposal became, but not all of it:
		// a reader of the session must not take the change as written
		// whole (its checks ran on the whole of it).
		out.Reason = strings.TrimPrefix(out.Reason+"; in part: "+req.Partial, "; ")
	}
	a.recordOutcome(ctx, req.Root, req.Actor, req.Session, req.Turn, out)
}

// recordOutcome records p in turn n of session id. It is recorded even
// when ctx has ended: a write once begun is finished, and so is its
// record.
func (a *App) recordOutcome(ctx context.Context, project, actor, id string, n int64, p session.Proposal) {
	svc, err := a.Sessions()
	if err == nil {
		err = svc.RecordProposal(context.WithoutCancel(ctx), id, project, actor, n, p)
	}
	if err != nil {
		a.logger.Warn("app: could not record what became of the proposal in its turn", "session", id, "turn", n, "err", err)
	}
}

// errorMsg is err as a user reads it: a user error's message, else the
// error.
func errorMsg(err error) string {
	if ue := usererr.As(err); ue != nil && ue.Msg != "" {
		return ue.Msg
	}
	return err.Error()
}
