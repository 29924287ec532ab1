package session_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
)

// TestProposalRecordIsNoUse: recording what became of an older session's
// proposal (a checkpoint restore undoing its write) is no use of it: "last"
// and the list's order stay with the session whose turn came last.
func TestProposalRecordIsNoUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	older, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, older, "refactor", "ok")
	newer, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, newer, "fresh X", "ok")
	if err := e.svc.RecordProposal(ctx, older.ID(), "/p", "cli", 1, session.Proposal{Status: session.ProposalUndone, Checkpoint: "0123456789ab"}); err != nil {
		t.Fatal(err)
	}
	if id, err := e.svc.ID(ctx, session.RefLast, "/p"); err != nil || id != newer.ID() {
		t.Fatalf("ID(last) after a proposal of the older = %q, %v; want %s", id, err, newer.ID())
	}
	list, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 2 || list[0].ID != newer.ID() {
		t.Fatalf("List = %+v, %v; want %s first", list, err, newer.ID())
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}
