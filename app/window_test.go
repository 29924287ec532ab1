package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskSendsWindow: a prompt fitted to a model's window asks the server
// to run the model with that window. Ollama's /api/ps said the loaded
// model runs with 8,192 tokens (another client loaded it so); a request
// without num_ctx would have it loaded again with the server's default,
// which cuts the prompt fitted to 8,192 without a word. A question with
// no code is not fitted, and leaves the server's choice.
func TestAskSendsWindow(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "big", ContextLength: 32768, NumCtx: 8192}),
		providertest.WithOllamaLoaded("big"), providertest.WithReply("ok"))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}})
	root := writeProject(t, map[string]string{
		"go.mod":  "module calc\n\ngo 1.22\n",
		"calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
	})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "what does it do?", Model: "big", Actor: "test"},
		Task: "explain", Root: root, Target: "calc.Add"}, func(string) error { return nil })
	if err != nil || ans.Context == nil {
		t.Fatalf("explain: %+v, %v", ans, err)
	}
	if _, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Model: "big", Actor: "test"}, NoContext: true},
		func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if got := reqs[0].Options["num_ctx"]; ans.Context.Window != 8192 || got != 8192.0 {
		t.Errorf("explain fitted to %d tokens, sent num_ctx %v; want both 8192", ans.Context.Window, got)
	}
	if got, ok := reqs[1].Options["num_ctx"]; ok {
		t.Errorf("a question without code sent num_ctx %v", got)
	}
}
