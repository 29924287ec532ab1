package node

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// attachPair starts gpu, whose Ollama hosts tiny and whose second one
// (slow) hosts slowpoke, pausing after its first token until release is
// closed, and laptop, with no model of its own, over plain TCP. It
// returns laptop's socket client once laptop knows both nodes.
func attachPair(t *testing.T, gpuCluster app.ClusterFileConfig) (gpu, laptop *Node, cl *Client, fast, slow *providertest.Ollama) {
	t.Helper()
	tcp := meshtest.TCP(t, 2, nil)
	fast = providertest.NewOllama(t, providertest.WithReply("from", " the", " gpu"))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow = providertest.NewOllama(t, providertest.WithReply("slow", " answer"), providertest.WithPause(1, release),
		providertest.WithModels(providertest.Model{Name: "slowpoke"}))
	gpu = startSpec(t, nodeSpec{name: "gpu", tr: tcp[0], cluster: gpuCluster, providers: map[string]app.ProviderConfig{
		"ollama": {Kind: "ollama", BaseURL: fast.URL()},
		"slow":   {Kind: "ollama", BaseURL: slow.URL()},
	}})
	laptop = startSpec(t, nodeSpec{name: "laptop", tr: tcp[1], join: []string{gpu.Addr()},
		providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}}})
	within(t, 15*time.Second, "laptop to know both nodes", func() bool {
		nodes, err := laptop.App().Store.Nodes(context.Background())
		return err == nil && len(nodes) == 2
	})
	cl, err := Connect(context.Background(), laptop.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	return gpu, laptop, cl, fast, slow
}

// nextEvent reads events from c until one satisfies want, failing the
// test after 15 s.
func nextEvent(t *testing.T, c <-chan db.Event, what string, want func(db.Event) bool) db.Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-c:
			if want(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestAttachRelay: a TUI attached to gpu through laptop's socket. Its
// question is answered by gpu (its core, its Ollama), its subscription
// sees what gpu appends, cancelling it cancels the request on gpu, an
// unknown name lists the nodes, the routes outside the attach subset are
// refused, and once gpu is down, requests say so (ErrPeerUnreachable)
// and a subscription in flight ends cut off.
func TestAttachRelay(t *testing.T) {
	gpu, laptop, cl, fast, slow := attachPair(t, app.ClusterFileConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	gpuID, laptopID := gpu.App().Store.NodeID(), laptop.App().Store.NodeID()
	via := cl.Via("gpu")

	// The node resolves by name or ID.
	for _, name := range []string{"gpu", "GPU", gpuID} {
		ai, err := cl.Attach(ctx, name)
		if err != nil || ai.ID != gpuID || ai.Name != "gpu" {
			t.Fatalf("attach %s: %+v, %v", name, ai, err)
		}
	}
	st, err := via.Status(ctx)
	if err != nil || st.Self != gpuID {
		t.Fatalf("status through the relay: %+v, %v; want gpu's", st, err)
	}
	mr, err := via.Models(ctx)
	if err != nil || !slices.ContainsFunc(mr.Models, func(m app.ModelInfo) bool { return m.Provider == "slow" && m.Node == "" }) {
		t.Fatalf("models through the relay: %+v, %v; want gpu's own slow provider", mr, err)
	}

	// A question through the relay is run by gpu's core on its Ollama:
	// laptop's own would have gone to gpu/ollama and been laptop's.
	var text strings.Builder
	ans, err := via.Ask(ctx, AskRequest{Prompt: "hello", Model: "tiny", Session: "new", Project: "/proj", Root: "/proj", Actor: "tui"},
		func(s string) error {
			text.WriteString(s)
			return nil
		})
	if err != nil || text.String() != "from the gpu" || ans.Interaction.Node != gpuID || ans.Interaction.Provider != "ollama" {
		t.Fatalf("ask through the relay: %q, %+v, %v; want gpu's answer", text.String(), ans, err)
	}
	if ans.Context != nil || len(fast.Requests()) != 1 {
		t.Errorf("context %+v, %d requests to gpu's Ollama; want no code, one", ans.Context, len(fast.Requests()))
	}
	res, err := via.Session(ctx, app.SessionRequest{Op: app.SessionList, Project: "/proj"})
	if err != nil || len(res.Sessions) != 1 || res.Sessions[0].ID != ans.Session {
		t.Fatalf("sessions through the relay: %+v, %v", res, err)
	}

	// A subscription through the relay sees the turn gpu records next.
	evs := make(chan db.Event, 64)
	sctx, stopSub := context.WithCancel(ctx)
	subDone := make(chan error, 1)
	go func() {
		subDone <- via.Subscribe(sctx, 0, []string{session.Stream(ans.Session)}, func(ev db.Event) error {
			evs <- ev
			return nil
		})
	}()
	nextEvent(t, evs, "turn 1 through the relay", func(ev db.Event) bool { return ev.Type == session.TypeTurnCompleted })
	if _, err := gpu.App().AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "again", Model: "tiny"},
		Session: session.Ref(ans.Session), Project: "/proj"}, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, evs, "turn 2, appended on gpu, through the relay", func(ev db.Event) bool { return ev.Type == session.TypeTurnCompleted })
	stopSub()
	if err := <-subDone; !errors.Is(err, context.Canceled) {
		t.Errorf("subscription after cancel: %v", err)
	}

	// Cancelling the attached request cancels it on gpu: its Ollama sees
	// the client go, and gpu records the interaction as cancelled.
	actx, stopAsk := context.WithCancel(ctx)
	askDone := make(chan error, 1)
	go func() {
		_, err := via.Ask(actx, AskRequest{Prompt: "think", Provider: "slow", Model: "slowpoke"}, func(string) error { return nil })
		askDone <- err
	}()
	select {
	case <-slow.Paused():
	case <-time.After(15 * time.Second):
		t.Fatal("the slow answer never started")
	}
	stopAsk()
	if err := <-askDone; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ask: %v", err)
	}
	within(t, 15*time.Second, "gpu to record the cancelled interaction", func() bool {
		rows, err := gpu.App().History(ctx, 10)
		return err == nil && slices.ContainsFunc(rows, func(in app.Interaction) bool {
			return in.Provider == "slow" && in.Node == gpuID && in.Status == db.StatusCancelled
		})
	})

	// Attached to itself, laptop answers through its own peer routes.
	if ai, err := cl.Attach(ctx, "laptop"); err != nil || ai.ID != laptopID {
		t.Fatalf("attach to itself: %+v, %v", ai, err)
	}
	if st, err := cl.Via("laptop").Status(ctx); err != nil || st.Self != laptopID {
		t.Fatalf("status attached to itself: %+v, %v", st, err)
	}

	// An unknown name: one line listing the cluster's nodes.
	for _, call := range []func() error{
		func() error { _, err := cl.Attach(ctx, "nope"); return err },
		func() error { _, err := cl.Via("nope").Status(ctx); return err },
	} {
		err := call()
		if usererr.As(err) == nil || strings.Contains(err.Error(), "\n") || errors.Is(err, ErrPeerUnreachable) ||
			!strings.Contains(err.Error(), `no node "nope" in this cluster`) ||
			!strings.Contains(err.Error(), "gpu ("+gpuID+")") || !strings.Contains(err.Error(), "laptop ("+laptopID+")") {
			t.Errorf("unknown node: %v", err)
		}
	}

	// What peers may not do, straight over the mesh and through the relay.
	refused := []struct{ method, path, body string }{
		{"POST", "/v1/keys", `{"op":"list"}`},
		{"POST", "/v1/apply", `{}`},
		{"POST", "/v1/checkpoint", `{"op":"list"}`},
		{"POST", "/v1/audit", `{}`},
		{"POST", "/v1/replay", `{}`},
		{"POST", "/v1/prune", `{"before":"2030-01-01T00:00:00Z"}`},
		{"POST", "/v1/leave", ``},
		{"POST", "/v1/remove?node=" + laptopID, ``},
		{"POST", "/v1/code", `{"op":"index"}`},
		{"POST", "/v1/task", `{"kind":"refactor"}`},
		{"POST", "/v1/history", `{}`},
		{"GET", "/v1/via/laptop/status", ``},
		{"POST", "/v1/session", `{"op":"remove","ref":"last"}`},
		{"GET", "/v1/events?after=0", ``},
		{"GET", "/v1/events?after=0&stream=audit", ``},
		{"POST", "/v1/ask", `{"prompt":"x","task":"explain","target":"main.go","root":"/etc"}`},
	}
	for _, r := range refused {
		req, err := http.NewRequestWithContext(ctx, r.method, "http://"+gpu.Addr()+r.path, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := laptop.hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("peer %s %s: %d %s; want 403 or 404", r.method, r.path, resp.StatusCode, msg)
		}
	}
	if _, err := via.Keys(ctx, KeysRequest{Op: "list"}); err == nil || !strings.HasPrefix(err.Error(), "node gpu: ") {
		t.Errorf("keys through the relay: %v; want gpu's refusal", err)
	}
	if _, err := via.Checkpoint(ctx, app.CheckpointRequest{Op: "list"}); err == nil {
		t.Error("checkpoints through the relay: no error")
	}

	// gpu goes down: a subscription through the relay ends cut off, and
	// requests say the node cannot be reached.
	sctx, stopSub = context.WithCancel(ctx)
	defer stopSub()
	go func() {
		subDone <- via.Subscribe(sctx, 0, []string{session.Stream(ans.Session)}, func(ev db.Event) error {
			evs <- ev
			return nil
		})
	}()
	nextEvent(t, evs, "the session again", func(ev db.Event) bool { return ev.Type == session.TypeTurnCompleted })
	if err := gpu.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-subDone:
		if !errors.Is(err, ErrCutOff) {
			t.Errorf("subscription when gpu stopped: %v; want a cut-off", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the subscription did not end when gpu stopped")
	}
	for _, call := range []func() error{
		func() error { _, err := via.Status(ctx); return err },
		func() error { _, err := cl.Attach(ctx, "gpu"); return err },
		func() error {
			_, err := via.Ask(ctx, AskRequest{Prompt: "x"}, func(string) error { return nil })
			return err
		},
	} {
		if err := call(); !errors.Is(err, ErrPeerUnreachable) || !strings.Contains(err.Error(), "node gpu cannot be reached") {
			t.Errorf("gpu down: %v; want ErrPeerUnreachable", err)
		}
	}
}

// TestAttachRefused: a node configured with [cluster] refuse_attach
// answers an attached TUI's requests 403, saying why; forwarding and
// status still work.
func TestAttachRefused(t *testing.T) {
	gpu, laptop, cl, _, _ := attachPair(t, app.ClusterFileConfig{RefuseAttach: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := cl.Attach(ctx, "gpu")
	if usererr.As(err) == nil || errors.Is(err, ErrPeerUnreachable) || !strings.Contains(err.Error(), "refuse_attach") {
		t.Fatalf("attach: %v; want the refusal", err)
	}
	via := cl.Via("gpu")
	if _, err := via.Ask(ctx, AskRequest{Prompt: "x"}, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), "refuse_attach") {
		t.Errorf("ask: %v; want the refusal", err)
	}
	if _, err := via.Session(ctx, app.SessionRequest{Op: app.SessionList}); err == nil || !strings.Contains(err.Error(), "refuse_attach") {
		t.Errorf("sessions: %v; want the refusal", err)
	}
	if st, err := via.Status(ctx); err != nil || st.Self != gpu.App().Store.NodeID() {
		t.Errorf("status: %+v, %v; peers still get it", st, err)
	}
	// Forwarding is not attaching: laptop's questions still go to gpu's
	// model.
	within(t, 15*time.Second, "laptop to route to gpu/ollama", func() bool { return hasRemoteTarget(laptop, "gpu/ollama") })
	text, in, err := askModel(t, laptop, "tiny", "hello")
	if err != nil || text != "from the gpu" || in.Provider != "gpu/ollama" {
		t.Errorf("forwarded ask: %q, %+v, %v", text, in, err)
	}
}
