package backend

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// TestAttachedContextNamesTheProviderAsKnownHere: laptop attached to
// gpu, whose provider has a name laptop does not configure ("gpu"; laptop
// knows it as gpu/gpu). The context of a plain question and of /explain
// is built on laptop for gpu's model, and the code goes with both; a
// context that cannot be built (a question too long for gpu's window) is
// an error, not a question sent without its code.
func TestAttachedContextNamesTheProviderAsKnownHere(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	fake := providertest.NewOllama(t, providertest.WithReply("from", " the", " gpu"))
	laptop := startNode(t, "laptop", tcp[1], map[string]app.ProviderConfig{"mine": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}})
	startNode(t, "gpu", tcp[0], map[string]app.ProviderConfig{"gpu": {Kind: "ollama", BaseURL: fake.URL(), ContextWindow: 2048}}, laptop.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := node.Connect(ctx, laptop.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	// laptop knows gpu's models once its heartbeat carried them.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mr, err := cl.Models(ctx)
		if err == nil && slices.ContainsFunc(mr.Models, func(m app.ModelInfo) bool { return m.Provider == "gpu/gpu" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("laptop does not list gpu's models: %+v, %v", mr, err)
		}
	}
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "go.mod"), []byte("module calc\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	calc := "package calc\n\n// Max is the larger of a and b.\nfunc Max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n"
	if err := os.WriteFile(filepath.Join(project, "calc.go"), []byte(calc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := laptop.App().IndexProject(ctx, app.IndexRequest{Root: project}, nil); err != nil {
		t.Fatal(err)
	}
	b := Attached(cl, "gpu", project)

	hasCalc := func(c *session.ContextSummary) bool {
		return c != nil && slices.ContainsFunc(c.Chunks, func(ch session.ContextChunk) bool { return ch.Path == "calc.go" })
	}
	lastPrompt := func() string {
		reqs := fake.Requests()
		var prompt strings.Builder
		for _, m := range reqs[len(reqs)-1].Messages {
			prompt.WriteString(m.Content)
		}
		return prompt.String()
	}
	q := tui.AskRequest{Prompt: "what does Max in calc.go return?", Session: "new"}
	if c, err := b.Context(ctx, q); err != nil || !hasCalc(c) {
		t.Fatalf("context of a plain question: %+v, %v; want calc.go", c, err)
	}
	res, err := b.Ask(ctx, q, func(string) {})
	if err != nil || !hasCalc(res.Context) || !strings.Contains(lastPrompt(), "func Max(a, b int) int") {
		t.Fatalf("plain question: %+v, %v; prompt:\n%s", res, err, lastPrompt())
	}
	ex := tui.AskRequest{Prompt: "why", Task: "explain", Target: "calc.Max", Session: res.Session}
	if res, err = b.Ask(ctx, ex, func(string) {}); err != nil || !hasCalc(res.Context) || res.Turn != 2 {
		t.Fatalf("explain: %+v, %v", res, err)
	}

	// gpu's window is 2,048 tokens: a question of ~3,000 cannot go.
	long := tui.AskRequest{Prompt: strings.Repeat("why is that so ", 800), Session: res.Session}
	n := len(fake.Requests())
	if c, err := b.Context(ctx, long); err == nil {
		t.Errorf("context of a question too long: %+v; want an error", c)
	}
	if res, err := b.Ask(ctx, long, func(string) {}); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Errorf("question too long: %+v, %v; want the window's error", res, err)
	}
	if len(fake.Requests()) != n {
		t.Errorf("a question too long for the window was sent")
	}
}
