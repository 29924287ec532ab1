package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestUnrecordedAnswerNotACrash: the disk holding the data dir fills while
// a long answer streams, and stays full until the process has quit. The
// next process finds the request and its turn still running; their
// record says that the answer arrived whole but could not be recorded for
// want of room, with the answer's tokens — not that the process making
// the request was killed or crashed.
func TestUnrecordedAnswerNotACrash(t *testing.T) {
	ctx := context.Background()
	a, cfg, ans, err := askFillingDisk(t, strings.Repeat("a long answer that needs pages of its own. ", 2000))
	if err == nil || ans == nil || ans.Interaction == nil || ans.Session == "" {
		t.Fatalf("ask: %v, %+v; want the answer, its records not written", err, ans)
	}
	id, tokens := ans.Interaction.ID, ans.Interaction.CompletionTokens
	// The disk stays full (the page limit is the connection's: it goes
	// with the process).
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}

	b, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	svc, err := b.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Open(ctx, session.Ref(ans.Session), "")
	if err != nil {
		t.Fatal(err)
	}
	turns := s.Turns(ctx, 1, 0)
	if len(turns) != 1 || turns[0].Status != db.TurnInterrupted {
		t.Fatalf("turns %+v; want turn 1 interrupted", turns)
	}
	in, ok, err := b.Store.Interaction(ctx, id)
	if err != nil || !ok {
		t.Fatalf("interaction %s: %v, %v", id, ok, err)
	}
	for what, reason := range map[string]string{"history": in.Error, "turn": turns[0].Reason} {
		if strings.Contains(reason, "crashed") || !strings.Contains(reason, "arrived whole") || !strings.Contains(reason, "is full") {
			t.Errorf("%s says %q; want that the answer arrived whole and the disk was full", what, reason)
		}
	}
	if in.CompletionTokens != tokens || tokens == 0 {
		t.Errorf("history has %d output tokens; want the answer's %d", in.CompletionTokens, tokens)
	}
}
