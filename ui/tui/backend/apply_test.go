package backend

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// TestNodeApplyRecordsPartialAndDeclined: through the node's API, a
// proposal written in part is recorded in its turn as written, saying
// what was left out, and one closed unwritten as declined.
func TestNodeApplyRecordsPartialAndDeclined(t *testing.T) {
	reply := "```go\n// Package cache keeps values.\npackage cache\n\n// Get finds nothing yet.\nfunc Get(string) bool { return false }\n```\n"
	fake := providertest.NewOllama(t, providertest.WithReply(reply))
	n := startNode(t, "solo", meshtest.TCP(t, 1, nil)[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := node.Connect(ctx, n.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "go.mod"), []byte("module example.com/c\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := Node(cl, project)
	task := func(name string) *tui.TaskResult {
		t.Helper()
		res, err := b.Task(ctx, tui.TaskRequest{Kind: tui.TaskGenModule, Name: name, Description: "x", Session: "new"}, func(string) {})
		if err != nil || res.Proposal == nil || !res.Proposal.OK() || res.Answer == nil {
			t.Fatalf("task: %+v, %v", res, err)
		}
		return res
	}
	proposal := func(res *tui.TaskResult) *session.Proposal {
		t.Helper()
		doc, err := b.Session(ctx, res.Answer.Session)
		if err != nil || len(doc.Turns) != 1 || doc.Turns[0].Proposal == nil {
			t.Fatalf("session: %+v, %v", doc, err)
		}
		return doc.Turns[0].Proposal
	}

	// Closed unwritten first: the package is not there yet for the next.
	res := task("internal/cache")
	if cp, err := b.Apply(ctx, tui.ApplyRequest{Session: res.Answer.Session, Turn: res.Answer.Turn, Reason: "gen module", Declined: true}); err != nil || cp != nil {
		t.Fatalf("declined: %+v, %v", cp, err)
	}
	if p := proposal(res); p.Status != session.ProposalDeclined {
		t.Errorf("declined: %+v", p)
	}

	res = task("internal/cache")
	cp, err := b.Apply(ctx, tui.ApplyRequest{Changes: res.Proposal.Changes, Session: res.Answer.Session, Turn: res.Answer.Turn,
		Reason: "gen module", Partial: "1 of 2 hunks of internal/cache/cache.go left out"})
	if err != nil || cp == nil {
		t.Fatalf("apply: %+v, %v", cp, err)
	}
	if p := proposal(res); p.Status != session.ProposalWritten || p.Checkpoint != cp.ID || p.Reason != "in part: 1 of 2 hunks of internal/cache/cache.go left out" {
		t.Errorf("written in part: %+v", p)
	}
}
