package node

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRemoveByNameAndStranger: aiex cluster remove takes a node's name as
// well as its ID, and a name or ID that is no member is an error naming
// the members, with nothing removed.
func TestRemoveByNameAndStranger(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	b := startNode(t, "beta", tcp[1], nil, nil, a.Addr())
	c := startNode(t, "gamma", tcp[2], nil, nil, a.Addr())
	waitFor(t, "gamma's heartbeat on alpha", func() bool {
		nodes, err := a.App().Store.Nodes(context.Background())
		return err == nil && len(nodes) == 3
	})
	cl, err := Connect(context.Background(), a.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	err = cl.Remove(ctx, "nobody")
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "not a member") || !strings.Contains(ue.Msg, b.App().Store.NodeID()) {
		t.Fatalf("remove of a stranger: %v; want a one-line error listing the members", err)
	}
	if got := a.App().Store.Status().Members; got != 3 {
		t.Fatalf("%d members after removing a stranger; want 3", got)
	}

	// A request gamma was answering when it went: running for good, as
	// gamma alone would end it.
	running := &db.Interaction{ID: "gamma-running", Node: c.App().Store.NodeID(), Provider: "p", Model: "m",
		Status: db.StatusRunning, StartedAt: time.Now()}
	if err := c.App().Store.StartInteraction(ctx, running); err != nil {
		t.Fatal(err)
	}
	// And a session turn it was answering.
	gsvc, err := c.App().Sessions()
	if err != nil {
		t.Fatal(err)
	}
	gs, err := gsvc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gs.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Remove(ctx, "gamma"); err != nil {
		t.Fatalf("remove by name: %v", err)
	}
	// The removal marked it interrupted in the store, where usage counts.
	rows, err := a.App().Store.Query(ctx, "SELECT status FROM llm_interaction WHERE id = 'gamma-running'")
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] != db.StatusInterrupted {
		t.Errorf("the removed node's running request: %v %v; want it stored interrupted", rows, err)
	}
	// Its session turn reads interrupted at once too, not once its last
	// heartbeat is old.
	asvc, err := a.App().Sessions()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "gamma's turn to be seen on alpha", func() bool {
		_, err := asvc.Open(ctx, session.Ref(gs.ID()), "/p")
		return err == nil
	})
	as, err := asvc.Open(ctx, session.Ref(gs.ID()), "/p")
	if err != nil {
		t.Fatal(err)
	}
	if tr := as.Turns(ctx, 1, 1); len(tr) != 1 || tr[0].Status != db.TurnInterrupted {
		t.Errorf("the removed node's session turn: %+v; want it interrupted at once", tr)
	}
	waitFor(t, "gamma out of the configuration", func() bool { return a.App().Store.Status().Members == 2 })
	ms, err := a.App().Store.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == c.App().Store.NodeID() {
			t.Errorf("gamma (%s) still a member after its removal", m.ID)
		}
	}
}

// TestJoinWithAnotherKeySaysWhy: a node started with another cluster key
// fails to join with an error that names the peer and the key, not only
// that the join gave up.
func TestJoinWithAnotherKeySaysWhy(t *testing.T) {
	a := startNode(t, "alpha", meshtest.TCP(t, 1, nil)[0], nil, nil)
	stranger := meshtest.TCP(t, 1, func(_ int, c *mesh.TCPConfig) { c.Node = "stranger" })[0]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := Start(ctx, Config{App: app.Config{DataDir: filepath.Join(short(t), "s")}, Transport: stranger,
		Join: []string{a.Addr()}, Heartbeat: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("a node with another key joined")
	}
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, a.Addr()+": refused: another cluster key") || strings.Contains(ue.Msg, "dial") {
		t.Errorf("join error %q; want it to name the peer and the key mismatch, in plain words", err)
	}
}

// TestLivenessIgnoresClockSkew: whether another node is live is judged by
// when this node saw its heartbeat change, not by the time the other node
// wrote: a live node whose clock is an hour behind is routed to, and one
// whose clock is an hour ahead drops out once its heartbeats stop.
func TestLivenessIgnoresClockSkew(t *testing.T) {
	a := startNode(t, "alpha", meshtest.TCP(t, 1, nil)[0], nil, nil)
	st := a.App().Store
	ctx := context.Background()
	skewed := map[string]time.Duration{"behind": -time.Hour, "ahead": time.Hour}
	for name := range skewed {
		if _, err := st.Execute(ctx, db.ReplaceNodeModelsStmts(name, []db.NodeModel{{Provider: "ollama", Kind: "ollama", Model: "tiny"}}, time.Now())...); err != nil {
			t.Fatal(err)
		}
	}
	// Their heartbeats, as each would write them by its own clock.
	beat := func(names ...string) {
		for _, name := range names {
			now := time.Now().Add(skewed[name])
			if _, err := st.Execute(ctx, db.UpsertNodeStmt(&db.Node{ID: name, Name: name, Addr: "127.0.0.1:1", StartedAt: now, LastSeen: now})); err != nil {
				t.Error(err)
			}
		}
	}
	beating := func(stop <-chan struct{}, names ...string) chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(a.cfg.Heartbeat)
			defer tick.Stop()
			for {
				beat(names...)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		return done
	}

	stopAhead := make(chan struct{})
	aheadDone := beating(stopAhead, "ahead")
	stopBehind := make(chan struct{})
	behindDone := beating(stopBehind, "behind")
	defer func() { close(stopBehind); <-behindDone }()

	waitFor(t, "the node whose clock is behind to be routed to", func() bool { return hasRemote(a, "behind/ollama") })
	waitFor(t, "the node whose clock is ahead to be routed to", func() bool { return hasRemote(a, "ahead/ollama") })
	close(stopAhead)
	<-aheadDone
	waitFor(t, "the node whose clock is ahead to drop out when its heartbeats stop", func() bool { return !hasRemote(a, "ahead/ollama") })
	if !hasRemote(a, "behind/ollama") {
		t.Error("the node whose clock is behind dropped out while it heartbeats")
	}
	// The core's sessions judge other nodes' turns by the same sightings.
	if alive, known := a.nodeAlive("behind"); !alive || !known {
		t.Errorf("nodeAlive(behind) = %v, %v; want alive", alive, known)
	}
	if alive, known := a.nodeAlive("ahead"); alive || !known {
		t.Errorf("nodeAlive(ahead) = %v, %v; want known dead", alive, known)
	}
}

// TestNodesSharingANameKeepTheirModels: two nodes with the same name each
// get their own targets, and a request for a model goes to the node that
// hosts it. A join under a running member's name is refused, but a member
// restarted under another name (or one that was down when another joined
// under its name) still makes two.
func TestNodesSharingANameKeepTheirModels(t *testing.T) {
	var key mesh.Key
	tcp := meshtest.TCP(t, 3, func(_ int, c *mesh.TCPConfig) { key = c.Key })
	a := startNode(t, "alpha", tcp[0], nil, nil)
	var twins []*providertest.Ollama
	for i, model := range []string{"mb", "mc"} {
		o := providertest.NewOllama(t, providertest.WithReply("from ", model), providertest.WithModels(providertest.Model{Name: model}))
		twins = append(twins, o)
		name := []string{"twin", "twin-b"}[i]
		n := startNode(t, name, tcp[i+1], map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: o.URL()}}, nil, a.Addr())
		if i == 1 {
			restartAs(t, n, "twin", key, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: o.URL()}})
		}
	}
	waitFor(t, "both twins' targets on alpha", func() bool { return len(a.remoteTargets()) == 2 })
	for i, model := range []string{"mb", "mc"} {
		text, in, err := askModel(t, a, model, "hello")
		if err != nil || text != "from "+model {
			t.Fatalf("ask for %s: %q, %v; want it answered by the twin that hosts it", model, text, err)
		}
		if got := len(twins[i].Requests()); got != 1 {
			t.Errorf("the twin hosting %s got %d requests (answered by %s)", model, got, in.Provider)
		}
	}
}

// TestRestartWithAnotherKeySaysWhy: a member restarting with another
// cluster key reaches none of its peers. It must say that a peer refused
// it for its key, and not advise aiex cluster recover: recovering it would
// split the cluster.
func TestRestartWithAnotherKeySaysWhy(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	a := startNode(t, "alpha", tcp[0], nil, nil)
	dir := filepath.Join(short(t), "b")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := Start(ctx, Config{App: app.Config{DataDir: dir, Version: "test"}, Transport: tcp[1], Join: []string{a.Addr()},
		Name: "beta", Heartbeat: 100 * time.Millisecond, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}

	other, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := mesh.NewTCP(mesh.TCPConfig{ListenAddr: addr, Node: "beta", Key: other, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	b, err = Start(ctx2, Config{App: app.Config{DataDir: dir, Version: "test"}, Transport: tr, Name: "beta",
		Heartbeat: 100 * time.Millisecond, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err == nil {
		b.Close(context.Background())
		t.Fatal("a member restarted with another key found a leader")
	}
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, a.App().Store.NodeID()+" at "+a.Addr()+" refused this node: its cluster key differs") ||
		strings.Contains(ue.Msg, "recover") || strings.Contains(ue.Msg, "\n") {
		t.Errorf("restart with another key: %v; want one line naming the peer that refused the key, and no recover advice", err)
	}
}

// restartAs stops n and starts it again on its data dir and mesh address,
// under another name; the restarted node is closed in t.Cleanup.
func restartAs(t *testing.T, n *Node, name string, key mesh.Key, providers map[string]app.ProviderConfig) *Node {
	t.Helper()
	dir, addr := n.App().Store.Dir(), n.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err := mesh.NewTCP(mesh.TCPConfig{ListenAddr: addr, Node: name, Key: key, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(ctx, Config{App: app.Config{DataDir: dir, File: app.File{Providers: providers}, Version: "test"},
		Transport: tr, Name: name, Heartbeat: 100 * time.Millisecond, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		tr.Close()
		t.Fatalf("restart %s as %s: %v", dir, name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return r
}
