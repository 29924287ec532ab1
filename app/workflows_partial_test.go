package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestApplyPartialRecordsWhatWasLeftOut: a proposal written in part (the
// user dropped some of its hunks) is recorded as written, with the
// checkpoint, and says what was left out; the session shows it so, and a
// replay of the event log keeps it.
func TestApplyPartialRecordsWhatWasLeftOut(t *testing.T) {
	ctx := context.Background()
	a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(cacheModuleReply)).URL())
	root := writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n"})
	res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test", Session: "new", Apply: true},
		func(string) error { return nil })
	if err != nil || res.Proposal == nil || !res.Proposal.OK() {
		t.Fatalf("gen module: %v %+v", err, res)
	}
	const partial = "1 of 2 hunks of internal/cache/cache.go left out"
	w, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: res.Proposal.Changes, Session: res.Answer.Session,
		Turn: res.Answer.Turn, Actor: "test", Partial: partial})
	if err != nil || w.Checkpoint == nil {
		t.Fatalf("apply: %+v, %v", w, err)
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
		p := d.Turns[0].Proposal
		if p == nil || p.Status != session.ProposalWritten || p.Checkpoint != w.Checkpoint.ID || p.Reason != "in part: "+partial {
			t.Fatalf("%s: proposal %+v; want written in part, checkpoint %s", when, p, w.Checkpoint.ID)
		}
		var md strings.Builder
		if err := d.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		want := "**Proposal:** written (checkpoint " + w.Checkpoint.ID + "; undo: aiex checkpoint restore " + w.Checkpoint.ID + ") — in part: " + partial
		if !strings.Contains(md.String(), want) {
			t.Errorf("%s: Markdown lacks %q:\n%s", when, want, md.String())
		}
	}
	shown("as recorded")
	if _, err := a.Replay(ctx, false); err != nil {
		t.Fatal(err)
	}
	shown("replayed")
}
