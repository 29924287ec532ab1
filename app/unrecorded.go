package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// UnrecordedError is the error of a question whose answer arrived whole
// while the data dir had no room to record it: the answer stands (asking
// again would pay for it twice), but its records — the request's in
// history, the session's turn — were not all written when the command
// returned. This process tries them again until it exits (a request's
// record, coord.Pending; a turn's end, the session's). Error says what
// was recorded and what was not, in one sentence.
type UnrecordedError struct {
	Full    *db.DiskFullError // why: the disk is full, or the file size limit
	History bool              // the request is recorded in history
	// Session and Turn are the question's turn, when it was asked in a
	// session; TurnRecorded says that the turn's answer is recorded.
	Session      string
	Turn         int64
	TurnRecorded bool
	Err          error // the write that failed
}

func (e *UnrecordedError) Error() string { return e.say(": " + e.Full.Cause()) }

// say is Error with cause (": WHY", or "" when said already) after what
// was not recorded.
func (e *UnrecordedError) say(cause string) string {
	const later = "aiex tries again for a few seconds before it exits"
	switch {
	case e.Session == "":
		return fmt.Sprintf("the answer is complete, but it is not recorded in history yet%s (%s)", cause, later)
	case !e.History && e.TurnRecorded:
		return fmt.Sprintf("the answer is complete and recorded as turn %d of session %s, but not in history yet%s (%s)", e.Turn, e.Session, cause, later)
	case !e.History:
		return fmt.Sprintf("the answer is complete, but neither history nor session %s (as turn %d) has recorded it yet%s (%s)", e.Session, e.Turn, cause, later)
	}
	return fmt.Sprintf("the answer is complete and in history, but session %s has not recorded it as turn %d yet%s (%s; else the session takes the answer from history when it is next used)",
		e.Session, e.Turn, cause, later)
}

func (e *UnrecordedError) Unwrap() error { return e.Err }

// unrecorded makes the errors of a question whose answer arrived whole
// (in, with status ok) — askErr, the request's record, and turnErr, the
// session turn's (sess "" without one) — one *UnrecordedError, as a user
// error, when what failed them was a full disk; else it returns ok false.
func unrecorded(in *db.Interaction, askErr, turnErr error, sess string, turn int64) (error, bool) {
	if in == nil || in.Status != db.StatusOK || askErr == nil && turnErr == nil {
		return nil, false
	}
	var full *db.DiskFullError
	switch {
	case askErr != nil && !errors.As(askErr, &full):
		return nil, false // the request's record failed otherwise
	case askErr == nil && !errors.As(turnErr, &full):
		return nil, false
	}
	ue := &UnrecordedError{Full: full, History: askErr == nil, Session: sess, Turn: turn, TurnRecorded: turnErr == nil,
		Err: errors.Join(askErr, turnErr)}
	return &usererr.Error{Msg: ue.Error(), Err: ue}, true
}

// noteUnrecorded writes on in's record, still running because its end
// could not be written (u: the disk had no room for the answer), what
// became of the request: that its answer arrived whole, with its tokens
// and cost. That is a few bytes where the answer needed many, which a
// disk with little room left may still take. If room comes back while
// this process lives, the whole record lands over it (coord.Pending); if
// not, the next start of the node ends the request as interrupted with
// this note as its reason (db.InterruptRunningStmt keeps it), and so does
// its session's turn — not as a request whose process crashed.
func (a *App) noteUnrecorded(ctx context.Context, in *db.Interaction, u error) {
	var ue *UnrecordedError
	if !errors.As(u, &ue) || ue.History || in == nil {
		return
	}
	note := fmt.Sprintf("the answer arrived whole (%d bytes) but could not be recorded: %s", len(in.Response), ue.Full.Cause())
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnEndTimeout)
	defer cancel()
	_, err := a.Store.Execute(ctx, db.Stmt(`UPDATE llm_interaction SET error = ?, prompt_tokens = ?, completion_tokens = ?, cost_usd = ?
		WHERE id = ? AND finished_at IS NULL`, note, in.PromptTokens, in.CompletionTokens, in.CostUSD, in.ID))
	if err != nil {
		a.logger.Warn("app: could not note on the request's record that its answer arrived", "interaction", in.ID, "err", err)
	}
}
