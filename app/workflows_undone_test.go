package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRestoredTurnSaysUndone: a turn whose written change aiex checkpoint
// restore put back says it was undone, and how to write it again; a
// replay of the event log keeps it so.
func TestRestoredTurnSaysUndone(t *testing.T) {
	ctx := context.Background()
	a, root, res, w := writtenTurn(t)
	r, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: root, Ref: w.Checkpoint.ID, Actor: "test"})
	if err != nil || r.Restore == nil || r.Restore.Checkpoint == nil {
		t.Fatalf("restore: %v %+v", err, r)
	}
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"as recorded", "replayed"} {
		if when == "replayed" {
			if _, err := a.Replay(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
		s, err := svc.Open(ctx, session.Ref(res.Answer.Session), root)
		if err != nil {
			t.Fatal(err)
		}
		d := s.Document(ctx)
		p := d.Turns[0].Proposal
		if p == nil || p.Status != session.ProposalUndone || p.Checkpoint != w.Checkpoint.ID || len(p.Checks) == 0 ||
			!strings.Contains(p.Reason, "aiex checkpoint restore "+r.Restore.Checkpoint.ID) {
			t.Fatalf("%s: proposal %+v; want undone, checkpoint %s, its checks kept, and how to write it again", when, p, w.Checkpoint.ID)
		}
		var md strings.Builder
		if err := d.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if want := "**Proposal:** written, then undone (checkpoint " + w.Checkpoint.ID + " restored)"; !strings.Contains(md.String(), want) {
			t.Errorf("%s: Markdown lacks %q:\n%s", when, want, md.String())
		}
	}
}

// TestRestoredUndoSaysWrittenAgain: restoring the checkpoint of the
// restore that undid a turn's written change writes the change again, and
// the turn says it is written, with its own checkpoint, as before the
// undo; restoring that restore's checkpoint undoes it again. A replay of
// the event log keeps each so.
func TestRestoredUndoSaysWrittenAgain(t *testing.T) {
	ctx := context.Background()
	a, root, res, w := writtenTurn(t)
	restore := func(ref string) string {
		t.Helper()
		r, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: root, Ref: ref, Actor: "test"})
		if err != nil || r.Restore == nil || r.Restore.Checkpoint == nil {
			t.Fatalf("restore %s: %v %+v", ref, err, r)
		}
		return r.Restore.Checkpoint.ID
	}
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	// turn checks the turn's proposal, as recorded and once replayed.
	turn := func(step, status, reason, markdown string) {
		t.Helper()
		for _, when := range []string{"as recorded", "replayed"} {
			if when == "replayed" {
				if _, err := a.Replay(ctx, false); err != nil {
					t.Fatal(err)
				}
			}
			s, err := svc.Open(ctx, session.Ref(res.Answer.Session), root)
			if err != nil {
				t.Fatal(err)
			}
			d := s.Document(ctx)
			p := d.Turns[0].Proposal
			if p == nil || p.Status != status || p.Checkpoint != w.Checkpoint.ID || p.Reason != reason || len(p.Checks) == 0 {
				t.Fatalf("%s, %s: proposal %+v; want %s, checkpoint %s, reason %q, its checks kept", step, when, p, status, w.Checkpoint.ID, reason)
			}
			var md strings.Builder
			if err := d.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), markdown) {
				t.Errorf("%s, %s: Markdown lacks %q:\n%s", step, when, markdown, md.String())
			}
		}
	}
	undo := restore(w.Checkpoint.ID)
	turn("undone", session.ProposalUndone, "to write it again: aiex checkpoint restore "+undo,
		"**Proposal:** written, then undone (checkpoint "+w.Checkpoint.ID+" restored)")
	redo := restore(undo)
	turn("written again", session.ProposalWritten, "",
		"**Proposal:** written (checkpoint "+w.Checkpoint.ID+"; undo: aiex checkpoint restore "+w.Checkpoint.ID+")")
	again := restore(redo)
	turn("undone again", session.ProposalUndone, "to write it again: aiex checkpoint restore "+again,
		"**Proposal:** written, then undone (checkpoint "+w.Checkpoint.ID+" restored)")
}

// writtenTurn makes a session whose turn's change (gen module
// internal/cache) is written, and returns the app, the project's root,
// the turn's result and the write's.
func writtenTurn(t *testing.T) (*app.App, string, *app.TaskResult, *checkpoint.Result) {
	t.Helper()
	ctx := context.Background()
	a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(cacheModuleReply)).URL())
	root := writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n"})
	res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test", Session: "new", Apply: true},
		func(string) error { return nil })
	if err != nil || res.Proposal == nil || !res.Proposal.OK() {
		t.Fatalf("gen module: %v %+v", err, res)
	}
	w, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: res.Proposal.Changes, Session: res.Answer.Session, Turn: res.Answer.Turn, Actor: "test"})
	if err != nil || w.Checkpoint == nil {
		t.Fatalf("apply: %v %+v", err, w)
	}
	return a, root, res, w
}
