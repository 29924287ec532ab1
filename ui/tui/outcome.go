package tui

import (
	"cmp"
	"encoding/json"
	"strings"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// A task's turn shows its answer (the diff), then what became of the
// proposal: live, the TUI says it as it writes, declines or undoes it
// (see applied, declineProposal, restored); read again, or done from
// elsewhere, the turn's record says it (session.Proposal), and the
// conversation says it under the answer in the same words where they
// apply. Without it a reopened session showed the diff alone, which
// reads the same written, declined or refused.

// proposalOutcome is what became of a turn's proposal, as one line, and
// whether it reads as an error (the change could not be written).
func proposalOutcome(p *session.Proposal) (string, bool) {
	cp := shortID(p.Checkpoint)
	var what string
	bad := false
	switch p.Status {
	case session.ProposalWritten:
		what = "wrote the change"
		switch {
		case cp != "" && p.CheckpointPruned:
			what += " · checkpoint " + cp + ", pruned since: it can no longer be undone"
		case cp != "":
			what += " · checkpoint " + cp + " · aiex checkpoint restore " + cp + " puts it back"
		}
	case session.ProposalUndone:
		what = "wrote the change, then undone: checkpoint " + cp + " restored"
		if r := p.RestoredCheckpoint; r != "" && r != p.Checkpoint {
			what = "wrote the change (checkpoint " + cp + "), then undone by the restore of the earlier checkpoint " + shortID(r)
		}
	case session.ProposalDeclined:
		what = "proposal declined; nothing written"
		if p.Reason == declinedInTUI {
			what = "proposal closed; nothing written" // as it was said when closed here
		}
	case session.ProposalRefused:
		what, bad = "not written: the change failed its checks", true
		if f := p.Failed(); len(f) > 0 {
			what = "not written: " + strings.Join(f, ", ") + " failed"
		}
	case session.ProposalWriteFailed:
		what, bad = "not written: the write failed", true
	case session.ProposalDryRun:
		what = "proposal not written"
	case session.ProposalPending:
		what = "proposal: the write was asked for, and nothing is recorded of it since"
	case session.ProposalCancelled:
		what = "proposal not written: cancelled before the write began"
	case session.ProposalUnusable:
		what = "proposal not written: the answer held no change that could be checked"
	default:
		what = "proposal: " + p.Status
	}
	if r := oneLine(p.Reason); r != "" && r != declinedInTUI && p.Status != session.ProposalRefused {
		what += " — " + r
	}
	return what, bad
}

// outcomeItem is the item that says what became of a proposal.
func (m *Model) outcomeItem(p *session.Proposal) *item {
	text, bad := proposalOutcome(p)
	kind := noteItem
	if bad {
		kind = errorItem
	}
	return m.newItem(kind, text)
}

// applyProposal shows what became of a turn's proposal, recorded
// elsewhere (another TUI, the CLI) or before this TUI read the session:
// it replaces what the turn said of it. Of an answer given here, this
// TUI said it as it happened.
func (m *Model) applyProposal(ev events.Event) bool {
	var p session.TurnProposal
	if json.Unmarshal(ev.Payload, &p) != nil {
		return false
	}
	ti := m.sess.byTurn[p.Turn]
	if ti == nil || ti.answer.mine {
		// A turn not shown (the session was read with its recent turns
		// only: a restore records what it undid in older ones), or one
		// answered here, whose outcome this TUI said as it happened.
		return true
	}
	next := p.Proposal
	if was := ti.proposal; was != nil {
		// As the session folds it: a write's event names no checks.
		if next.Checks == nil {
			next.Checks = was.Checks
		}
		next.Task = cmp.Or(next.Task, was.Task)
	}
	ti.proposal = &next
	it := m.outcomeItem(&next)
	if ti.outcome != nil {
		ti.outcome.kind, ti.outcome.text = it.kind, it.text
		m.conv.changed(ti.outcome, false)
		return true
	}
	ti.outcome = it
	m.conv.insertAfter(ti.answer, it)
	return true
}
