package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRestoreEarlierUndoesLaterTurn: restoring the checkpoint of a turn's
// write with --force also undoes a later turn's write of the same file;
// that turn says so, naming the checkpoint restored, with a way to write
// it again that works, and the checkpoint list says both are undone.
func TestRestoreEarlierUndoesLaterTurn(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	ctx := context.Background()
	a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(cacheModuleReply)).URL())
	root := writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n", "calc.go": "package c\n"})
	var sess string
	var cps []string
	for i, content := range []string{"package c // one\n", "package c // two\n"} {
		res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test",
			Session: map[bool]string{true: "new", false: sess}[i == 0]}, func(string) error { return nil })
		if err != nil {
			t.Fatalf("turn %d: %v", i+1, err)
		}
		sess = res.Answer.Session
		w, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: []parse.Change{{Path: "calc.go", OldPath: "calc.go", Content: []byte(content)}},
			Session: sess, Turn: res.Answer.Turn, Actor: "test"})
		if err != nil || w.Checkpoint == nil {
			t.Fatalf("apply %d: %v %+v", i+1, err, w)
		}
		cps = append(cps, w.Checkpoint.ID)
	}
	r, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: root, Ref: cps[0], Force: true, Actor: "test"})
	if err != nil || r.Restore.Checkpoint == nil {
		t.Fatalf("restore: %v %+v", err, r)
	}
	undo := r.Restore.Checkpoint.ID
	l, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointList, Root: root, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range l.List {
		if c.ID != undo && (c.Status != checkpoint.StatusUndone || c.UndoneBy != undo) {
			t.Errorf("checkpoint %s: %s (undone by %q); want undone by %s", c.ID, c.Status, c.UndoneBy, undo)
		}
	}
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Open(ctx, session.Ref(sess), root)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Document(ctx)
	var md strings.Builder
	if err := d.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	p := d.Turns[1].Proposal
	if p == nil || p.Status != session.ProposalUndone || p.Checkpoint != cps[1] || p.RestoredCheckpoint != cps[0] {
		t.Fatalf("later turn's proposal %+v; want undone by the restore of %s", p, cps[0])
	}
	want := "written (checkpoint " + cps[1] + "), then undone by the restore of the earlier checkpoint " + cps[0] +
		" — to write it again: aiex checkpoint restore " + undo
	if !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md.String())
	}
	if strings.Contains(md.String(), "undo: aiex checkpoint restore "+cps[1]) {
		t.Errorf("Markdown still offers to undo the undone write:\n%s", md.String())
	}
	// The way to write it again works, and says the turns are written.
	if _, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointRestore, Root: root, Ref: undo, Actor: "test"}); err != nil {
		t.Fatalf("write again: %v", err)
	}
	s, _ = svc.Open(ctx, session.Ref(sess), root)
	for i, tr := range s.Document(ctx).Turns {
		if tr.Proposal == nil || tr.Proposal.Status != session.ProposalWritten || tr.Proposal.Checkpoint != cps[i] {
			t.Errorf("turn %d after writing again: %+v", i+1, tr.Proposal)
		}
	}
}
