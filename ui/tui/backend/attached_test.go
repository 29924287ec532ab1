package backend

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// startNode starts a node called name on tr and closes it in t.Cleanup.
func startNode(t *testing.T, name string, tr mesh.Transport, providers map[string]app.ProviderConfig, join ...string) *node.Node {
	t.Helper()
	// A short dir: the node's unix socket lives in it (~104 bytes at most).
	dir, err := os.MkdirTemp("", "aiexb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := node.Start(ctx, node.Config{
		App:       app.Config{DataDir: filepath.Join(dir, name), File: app.File{Providers: providers}, Version: "test"},
		Transport: tr, Join: join, Name: name, Heartbeat: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn),
	})
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		n.Close(ctx)
	})
	return n
}

// TestAttached: a TUI on laptop attached to gpu. The conversation is
// gpu's (status, answers by its Ollama, sessions, events, models); the
// project's work is laptop's; explain is refused in one line; once gpu is
// down, calls wrap tui.ErrUnreachable.
func TestAttached(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	fake := providertest.NewOllama(t, providertest.WithReply("from", " the", " gpu"))
	// laptop bootstraps the cluster and leads it.
	laptop := startNode(t, "laptop", tcp[1], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}})
	gpu := startNode(t, "gpu", tcp[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}, laptop.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := node.Connect(ctx, laptop.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if cs, err := cl.Status(ctx); err == nil && len(cs.Nodes) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("laptop does not know gpu")
		}
	}
	gpuID := gpu.App().Store.NodeID()
	project := t.TempDir()
	b := Attached(cl, "gpu", project)

	st, err := b.Status(ctx)
	if err != nil || st.Node != gpuID || st.Mode != "attached" || st.Members != 2 || !st.Healthy() {
		t.Fatalf("status %+v, %v; want gpu's, attached", st, err)
	}
	var got strings.Builder
	res, err := b.Ask(ctx, tui.AskRequest{Prompt: "hi", Session: "new"}, func(s string) { got.WriteString(s) })
	if err != nil || got.String() != "from the gpu" || res.Node != gpuID || res.Provider != "ollama" || res.Session == "" ||
		res.Turn != 1 || res.Context != nil {
		t.Fatalf("ask: %q, %+v, %v; want gpu's answer, recorded", got.String(), res, err)
	}
	list, err := b.Sessions(ctx)
	if err != nil || len(list) != 1 || list[0].ID != res.Session {
		t.Fatalf("sessions %+v, %v", list, err)
	}
	// gpu, a follower, reads the session from its copy of the store,
	// which may not have its own last write yet.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		doc, err := b.Session(ctx, "last")
		if err == nil && doc.Session.ID == res.Session && len(doc.Turns) == 1 && doc.Turns[0].Node == gpuID &&
			doc.Turns[0].Answer == "from the gpu" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %+v, %v", doc, err)
		}
	}
	stop := errors.New("enough")
	var types []string
	err = b.Subscribe(ctx, []string{session.Stream(res.Session)}, 0, func(evs []events.Event) error {
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		if len(types) >= 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Contains(types, session.TypeTurnCompleted) {
		t.Fatalf("subscription: %v, %v", types, err)
	}
	ms, err := b.Models(ctx)
	if err != nil || !slices.ContainsFunc(ms, func(m tui.ModelInfo) bool { return m.Provider == "ollama" && m.Node == "" }) {
		t.Fatalf("models %+v, %v; want gpu's own ollama", ms, err)
	}

	// The project's work is laptop's: its files (none indexed yet), and
	// no code goes with a question.
	if f, err := b.Files(ctx); err != nil || f.Indexed {
		t.Errorf("files: %+v, %v", f, err)
	}
	if c, err := b.Context(ctx, tui.AskRequest{Prompt: "hi"}); c != nil || err != nil {
		t.Errorf("context: %+v, %v; want none", c, err)
	}
	// Indexed here, the project's code goes with a question to gpu, built
	// on laptop (gpu cannot read the files) for gpu's model.
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
	// laptop fits the code to gpu's model as it knows it (gpu/ollama),
	// once gpu's heartbeat carried its models.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mr, err := cl.Models(ctx)
		if err == nil && slices.ContainsFunc(mr.Models, func(m app.ModelInfo) bool { return m.Provider == "gpu/ollama" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("laptop does not list gpu's models: %+v, %v", mr, err)
		}
	}
	if c, err := b.Context(ctx, tui.AskRequest{Prompt: "what", Task: "explain", Target: "calc.Max"}); err != nil || c == nil ||
		!slices.ContainsFunc(c.Chunks, func(ch session.ContextChunk) bool { return ch.Path == "calc.go" }) {
		t.Fatalf("context of explain calc.Max: %+v, %v", c, err)
	}
	res, err = b.Ask(ctx, tui.AskRequest{Prompt: "why", Task: "explain", Target: "calc.Max", Session: res.Session}, func(string) {})
	if err != nil || res.Node != gpuID || res.Context == nil || len(res.Context.Chunks) == 0 || res.Turn != 2 {
		t.Fatalf("explain attached: %+v, %v", res, err)
	}
	reqs := fake.Requests()
	last := reqs[len(reqs)-1]
	var prompt strings.Builder
	for _, m := range last.Messages {
		prompt.WriteString(m.Content)
	}
	if !strings.Contains(prompt.String(), "func Max(a, b int) int") || !strings.Contains(prompt.String(), "from the gpu") {
		t.Fatalf("gpu's model did not get the code and the session's first turn:\n%s", prompt.String())
	}

	if err := gpu.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Status(ctx); !errors.Is(err, tui.ErrUnreachable) {
		t.Errorf("status with gpu down: %v; want ErrUnreachable", err)
	}
	if _, err := b.Sessions(ctx); !errors.Is(err, tui.ErrUnreachable) {
		t.Errorf("sessions with gpu down: %v; want ErrUnreachable", err)
	}
}
