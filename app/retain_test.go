package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
)

// TestRetain: the configured retention prunes old session events (the
// session still reads whole) and all but the newest checkpoints.
func TestRetain(t *testing.T) {
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), File: app.File{
		Events:      app.EventsConfig{Retention: app.Duration(time.Millisecond)},
		Checkpoints: app.CheckpointsConfig{Keep: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Begin(ctx, session.RefNew, "/p", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"one", "two"} {
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: q})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a " + q, Provider: "p", Model: "m"}); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2", "3"} {
		if _, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: []parse.Change{{Path: "f.txt", OldPath: "f.txt", Content: []byte(v)}}, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Millisecond) // older than the retention of 1 ms
	rep, err := a.Retain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events == nil || rep.Events.Events < 4 || rep.Checkpoints == nil || len(rep.Checkpoints.Pruned) != 2 {
		t.Fatalf("retain: events %+v, checkpoints %+v", rep.Events, rep.Checkpoints)
	}
	got, err := svc.Open(ctx, session.Ref(s.ID()), "/p")
	if err != nil {
		t.Fatal(err)
	}
	if turns := got.Turns(ctx, 1, 0); len(turns) != 2 || turns[1].Answer != "a two" {
		t.Fatalf("after retention: %+v", turns)
	}
}
