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

// calcSource is the project's one function, which a prompt with the
// project's code holds.
const calcSource = "package calc\n\n// Max is the larger of a and b.\nfunc Max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n"

// calcProject writes a Go project of one function and indexes it with
// core.
func calcProject(t *testing.T, ctx context.Context, core *app.App) string {
	t.Helper()
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "go.mod"), []byte("module calc\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "calc.go"), []byte(calcSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := core.IndexProject(ctx, app.IndexRequest{Root: project}, nil); err != nil {
		t.Fatal(err)
	}
	return project
}

// waitModels polls the node on cl until its model list has a model of
// provider.
func waitModels(t *testing.T, ctx context.Context, cl *node.Client, provider string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mr, err := cl.Models(ctx)
		if err == nil && slices.ContainsFunc(mr.Models, func(m app.ModelInfo) bool { return m.Provider == provider }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no model of %s listed: %+v, %v", provider, mr, err)
		}
	}
}

// ollamaPrompts is every prompt fake was sent, its messages joined.
func ollamaPrompts(fake *providertest.Ollama) []string {
	var out []string
	for _, r := range fake.Requests() {
		var b strings.Builder
		for _, m := range r.Messages {
			b.WriteString(m.Content)
		}
		out = append(out, b.String())
	}
	return out
}

// openAIPrompts is every chat prompt fake was sent, its messages joined.
func openAIPrompts(fake *providertest.OpenAI) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Chat == nil {
			continue
		}
		var b strings.Builder
		for _, m := range r.Chat.Messages {
			b.WriteString(m.Content)
		}
		out = append(out, b.String())
	}
	return out
}

func hasMax(prompts []string) bool {
	return slices.ContainsFunc(prompts, func(p string) bool { return strings.Contains(p, "func Max(a, b int) int") })
}

func withCalc(c *session.ContextSummary) bool {
	return c != nil && slices.ContainsFunc(c.Chunks, func(ch session.ContextChunk) bool { return ch.Path == "calc.go" })
}

// pickCluster is laptop attached to gpu, which has a local provider
// (gpu, model big) and a cloud one (cloud, model sky); laptop has a local
// provider of its own (mine, model small), and a project of one function
// indexed.
type pickCluster struct {
	b                 tui.Backend
	gpuFake, mineFake *providertest.Ollama
	cloudFake         *providertest.OpenAI
}

func startPickCluster(t *testing.T, ctx context.Context) *pickCluster {
	t.Helper()
	tcp := meshtest.TCP(t, 2, nil)
	pc := &pickCluster{
		gpuFake:   providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "big"}), providertest.WithReply("from gpu")),
		mineFake:  providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "small"}), providertest.WithReply("from laptop")),
		cloudFake: providertest.NewOpenAI(t, providertest.WithModels(providertest.Model{Name: "sky"}), providertest.WithReply("from the cloud")),
	}
	laptop := startNode(t, "laptop", tcp[1], map[string]app.ProviderConfig{"mine": {Kind: "ollama", BaseURL: pc.mineFake.URL()}})
	startNode(t, "gpu", tcp[0], map[string]app.ProviderConfig{
		"gpu":   {Kind: "ollama", BaseURL: pc.gpuFake.URL()},
		"cloud": {Kind: "openai-compatible", BaseURL: pc.cloudFake.URL(), Local: new(false)},
	}, laptop.Addr())
	cl, err := node.Connect(ctx, laptop.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	waitModels(t, ctx, cl, "gpu/gpu")
	waitModels(t, ctx, cl.Via("gpu"), "laptop/mine")
	pc.b = Attached(cl, "gpu", calcProject(t, ctx, laptop.App()))
	return pc
}

// TestAttachedTasksUseThePickedModel: a task runs on laptop with the
// model picked from gpu's list, named as laptop knows it: gpu's local
// provider as gpu/gpu, laptop's own (listed by gpu as laptop/mine) as
// mine. gpu's cloud model cannot run a task (laptop has no access to
// it): a one-line error, nothing sent.
func TestAttachedTasksUseThePickedModel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pc := startPickCluster(t, ctx)
	refactor := func(provider, model string) (*tui.TaskResult, error) {
		return pc.b.Task(ctx, tui.TaskRequest{Kind: tui.TaskRefactor, Target: "calc.go", Goal: "use max", Provider: provider, Model: model,
			Session: "new"}, func(string) {})
	}
	res, err := refactor("gpu", "big")
	if err != nil && strings.Contains(err.Error(), "unknown provider") || !hasMax(ollamaPrompts(pc.gpuFake)) {
		t.Fatalf("refactor with gpu/big: %+v, %v; want it sent to gpu's model", res, err)
	}
	if res == nil || res.Answer == nil || res.Answer.Provider != "gpu/gpu" || res.Answer.Model != "big" {
		t.Errorf("refactor with gpu/big answered by %+v; want gpu/gpu", res)
	}
	res, err = refactor("laptop/mine", "small")
	if err != nil && strings.Contains(err.Error(), "unknown provider") || !hasMax(ollamaPrompts(pc.mineFake)) {
		t.Fatalf("refactor with laptop/mine/small: %+v, %v; want it sent to laptop's own model", res, err)
	}
	if res == nil || res.Answer == nil || res.Answer.Provider != "mine" {
		t.Errorf("refactor with laptop/mine/small answered by %+v; want mine", res)
	}
	sent := func() int {
		return len(pc.gpuFake.Requests()) + len(pc.mineFake.Requests()) + len(openAIPrompts(pc.cloudFake))
	}
	before := sent()
	if res, err := refactor("cloud", "sky"); err == nil || !strings.Contains(err.Error(), "cloud model") || strings.Contains(err.Error(), "\n") {
		t.Errorf("refactor with gpu's cloud model: %+v, %v; want a one-line error", res, err)
	}
	if n := sent(); n != before {
		t.Errorf("a task for gpu's cloud model sent %d requests", n-before)
	}
}

// TestAttachedQuestionsToThePickedModel: /explain and a plain question
// with a model picked from gpu's list are built on laptop for it and
// answered by it: gpu's cloud model, which is offered, and which gpu
// asks, and laptop's own model (as gpu lists it).
func TestAttachedQuestionsToThePickedModel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pc := startPickCluster(t, ctx)
	ms, err := pc.b.Models(ctx)
	if err != nil || !slices.ContainsFunc(ms, func(m tui.ModelInfo) bool { return m.Provider == "cloud" && !m.Local }) {
		t.Fatalf("models %+v, %v; want gpu's cloud model offered", ms, err)
	}
	q := tui.AskRequest{Prompt: "what does Max in calc.go return?", Provider: "cloud", Model: "sky", Session: "new"}
	if c, err := pc.b.Context(ctx, q); err != nil || !withCalc(c) {
		t.Fatalf("context of a question to gpu's cloud model: %+v, %v; want calc.go", c, err)
	}
	ans, err := pc.b.Ask(ctx, q, func(string) {})
	if err != nil || !withCalc(ans.Context) || ans.Provider != "cloud" || !hasMax(openAIPrompts(pc.cloudFake)) {
		t.Fatalf("question to gpu's cloud model: %+v, %v; prompts %q", ans, err, openAIPrompts(pc.cloudFake))
	}
	ex, err := pc.b.Ask(ctx, tui.AskRequest{Prompt: "why", Task: "explain", Target: "calc.Max", Provider: "laptop/mine", Model: "small",
		Session: "new"}, func(string) {})
	if err != nil || !withCalc(ex.Context) || ex.Provider != "laptop/mine" || !hasMax(ollamaPrompts(pc.mineFake)) {
		t.Fatalf("explain with laptop/mine/small: %+v, %v", ex, err)
	}
}

// TestAttachedContextForACloudOnlyNode: gpu has no local model of its
// own, only a cloud one. A question naming no model goes where gpu plans
// it — laptop's model when gpu can reach it (local models first), else
// gpu's cloud model — and its context is built on laptop for that model:
// the code goes with it.
func TestAttachedContextForACloudOnlyNode(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mineUp    bool
		wantModel string
	}{
		{"laptop's model", true, "laptop/mine"},
		{"gpu's cloud model", false, "cloud"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tcp := meshtest.TCP(t, 2, nil)
			mineFake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "small"}))
			mineURL := mineFake.URL()
			if !tc.mineUp {
				mineURL = providertest.Unreachable(t)
			}
			cloudFake := providertest.NewOpenAI(t, providertest.WithModels(providertest.Model{Name: "sky"}), providertest.WithReply("from the cloud"))
			laptop := startNode(t, "laptop", tcp[1], map[string]app.ProviderConfig{"mine": {Kind: "ollama", BaseURL: mineURL}})
			startNode(t, "gpu", tcp[0], map[string]app.ProviderConfig{
				"cloud": {Kind: "openai-compatible", BaseURL: cloudFake.URL(), Local: new(false)},
			}, laptop.Addr())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cl, err := node.Connect(ctx, laptop.App().Store.Dir())
			if err != nil {
				t.Fatal(err)
			}
			waitModels(t, ctx, cl.Via("gpu"), tc.wantModel)
			project := calcProject(t, ctx, laptop.App())
			b := Attached(cl, "gpu", project)

			q := tui.AskRequest{Prompt: "what does Max in calc.go return?", Session: "new"}
			if c, err := b.Context(ctx, q); err != nil || !withCalc(c) {
				t.Fatalf("context: %+v, %v; want calc.go", c, err)
			}
			ans, err := b.Ask(ctx, q, func(string) {})
			prompts := ollamaPrompts(mineFake)
			if tc.wantModel == "cloud" {
				prompts = openAIPrompts(cloudFake)
			}
			if err != nil || !withCalc(ans.Context) || ans.Provider != tc.wantModel || !hasMax(prompts) {
				t.Fatalf("question: %+v, %v; prompts %q", ans, err, prompts)
			}
		})
	}
}
