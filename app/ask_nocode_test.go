package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskUnknownModelNotRecorded: a question naming a model no provider
// has is refused before it is sent — with code or without (--no-code),
// in a project with an index or without one — and leaves no interaction
// and no session behind, as a question refused with code does.
func TestAskUnknownModelNotRecorded(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "tiny"}), providertest.WithReply("ok"))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}})
	root := t.TempDir()
	for _, noCode := range []bool{true, false} {
		ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "nope", Actor: "test"},
			Root: root, Project: root, NoContext: noCode, Session: session.RefNew}, func(string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), `"nope" not found`) {
			t.Fatalf("no-code %v: %v; want the model not found", noCode, err)
		}
		if ans != nil && ans.Interaction != nil {
			t.Errorf("no-code %v: answered with interaction %+v; want none", noCode, ans.Interaction)
		}
	}
	for _, table := range []string{"llm_interaction", "sessions", "session_turns"} {
		rows, err := a.Store.Query(ctx, "SELECT COUNT(*) FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		if n := rows.Values[0][0].(int64); n != 0 {
			t.Errorf("%s holds %d rows after refused questions; want 0", table, n)
		}
	}
	if len(fake.Requests()) != 0 {
		t.Errorf("%d requests reached the server", len(fake.Requests()))
	}
}
