package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// cacheModuleReply is a model's answer to gen module internal/cache: a
// file that passes its checks.
const cacheModuleReply = "```go\n// Package cache keeps values.\npackage cache\n\n// Get finds nothing yet.\nfunc Get(string) bool { return false }\n```\n"

// TestTaskTurnRecordsProposal: a gen or refactor turn records what became
// of its proposal — its checks, and whether it was written: not, as a dry
// run, as refused by its checks (naming them) or as declined at the
// prompt; or written, with the checkpoint of the write. The session shows
// it (JSON and Markdown), and a replay of the event log rebuilds it.
func TestTaskTurnRecordsProposal(t *testing.T) {
	ctx := context.Background()
	good := cacheModuleReply
	bad := "```go\npackage cache\n\nfunc Get(string) bool { return false\n```\n"
	const mod = "module example.com/c\n\ngo 1.22\n"
	for name, tc := range map[string]struct {
		reply          string
		apply, decline bool
		declinedHow    string
		status, failed string
		markdown       string
	}{
		"dry run":  {reply: good, status: session.ProposalDryRun, markdown: "**Proposal:** not written: a dry run"},
		"refused":  {reply: bad, apply: true, status: session.ProposalRefused, failed: "syntax", markdown: "**Proposal:** not written: refused by its checks (syntax failed)"},
		"declined": {reply: good, apply: true, decline: true, status: session.ProposalDeclined, markdown: "**Proposal:** not written: declined when asked to confirm"},
		"declined in the TUI": {reply: good, apply: true, decline: true, declinedHow: "closed unwritten in the TUI", status: session.ProposalDeclined,
			markdown: "**Proposal:** not written: declined — closed unwritten in the TUI"},
		"written": {reply: good, apply: true, status: session.ProposalWritten, markdown: "**Proposal:** written (checkpoint "},
	} {
		t.Run(name, func(t *testing.T) {
			a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(tc.reply)).URL())
			root := writeProject(t, map[string]string{"go.mod": mod})
			res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test", Session: "new", Apply: tc.apply},
				func(string) error { return nil })
			if err != nil || res.Proposal == nil {
				t.Fatalf("gen module: %v %+v", err, res)
			}
			checkpointID := ""
			if tc.apply && res.Proposal.OK() {
				w, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: res.Proposal.Changes, Session: res.Answer.Session,
					Turn: res.Answer.Turn, Actor: "test", Declined: tc.decline, DeclinedHow: tc.declinedHow})
				if err != nil {
					t.Fatal(err)
				}
				if w.Checkpoint != nil {
					checkpointID = w.Checkpoint.ID
				}
				if tc.decline != (checkpointID == "") {
					t.Fatalf("declined %v, checkpoint %q", tc.decline, checkpointID)
				}
			}
			svc, err := a.Sessions()
			if err != nil {
				t.Fatal(err)
			}
			shown := func(when string) {
				t.Helper()
				s, err := svc.Open(ctx, session.Ref(res.Answer.Session), root)
				if err != nil {
					t.Fatal(err)
				}
				d := s.Document(ctx)
				if len(d.Turns) != 1 || d.Turns[0].Proposal == nil {
					t.Fatalf("%s: turns %+v; want one with its proposal", when, d.Turns)
				}
				p := d.Turns[0].Proposal
				if p.Status != tc.status || p.Checkpoint != checkpointID || p.Task != "gen-module" {
					t.Errorf("%s: proposal %+v; want %s, checkpoint %q", when, p, tc.status, checkpointID)
				}
				if got := strings.Join(p.Failed(), ","); got != tc.failed {
					t.Errorf("%s: failed checks %q; want %q", when, got, tc.failed)
				}
				if len(p.Checks) != len(res.Proposal.Checks) || p.Checks[0].Name != "applies" {
					t.Errorf("%s: checks %+v; want the proposal's %+v", when, p.Checks, res.Proposal.Checks)
				}
				if c := d.Turns[0].Context; c == nil || c.Tokens == 0 {
					t.Errorf("%s: the turn's context is lost: %+v", when, c)
				}
				var md strings.Builder
				if err := d.WriteMarkdown(&md); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(md.String(), tc.markdown+checkpointID) {
					t.Errorf("%s: Markdown lacks %q:\n%s", when, tc.markdown+checkpointID, md.String())
				}
			}
			shown("as recorded")
			if _, err := a.Replay(ctx, false); err != nil {
				t.Fatal(err)
			}
			shown("replayed")
		})
	}
}

// TestTaskTurnRecordsUnusableAnswer: a refactor or gen turn whose answer
// came whole but held no change to check (no code block, a diff that
// does not apply) records that it was not written and why, where it
// recorded nothing; a reader of the session could not tell it from a
// proposal never made.
func TestTaskTurnRecordsUnusableAnswer(t *testing.T) {
	ctx := context.Background()
	const mod = "module example.com/c\n\ngo 1.22\n"
	for name, tc := range map[string]struct {
		reply, task, reason string
		run                 func(a *app.App, root string) (*app.TaskResult, error)
	}{
		"gen module, no code": {reply: "I would rather not.", task: "gen-module", reason: "the model's answer has no go block, nothing was written",
			run: func(a *app.App, root string) (*app.TaskResult, error) {
				return a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test", Session: "new", Apply: true}, func(string) error { return nil })
			}},
		"refactor, diff that does not apply": {task: "refactor", reason: "the model's diff does not apply, nothing was written",
			reply: "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -1,3 +1,3 @@\n package nothere\n-func Gone() {}\n+func Here() {}\n```\n",
			run: func(a *app.App, root string) (*app.TaskResult, error) {
				return a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc.go", Goal: "x", Actor: "test", Session: "new"}, func(string) error { return nil })
			}},
	} {
		t.Run(name, func(t *testing.T) {
			a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(tc.reply)).URL())
			root := writeProject(t, map[string]string{"go.mod": mod, "calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n"})
			if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
				t.Fatal(err)
			}
			res, err := tc.run(a, root)
			if err == nil || res == nil || res.Proposal != nil || res.Answer == nil {
				t.Fatalf("err %v, result %+v; want the answer and an error", err, res)
			}
			svc, err := a.Sessions()
			if err != nil {
				t.Fatal(err)
			}
			s, err := svc.Open(ctx, session.Ref(res.Answer.Session), root)
			if err != nil {
				t.Fatal(err)
			}
			d := s.Document(ctx)
			if len(d.Turns) != 1 || d.Turns[0].Proposal == nil {
				t.Fatalf("turns %+v; want one with its proposal", d.Turns)
			}
			p := d.Turns[0].Proposal
			if p.Status != session.ProposalUnusable || p.Task != tc.task || !strings.HasPrefix(p.Reason, tc.reason) {
				t.Errorf("proposal %+v; want unusable, task %s, reason starting %q", p, tc.task, tc.reason)
			}
			var md strings.Builder
			if err := d.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			if want := "**Proposal:** not written: the answer held no usable change — " + tc.reason; !strings.Contains(md.String(), want) {
				t.Errorf("Markdown lacks %q:\n%s", want, md.String())
			}
		})
	}
}
