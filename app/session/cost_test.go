package session_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestUnknownCostShown: a turn whose request was recorded as of unknown
// cost shows so in the session's views — the turn, its provider and
// model's usage, the session's total and its line in the list — as
// "$X+?", the style of the other views; a turn of known cost does not.
func TestUnknownCostShown(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{Instance: "p1"})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	yes, no := true, false
	for _, tc := range []struct {
		id, provider string
		unknown      *bool
	}{{"i-free", "local", &no}, {"i-fake", "fake", &yes}} {
		in := db.Interaction{ID: tc.id, SessionID: s.ID(), Node: e.st.NodeID(), Provider: tc.provider, Model: "m", Prompt: "q",
			Status: db.StatusOK, StartedAt: time.Now(), PromptTokens: 10, CompletionTokens: 2, CostUnknown: tc.unknown}
		fin := in.StartedAt.Add(time.Second)
		in.FinishedAt = &fin
		if _, err := e.st.Execute(ctx, db.InsertInteractionStmt(&in), db.FinishInteractionStmt(&in)); err != nil {
			t.Fatal(err)
		}
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
		must(t, err)
		must(t, s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "a", Provider: tc.provider, Model: "m", Node: "node-a",
			InteractionID: tc.id, PromptTokens: 10, CompletionTokens: 2}))
	}
	o, err := e.svc.Open(ctx, session.RefLast, "/p")
	must(t, err)
	d := o.Document(ctx)
	if len(d.Turns) != 2 || d.Turns[0].CostUnknown || !d.Turns[1].CostUnknown || !d.Session.CostUnknown {
		t.Fatalf("document: session cost unknown %v, turns %+v; want the second turn's cost unknown, and so the session's", d.Session.CostUnknown, d.Turns)
	}
	for _, u := range d.Usage {
		if u.CostUnknown != (u.Provider == "fake") {
			t.Errorf("usage of %s/%s: cost unknown %v", u.Provider, u.Model, u.CostUnknown)
		}
	}
	var md bytes.Buffer
	must(t, d.WriteMarkdown(&md))
	if got := md.String(); !strings.Contains(got, "- **Turns:** 2 · 20 → 4 tokens · $0.0000+?") ||
		!strings.Contains(got, "- **fake/m:** 1 turn · 10 → 2 tokens · $0.0000+?") || !strings.Contains(got, "- **local/m:** 1 turn · 10 → 2 tokens · $0.0000\n") ||
		strings.Count(got, "$0.0000+? · ") != 1 {
		t.Errorf("markdown:\n%s\nwant the session's, fake/m's and the second turn's cost marked +?, the rest not", got)
	}
	list, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
	must(t, err)
	if len(list) != 1 || !list[0].CostUnknown {
		t.Errorf("list: %+v; want the session's cost unknown", list)
	}
}
