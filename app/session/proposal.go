package session

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// A refactor or gen turn's answer is a proposed change, and what became
// of it is part of the turn: which checks it passed or failed, whether it
// was written and, when it was, the checkpoint that undoes the write. An
// answer alone reads the same whether the change was written, refused by
// its checks, declined or never asked to be written.
//
// It is recorded by TurnProposal events after the turn's end: one when
// the checks are done, another when the write is done or declined (which
// keeps the checks the first named). The projection's turn row has no
// column of its own for it: it rides in the row's context JSON, under the
// key "proposal", which the turn's context (a ContextSummary) does not
// use; readers of the context ignore it, and Turn shows it apart.

// TypeTurnProposal is the type of TurnProposal events.
const TypeTurnProposal = "turn.proposal"

// Proposal statuses: what became of a turn's proposed change.
const (
	ProposalWritten     = "written"      // written through a checkpoint
	ProposalRefused     = "refused"      // not written: a check failed
	ProposalDryRun      = "dry_run"      // not written: no write was asked for
	ProposalPending     = "pending"      // the checks passed and the write was asked for; nothing recorded since
	ProposalDeclined    = "declined"     // not written: the user said no when asked to confirm
	ProposalWriteFailed = "write_failed" // the write was refused or failed, and nothing was left changed
	ProposalCancelled   = "cancelled"    // not written: interrupted before the write began
	ProposalUndone      = "undone"       // written, then put back by aiex checkpoint restore
	ProposalUnusable    = "unusable"     // not written: the answer held no change that could be checked (no diff, one that does not apply)
)

var proposalStatuses = []string{ProposalWritten, ProposalRefused, ProposalDryRun, ProposalPending, ProposalDeclined,
	ProposalWriteFailed, ProposalCancelled, ProposalUndone, ProposalUnusable}

// ProposalCheck is one check of a proposed change and how it came out
// (ok, failed, skipped).
type ProposalCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Proposal is what became of a turn's proposed change.
type Proposal struct {
	Task   string          `json:"task,omitempty"` // refactor, gen-module, gen-tests
	Checks []ProposalCheck `json:"checks,omitempty"`
	Status string          `json:"status"` // one of the Proposal statuses
	// Reason says why it was not written (the failed checks, the write's
	// error), or anything else worth knowing of the write.
	Reason     string `json:"reason,omitempty"`
	Checkpoint string `json:"checkpoint_id,omitempty"` // of the write; aiex checkpoint restore undoes it
	// RestoredCheckpoint, of a change undone, is the checkpoint whose
	// restore undid it: its own, or an earlier one of the same files.
	RestoredCheckpoint string `json:"restored_checkpoint_id,omitempty"`
	// CheckpointPruned: Checkpoint was pruned since, so the write can no
	// longer be undone. It is never recorded: whoever shows the session
	// sets it (app asks the checkpoints), as it is when shown.
	CheckpointPruned bool `json:"checkpoint_pruned,omitempty"`
}

// Written reports whether the change was written.
func (p *Proposal) Written() bool { return p.Status == ProposalWritten }

// Failed names the checks that failed.
func (p *Proposal) Failed() []string {
	var out []string
	for _, c := range p.Checks {
		if c.Status == "failed" {
			out = append(out, c.Name)
		}
	}
	return out
}

// TurnProposal records what became of turn Turn's proposed change.
type TurnProposal struct {
	Turn int64 `json:"turn"`
	Proposal
}

// EventType implements events.Payload.
func (*TurnProposal) EventType() string { return TypeTurnProposal }

// Validate implements events.Validator.
func (p *TurnProposal) Validate() error {
	if p.Turn < 1 {
		return fmt.Errorf("turn %d", p.Turn)
	}
	if !slices.Contains(proposalStatuses, p.Status) {
		return fmt.Errorf("proposal status %q", p.Status)
	}
	return nil
}

// proposal folds p into its turn: its checks, unless it names none (a
// write's event), replace the turn's; its status, reason and checkpoint
// replace those before.
func (st *state) proposal(p *TurnProposal) error {
	if p.Turn > int64(len(st.Turns)) {
		return invalid("proposal of turn %d but the session has %d turns", p.Turn, len(st.Turns))
	}
	tr := &st.Turns[p.Turn-1]
	next := p.Proposal
	if was := proposalOf(tr.Context); was != nil {
		if next.Checks == nil {
			next.Checks = was.Checks
		}
		next.Task = cmpOr(next.Task, was.Task)
	}
	tr.Context = withProposal(tr.Context, &next)
	// The row's context is no longer an event's bytes: the row carries it.
	if r := st.refs[p.Turn]; r != nil {
		r.ContextSpan = db.PayloadSpan{}
	}
	st.markTurn(p.Turn)
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// proposalKey is the key of a turn row's context JSON that holds its
// Proposal.
const proposalKey = "proposal"

// proposalOf is the Proposal a turn row's context JSON holds; nil if none.
func proposalOf(ctxJSON string) *Proposal {
	if !strings.Contains(ctxJSON, `"`+proposalKey+`"`) {
		return nil
	}
	var m struct {
		Proposal *Proposal `json:"proposal"`
	}
	if json.Unmarshal([]byte(ctxJSON), &m) != nil {
		return nil
	}
	return m.Proposal
}

// withProposal is the context JSON ctxJSON with p under proposalKey.
func withProposal(ctxJSON string, p *Proposal) string {
	m := map[string]json.RawMessage{}
	if ctxJSON != "" {
		if json.Unmarshal([]byte(ctxJSON), &m) != nil {
			m = map[string]json.RawMessage{}
		}
	}
	b, _ := json.Marshal(p) // plain data: cannot fail
	m[proposalKey] = b
	out, _ := json.Marshal(m)
	return string(out)
}

// splitContext is a turn row's context JSON as Turn shows it: its
// ContextSummary (nil when it holds only a Proposal, or nothing) and its
// Proposal.
func splitContext(ctxJSON string) (*ContextSummary, *Proposal) {
	p := proposalOf(ctxJSON)
	if p == nil {
		return DecodeContext(json.RawMessage(ctxJSON)), nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(ctxJSON), &m) != nil || len(m) == 1 {
		return nil, p
	}
	return DecodeContext(json.RawMessage(ctxJSON)), p
}

// RecordProposal records in turn n of the session id (of project) what
// became of the change its answer proposed (see Proposal).
func (s *Service) RecordProposal(ctx context.Context, id, project, actor string, n int64, p Proposal) error {
	sess, err := s.writable(ctx, Ref(id), project, actor)
	if err != nil {
		return err
	}
	p.Reason = s.redactor(ctx).Redact(p.Reason)
	p.CheckpointPruned = false // as it is when shown, never recorded
	return sess.record(ctx, func(st *state) ([]events.Payload, error) {
		if n < 1 || n > int64(len(st.Turns)) {
			return nil, fmt.Errorf("session %s: no turn %d", st.Session.ID, n)
		}
		return []events.Payload{&TurnProposal{Turn: n, Proposal: p}}, nil
	})
}

// proposalLine is what became of a proposal, as one line: whether it was
// written and why not, then its checks.
func proposalLine(p *Proposal) string {
	var what string
	switch p.Status {
	case ProposalWritten:
		what = "written"
		switch {
		case p.Checkpoint != "" && p.CheckpointPruned:
			what += fmt.Sprintf(" (checkpoint %s, pruned since: it can no longer be undone)", p.Checkpoint)
		case p.Checkpoint != "":
			what += fmt.Sprintf(" (checkpoint %s; undo: aiex checkpoint restore %s)", p.Checkpoint, p.Checkpoint)
		}
	case ProposalRefused:
		what = "not written: refused by its checks"
		if f := p.Failed(); len(f) > 0 {
			what += " (" + strings.Join(f, ", ") + " failed)"
		}
	case ProposalDryRun:
		what = "not written: a dry run (no write was asked for)"
	case ProposalPending:
		what = "not written yet: the write was asked for, and nothing is recorded of it"
	case ProposalDeclined:
		what = "not written: declined"
		if p.Reason == "" {
			what += " when asked to confirm" // the Reason says how otherwise
		}
	case ProposalWriteFailed:
		what = "not written: the write failed"
	case ProposalCancelled:
		what = "not written: cancelled before the write began"
	case ProposalUnusable:
		what = "not written: the answer held no usable change"
	case ProposalUndone:
		what = "written, then undone"
		switch {
		case p.RestoredCheckpoint != "" && p.RestoredCheckpoint != p.Checkpoint:
			what = fmt.Sprintf("written (checkpoint %s), then undone by the restore of the earlier checkpoint %s", p.Checkpoint, p.RestoredCheckpoint)
		case p.Checkpoint != "":
			what += fmt.Sprintf(" (checkpoint %s restored)", p.Checkpoint)
		}
	default:
		what = p.Status
	}
	if p.Reason != "" && p.Status != ProposalRefused {
		what += " — " + strings.Join(strings.Fields(p.Reason), " ")
	}
	if len(p.Checks) > 0 {
		checks := make([]string, len(p.Checks))
		for i, c := range p.Checks {
			checks[i] = c.Name + " " + c.Status
		}
		what += "; checks: " + strings.Join(checks, ", ")
	}
	return what
}
