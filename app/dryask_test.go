package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestDryAskIsWhatAskSends: the prompt DryAsk builds is, message for
// message, the one AskCode then sends for the same request — code found
// by the question's search, a target, no code, and a session's earlier
// turns with the target the session is about — and DryAsk leaves the store
// as it was: no interaction, no session, no turn, no event.
func TestDryAskIsWhatAskSends(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "tiny", ContextLength: 4096}), providertest.WithReply("it adds"))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}})
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"go.mod":  "module example.com/calc\n\ngo 1.22\n",
		"calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\n// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  app.CodeAsk
		want func(*testing.T, *app.BuiltContext)
	}{
		{"searched", app.CodeAsk{Request: ask.Request{Prompt: "how does Add work?"}, Root: root, Session: session.RefNew},
			func(t *testing.T, b *app.BuiltContext) {
				if len(b.Included) == 0 {
					t.Errorf("no code went in: %+v", b.Context)
				}
			}},
		{"target", app.CodeAsk{Request: ask.Request{Prompt: "why?"}, Root: root, Target: "calc.go:9", Session: session.RefNew},
			func(t *testing.T, b *app.BuiltContext) {
				if b.Target == nil || b.Target.Name != "calc.Sub" {
					t.Errorf("target %+v; want calc.Sub", b.Target)
				}
			}},
		{"no code", app.CodeAsk{Request: ask.Request{Prompt: "why is the sky blue?"}, NoContext: true, Project: root},
			func(t *testing.T, b *app.BuiltContext) {
				if len(b.Included) != 0 || b.Window != 4096 || b.Tokens == 0 || b.Budget != b.Window-b.Reserve {
					t.Errorf("context %+v; want no code in a 4096-token window", b.Context)
				}
			}},
		{"session", app.CodeAsk{Request: ask.Request{Prompt: "does it handle overflow?"}, Root: root, Session: session.RefLast},
			func(t *testing.T, b *app.BuiltContext) {
				if b.HistoryTurns != 1 || b.Target == nil || b.Target.Name != "calc.Sub" {
					t.Errorf("%d earlier turns, target %+v; want the one before, about calc.Sub", b.HistoryTurns, b.Target)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Actor, tc.req.Model = "test", "tiny"
			before := storeRows(t, a)
			sent := len(fake.Requests())
			b, note, err := a.DryAsk(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if note != "" {
				t.Errorf("note %q", note)
			}
			tc.want(t, b)
			if len(fake.Requests()) != sent {
				t.Fatal("the dry run sent a request")
			}
			after := storeRows(t, a)
			for table, rows := range after {
				if !reflect.DeepEqual(rows, before[table]) {
					t.Errorf("the dry run changed table %s: %d rows, then %d", table, len(before[table]), len(rows))
				}
			}
			if _, err := a.AskCode(ctx, tc.req, func(string) error { return nil }); err != nil {
				t.Fatal(err)
			}
			reqs := fake.Requests()
			if len(reqs) != sent+1 {
				t.Fatalf("%d requests sent; want 1", len(reqs)-sent)
			}
			var got []providers.Message
			for _, m := range reqs[sent].Messages {
				got = append(got, providers.Message{Role: providers.Role(m.Role), Content: m.Content})
			}
			if !reflect.DeepEqual(got, b.Prompt) {
				t.Errorf("ask sent\n%q\nthe dry run showed\n%q", got, b.Prompt)
			}
		})
	}
	// An archived session is refused, as asking in it is.
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	info, err := svc.Archive(ctx, session.RefLast, root, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = a.DryAsk(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "tiny"}, Root: root, Session: session.Ref(info.ID)})
	if !errors.Is(err, session.ErrArchived) {
		t.Errorf("in archived session %s: %v; want it refused as archived", info.ID, err)
	}
	// In a project with no session, --session last shows what a new one
	// would have and says so.
	other := t.TempDir()
	b, note, err := a.DryAsk(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "tiny"}, Root: other, Session: session.RefLast})
	if err != nil || b.HistoryTurns != 0 || note != "no session in this project to continue yet: the question would start a new one" {
		t.Errorf("last in a project with none: %v, note %q", err, note)
	}
}

// storeRows is what the store holds: every row of every table.
func storeRows(t *testing.T, a *app.App) map[string][][]any {
	t.Helper()
	ctx := context.Background()
	tables, err := a.Store.Query(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string][][]any{}
	for _, v := range tables.Values {
		name := v[0].(string)
		rows, err := a.Store.Query(ctx, `SELECT * FROM "`+name+`" ORDER BY rowid`)
		if err != nil {
			rows, err = a.Store.Query(ctx, `SELECT * FROM "`+name+`"`)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all[name] = rows.Values
	}
	if _, ok := all["llm_interaction"]; !ok {
		t.Fatalf("no table llm_interaction among %d: the store's tables were not read", len(all))
	}
	return all
}
