package session

import (
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// TestProposalInContext: a turn's proposal rides in its row's context
// JSON beside the context, which reads as before; a row recorded before
// proposals were (no "proposal" key) reads as it always did, and one with
// a proposal but no context has none. A later record keeps the checks
// when it names none (a write's), and replaces the status.
func TestProposalInContext(t *testing.T) {
	old := `{"window":8192,"budget":6000,"tokens":120,"target":"calc.go"}`
	if c, p := splitContext(old); p != nil || c == nil || c.Tokens != 120 || c.Target != "calc.go" {
		t.Fatalf("an old row: %+v %+v", c, p)
	}
	st := newState("s1")
	st.Turns = append(st.Turns, turnRow(old))
	checks := []ProposalCheck{{Name: "applies", Status: "ok"}, {Name: "go build", Status: "failed"}}
	if err := st.proposal(&TurnProposal{Turn: 1, Proposal: Proposal{Task: "refactor", Checks: checks, Status: ProposalPending}}); err != nil {
		t.Fatal(err)
	}
	if err := st.proposal(&TurnProposal{Turn: 1, Proposal: Proposal{Status: ProposalWritten, Checkpoint: "cp1"}}); err != nil {
		t.Fatal(err)
	}
	c, p := splitContext(st.Turns[0].Context)
	if c == nil || c.Tokens != 120 || c.Target != "calc.go" {
		t.Errorf("the context: %+v", c)
	}
	if p == nil || p.Status != ProposalWritten || p.Checkpoint != "cp1" || p.Task != "refactor" || len(p.Checks) != 2 || p.Failed()[0] != "go build" {
		t.Errorf("the proposal: %+v", p)
	}
	if c, p := splitContext(withProposal("", &Proposal{Status: ProposalDryRun})); c != nil || p == nil {
		t.Errorf("a proposal without context: %+v %+v", c, p)
	}
	if err := st.proposal(&TurnProposal{Turn: 2, Proposal: Proposal{Status: ProposalWritten}}); err == nil {
		t.Error("a proposal of a turn the session does not have was folded")
	}
	if err := (&TurnProposal{Turn: 1, Proposal: Proposal{Status: "maybe"}}).Validate(); err == nil {
		t.Error("an unknown status is valid")
	}
}

// turnRow is a completed turn 1 whose context is ctxJSON.
func turnRow(ctxJSON string) db.SessionTurn {
	return db.SessionTurn{SessionID: "s1", Turn: 1, Status: db.TurnCompleted, Context: ctxJSON}
}
