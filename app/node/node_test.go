package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// short makes a short temp dir: unix socket paths are limited to ~104 bytes
// and t.TempDir's are long.
func short(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "aiexn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// startNode starts a node on tr with the given providers, joining join.
func startNode(t *testing.T, name string, tr mesh.Transport, providers map[string]app.ProviderConfig, env map[string]string, join ...string) *Node {
	t.Helper()
	return startAudited(t, name, tr, &Auditor{Node: name}, providers, env, join...)
}

func startAudited(t *testing.T, name string, tr mesh.Transport, aud *Auditor, providers map[string]app.ProviderConfig, env map[string]string, join ...string) *Node {
	t.Helper()
	dir := filepath.Join(short(t), name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{
		App: app.Config{DataDir: dir, File: app.File{Providers: providers}, Version: "test",
			Getenv: func(k string) string { return env[k] }},
		Transport: tr, Join: join, Name: name, Heartbeat: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn), Auditor: aud,
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

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hasRemote(n *Node, name string) bool {
	for _, t := range n.remoteTargets() {
		if t.Provider.Name() == name {
			return true
		}
	}
	return false
}

// cluster3 starts three nodes on trs: gpu hosts the tiny model on a fake
// Ollama; the two laptops have no local server that answers, and laptop1
// has a cloud provider too.
func cluster3(t *testing.T, trs []mesh.Transport) (gpu, l1, l2 *Node, local *providertest.Ollama, cloud *providertest.OpenAI) {
	local = providertest.NewOllama(t, providertest.WithReply("from", " the", " gpu"))
	cloud = providertest.NewOpenAI(t, providertest.WithReply("from the cloud"),
		providertest.WithModels(providertest.Model{Name: "tiny"}))
	down := providertest.Unreachable(t)
	gpu = startNode(t, "gpu", trs[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: local.URL()}}, nil)
	l1 = startNode(t, "laptop1", trs[1], map[string]app.ProviderConfig{
		"ollama": {Kind: "ollama", BaseURL: down},
		"cloud":  {Kind: "openai", BaseURL: cloud.URL(), APIKeyEnv: "CLOUD_KEY"},
	}, map[string]string{"CLOUD_KEY": "sk-test"}, gpu.Addr())
	l2 = startNode(t, "laptop2", trs[2], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: down}}, nil, gpu.Addr())
	return gpu, l1, l2, local, cloud
}

func askTiny(t *testing.T, n *Node) (string, *db.Interaction, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b strings.Builder
	in, err := n.App().Ask(ctx, ask.Request{Prompt: "hello", Model: "tiny"}, func(s string) error {
		b.WriteString(s)
		return nil
	})
	return b.String(), in, err
}

func TestClusterOverTCP(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	trs := []mesh.Transport{tcp[0], tcp[1], tcp[2]}
	gpu, l1, l2, local, _ := cluster3(t, trs)

	// Every node sees every member, and the gpu's model.
	for _, n := range []*Node{gpu, l1, l2} {
		waitFor(t, "three members", func() bool {
			ms, err := n.App().Store.Members(context.Background())
			return err == nil && len(ms) == 3
		})
	}
	waitFor(t, "laptop2 to see the gpu's ollama", func() bool { return hasRemote(l2, "gpu/ollama") })

	// Affinity: laptop2's own Ollama is down; the request goes to the gpu
	// node, which runs it on its Ollama, and streams back.
	text, in, err := askTiny(t, l2)
	if err != nil || text != "from the gpu" {
		t.Fatalf("ask through the mesh: %q, %v", text, err)
	}
	if in.Provider != "gpu/ollama" || len(in.Route) != 2 || in.Route[0].Outcome != "unavailable" {
		t.Errorf("interaction %s via %+v; want gpu/ollama after the local server failed", in.Provider, in.Route)
	}
	if len(local.Requests()) != 1 {
		t.Errorf("the gpu's Ollama got %d requests", len(local.Requests()))
	}
	// The interaction is replicated: the gpu node sees it too.
	waitFor(t, "the interaction on the gpu node", func() bool {
		rows, err := gpu.App().History(context.Background(), 10)
		return err == nil && len(rows) == 1 && rows[0].ID == in.ID
	})

	// The unix socket serves this machine's commands.
	cl, err := Connect(context.Background(), l2.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := cl.Status(context.Background())
	if err != nil || len(st.Members) != 3 || len(st.Nodes) != 3 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	for _, m := range st.Members {
		if m.State == "" || m.AppliedIndex == 0 {
			t.Errorf("member %s: state %q, applied index %d; want each node's own", m.ID, m.State, m.AppliedIndex)
		}
	}
	var models []string
	for _, m := range st.Models {
		models = append(models, m.Provider+"/"+m.Model)
	}
	if len(models) != 1 || models[0] != "ollama/tiny:latest" {
		t.Errorf("published models %q", models)
	}
	mr, err := cl.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hosted := false
	for _, m := range mr.Models {
		if m.Provider == "gpu/ollama" && m.Node == "gpu" && m.Model == "tiny:latest" {
			hosted = true
		}
	}
	if !hosted {
		t.Errorf("models from laptop2 do not show the gpu's: %+v", mr.Models)
	}
	// The provider report covers the gpu's Ollama too, with its breaker
	// (open or not, its route is there: laptop2 asked through it).
	pr, err := cl.Code(context.Background(), CodeRequest{Op: "providers"})
	if err != nil {
		t.Fatalf("providers through laptop2's node: %v", err)
	}
	var remote *app.ProviderStatus
	for i, p := range pr.Providers {
		if p.Name == "gpu/ollama" {
			remote = &pr.Providers[i]
		}
	}
	if remote == nil || !remote.Reachable || len(remote.Breakers) == 0 || remote.Breakers[0].Model != "tiny:latest" {
		t.Errorf("providers from laptop2: gpu/ollama is %+v; want it reachable, with its route's breaker", remote)
	}
	var streamed strings.Builder
	in2, err := cl.Ask(context.Background(), AskRequest{Prompt: "hi", Model: "tiny"}, func(s string) error {
		streamed.WriteString(s)
		return nil
	})
	if err != nil || streamed.String() != "from the gpu" || in2.Interaction.Provider != "gpu/ollama" {
		t.Errorf("ask over the socket: %q, %+v, %v", streamed.String(), in2, err)
	}

	// Failover: the gpu node stops; laptop1 goes to the cloud.
	if err := gpu.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	text, in, err = askTiny(t, l1)
	if err != nil || text != "from the cloud" || in.Provider != "cloud" {
		t.Fatalf("after the gpu left: %q from %v, %v", text, in, err)
	}
}

// TestRefusesStrangers: a node with another cluster key cannot join, and
// the refusal is in the audit stream.
func TestRefusesStrangers(t *testing.T) {
	aud := &Auditor{Node: "a"}
	tcp := meshtest.TCP(t, 1, func(_ int, c *mesh.TCPConfig) { c.OnRefused = aud.OnRefused })
	a := startAudited(t, "a", tcp[0], aud, nil, nil)
	stranger := meshtest.TCP(t, 1, func(_ int, c *mesh.TCPConfig) { c.Node = "stranger" })[0]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Start(ctx, Config{App: app.Config{DataDir: filepath.Join(short(t), "s")}, Transport: stranger, Join: []string{a.Addr()},
		Heartbeat: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("a node with another key joined")
	}
	waitFor(t, "the refusal in the audit stream", func() bool {
		evs, err := a.App().Store.Events(context.Background(), AuditStream, 0, 10)
		return err == nil && len(evs) > 0 && evs[0].Type == "mesh.refused"
	})
}

func TestCloseUnblocksAndRemovesSocket(t *testing.T) {
	tcp := meshtest.TCP(t, 1, nil)
	n := startNode(t, "solo", tcp[0], nil, nil)
	sock := filepath.Join(n.App().Store.Dir(), SocketName)
	if _, err := os.Stat(sock); err != nil {
		t.Fatal(err)
	}
	cl, err := Connect(context.Background(), n.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	tailErr := make(chan error, 1)
	go func() { tailErr <- cl.Events(context.Background(), 0, "", func(db.Event) error { return nil }) }()
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-tailErr:
		if err == nil {
			t.Error("tail ended without an error")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("an event tail kept the node from closing")
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
	if _, err := Connect(context.Background(), n.App().Store.Dir()); !errors.Is(err, ErrNoNode) {
		t.Errorf("connect after close: %v", err)
	}
}

// TestNodeAppliesRetention: the leader node prunes what the config's
// retention says, on its own.
func TestNodeAppliesRetention(t *testing.T) {
	tcp := meshtest.TCP(t, 1, nil)
	dir := filepath.Join(short(t), "solo")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{
		App:       app.Config{DataDir: dir, Version: "test", File: app.File{Events: app.EventsConfig{Retention: app.Duration(time.Millisecond)}}},
		Transport: tcp[0], Name: "solo", Heartbeat: 50 * time.Millisecond, RetainEvery: 100 * time.Millisecond,
		Logger: meshtest.Logger(t, slog.LevelWarn),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close(context.Background())
	svc, err := n.App().Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Begin(ctx, session.RefNew, "/p", "test")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		k, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: fmt.Sprint("q", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordTurnCompleted(ctx, k, session.TurnResult{Answer: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the session's old events pruned", func() bool {
		evs, err := n.App().Store.Events(ctx, session.Stream(s.ID()), 0, 0)
		return err == nil && len(evs) == 1 // the last one is kept
	})
	got, err := svc.Open(ctx, session.Ref(s.ID()), "/p")
	if err != nil || len(got.Turns(ctx, 1, 0)) != 3 {
		t.Fatalf("after retention: %v", err)
	}
}

// TestSessionContinuesOnAnotherNode: a session started on one node is
// continued on another — its history goes with the question there — and
// both see the same turns.
func TestSessionContinuesOnAnotherNode(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	fakeA := providertest.NewOllama(t, providertest.WithReply("from a"))
	fakeB := providertest.NewOllama(t, providertest.WithReply("from b"))
	a := startNode(t, "alpha", tcp[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fakeA.URL()}}, nil)
	b := startNode(t, "beta", tcp[1], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fakeB.URL()}}, nil, tcp[0].Addr())
	ctx := context.Background()
	first, err := a.App().AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "first question", Model: "tiny", Actor: "cli"},
		Session: session.RefNew, Project: "/p"}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "beta to have the session", func() bool {
		rows, err := b.App().Store.Sessions(ctx, db.SessionFilter{Project: "/p"})
		return err == nil && len(rows) == 1 && rows[0].Version == 3 // started, turn started, turn completed
	})
	second, err := b.App().AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "second question", Model: "tiny", Actor: "tui"},
		Session: session.Ref(first.Session), Project: "/p"}, func(string) error { return nil })
	if err != nil || second.Session != first.Session || second.Turn != 2 {
		t.Fatalf("continue on beta: %+v, %v", second, err)
	}
	var sent []string
	for _, m := range fakeB.Requests()[len(fakeB.Requests())-1].Messages {
		sent = append(sent, m.Role+": "+m.Content)
	}
	if got := strings.Join(sent, "\n"); !strings.Contains(got, "user: first question\nassistant: from a\n") {
		t.Fatalf("beta's request lacks alpha's turn:\n%s", got)
	}
	svc, err := a.App().Sessions()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alpha to see beta's turn", func() bool {
		s, err := svc.Open(ctx, session.Ref(first.Session), "/p")
		if err != nil {
			return false
		}
		turns := s.Turns(ctx, 1, 0)
		return len(turns) == 2 && turns[1].Answer == "from b" && turns[1].Node == b.App().Store.NodeID()
	})
}

// TestAskCutOffKeepsSession: a client whose answer through the node is cut
// off (the user stopped it) still learns the session turn the node
// recorded the question as, so that its next question continues it.
func TestAskCutOffKeepsSession(t *testing.T) {
	tcp := meshtest.TCP(t, 1, nil)
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("slow", " answer"), providertest.WithPause(1, release))
	n := startNode(t, "alpha", tcp[0], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}, nil)
	cl, err := Connect(context.Background(), n.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan *app.Answer, 1)
	go func() {
		ans, _ := cl.Ask(ctx, AskRequest{Prompt: "think", Model: "tiny", Session: "new", Project: "/p", Actor: "tui"},
			func(string) error { return nil })
		done <- ans
	}()
	select {
	case <-fake.Paused():
	case <-time.After(15 * time.Second):
		t.Fatal("the answer never started")
	}
	stop()
	ans := <-done
	if ans == nil || ans.Session == "" || ans.Turn != 1 {
		t.Fatalf("cut-off answer: %+v; want its session and turn 1", ans)
	}
	rows, err := n.App().Store.Sessions(context.Background(), db.SessionFilter{Project: "/p"})
	if err != nil || len(rows) != 1 || rows[0].ID != ans.Session {
		t.Fatalf("sessions %+v (%v); want the one the client was told", rows, err)
	}
}
