package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// fillDisk makes every later write of a's store that needs a new page fail
// as a full disk does (SQLite's SQLITE_FULL), until roomAgain.
// answeringApp opens an app on a new data dir whose one provider, a fake
// Ollama with model m, answers every question with pieces.
func answeringApp(t *testing.T, pieces ...string) (*app.App, app.Config) {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "m", ContextLength: 32768}),
		providertest.WithReply(pieces...))
	cfg := app.Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
		File: app.File{Providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}}}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, cfg
}

// askFillingDisk asks a fake Ollama, in a new session of a new data dir,
// for answer, which streams in two pieces, and fills the disk holding the
// data dir (fillDisk) when the first arrives. It returns the app, still
// open, its config, and what AskCode returned.
func askFillingDisk(t *testing.T, answer string) (*app.App, app.Config, *app.Answer, error) {
	t.Helper()
	ctx := context.Background()
	a, cfg := answeringApp(t, answer[:100], answer[100:])
	full := false
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "m", Actor: "test"}, Session: session.RefNew, Project: cfg.DataDir, NoContext: true},
		func(string) error {
			if !full {
				fillDisk(t, a)
				full = true
			}
			return nil
		})
	return a, cfg, ans, err
}

func fillDisk(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	rows, err := a.Store.Query(ctx, "PRAGMA page_count")
	if err != nil || len(rows.Values) != 1 {
		t.Fatalf("page_count: %+v, %v", rows, err)
	}
	pages, _ := rows.Values[0][0].(int64)
	if _, err := a.Store.Execute(ctx, db.Stmt(fmt.Sprintf("PRAGMA max_page_count = %d", pages))); err != nil {
		t.Fatal(err)
	}
}

func roomAgain(t *testing.T, a *app.App) {
	t.Helper()
	if _, err := a.Store.Execute(context.Background(), db.Stmt("PRAGMA max_page_count = 1073741823")); err != nil {
		t.Fatal(err)
	}
}

// TestTurnEndRecordedAfterDiskFull: the disk holding the data dir fills
// while an answer streams, and has room again before the process quits.
// The answer arrived whole, so its turn is completed, with its text, once
// the store can write again — not failed for want of room to record the
// history's row, and not left running for the next writer to mark
// interrupted with no answer because quitting stopped the retry. The error
// the asker gets is one sentence, without the coordinator's prefix.
func TestTurnEndRecordedAfterDiskFull(t *testing.T) {
	ctx := context.Background()
	answer := strings.Repeat("a long answer that needs pages of its own. ", 400)
	a, cfg, ans, err := askFillingDisk(t, answer)
	if err == nil {
		t.Fatal("an answer whose end could not be recorded for want of room reported no error")
	}
	if msg := err.Error(); strings.Contains(msg, "coord:") || strings.Contains(msg, "\n") || !strings.Contains(msg, "is full") ||
		strings.Contains(msg, "run the command again") || !strings.Contains(msg, "answer is complete") {
		t.Errorf("error = %q; want one sentence saying the disk is full and the answer complete, without internal prefixes", msg)
	}
	if ans == nil || ans.Session == "" {
		t.Fatalf("answer = %+v; want its session", ans)
	}
	roomAgain(t, a)
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}

	turns := reopenedTurns(t, cfg, ans.Session, nil)
	if len(turns) != 1 || turns[0].Status != db.TurnCompleted || turns[0].Answer != answer {
		for _, tr := range turns {
			t.Logf("turn %d: %s, %d chars of answer, reason %q", tr.N, tr.Status, len(tr.Answer), tr.Reason)
		}
		t.Fatalf("want turn 1 completed with the whole answer")
	}
}

// TestTurnEndOnlyFullSaysAnswerKept: the answer arrives whole and its
// request is recorded, but the session's turn, which carries the answer
// again, finds the disk full. Asking again would pay for the answer twice:
// the error says the answer is kept and what happens to the turn, and the
// session's turn takes the request's answer when the session is next used.
func TestTurnEndOnlyFullSaysAnswerKept(t *testing.T) {
	answer := "the whole answer"
	ctx := context.Background()
	a, cfg := answeringApp(t, answer)
	dir := cfg.DataDir
	// Only the turn's end fails, as SQLite fails a write that needs a page
	// the disk no longer has.
	if _, err := a.Store.Execute(ctx, db.Stmt(`CREATE TRIGGER turn_full BEFORE INSERT ON session_turns WHEN NEW.status <> 'running'
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)); err != nil {
		t.Fatal(err)
	}
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "m", Actor: "test"}, Session: session.RefNew, Project: dir, NoContext: true},
		func(string) error { return nil })
	if err == nil {
		t.Fatal("a turn whose end could not be recorded reported no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "run the command again") || !strings.Contains(msg, "is full") || !strings.Contains(msg, "answer") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q; want one sentence that says the disk is full and the answer is kept, not to ask again", msg)
	}
	if ans == nil || ans.Session == "" || ans.Interaction == nil {
		t.Fatalf("answer = %+v; want its session and interaction", ans)
	}
	// The disk stays full until the process has quit: the next one to
	// use the session finds the turn running, its process gone, and
	// takes the answer from the request's record.
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}

	turns := reopenedTurns(t, cfg, ans.Session, func(b *app.App) {
		if _, err := b.Store.Execute(ctx, db.Stmt(`DROP TRIGGER turn_full`)); err != nil {
			t.Fatal(err)
		}
	})
	if len(turns) != 1 || turns[0].Status != db.TurnCompleted || turns[0].Answer != answer {
		t.Fatalf("turns = %+v; want turn 1 completed with the answer", turns)
	}
}

// reopenedTurns opens the data dir of cfg again, runs first on it (nil:
// nothing), and returns the first turns of session id, as the next
// process to use the session reads them.
func reopenedTurns(t *testing.T, cfg app.Config, id string, first func(*app.App)) []session.Turn {
	t.Helper()
	ctx := context.Background()
	b, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(ctx) })
	if first != nil {
		first(b)
	}
	svc, err := b.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Open(ctx, session.Ref(id), "")
	if err != nil {
		t.Fatal(err)
	}
	return s.Turns(ctx, 1, 0)
}

// TestBrokenTurnReason: a turn whose answer broke off keeps the provider's
// account of why, as history does, not the message on the screen with its
// note on what was recorded.
func TestBrokenTurnReason(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "m", ContextLength: 8192}),
		providertest.WithReply("one ", "two ", "three ", "four"), providertest.WithBrokenStream(2))
	ctx := context.Background()
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, Getenv: func(string) string { return "" },
		File: app.File{Providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}}}
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "m", Actor: "test"}, Session: session.RefNew, Project: dir, NoContext: true},
		func(string) error { return nil })
	if err == nil || ans == nil || ans.Interaction == nil {
		t.Fatalf("ask: %v; want the answer broken off", err)
	}
	a.Close(ctx)
	turns := reopenedTurns(t, cfg, ans.Session, nil)
	if len(turns) != 1 {
		t.Fatalf("turns %+v", turns)
	}
	got := turns[0]
	if got.Status != db.TurnInterrupted || got.Reason == "" || strings.Contains(got.Reason, "recorded as interrupted") ||
		strings.Count(got.Reason, "broke off") != 1 {
		t.Errorf("turn %s, reason %q; want interrupted with the provider's account alone", got.Status, got.Reason)
	}
}
