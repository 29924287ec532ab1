package main

// A TUI's attach relay between `aiex node run` processes: home relays to
// gpu over loopback plain TCP, and gpu is frozen (SIGSTOP), which only a
// process shows: no reset, no FIN, the stream just goes quiet.
// Turned on by AIEX_CLUSTER_E2E=1.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// frozenCutBound: a relayed stream from a frozen node ends within the
// relay's silence timeout (8 s: four missed keepalives) and some slack.
const frozenCutBound = 12 * time.Second

// thawedStopBound bounds SIGTERM → exit for nodes one of which was frozen
// (SIGSTOP) and thawed a moment before.
const thawedStopBound = 15 * time.Second

func TestClusterAttachE2E(t *testing.T) {
	if os.Getenv("AIEX_CLUSTER_E2E") == "" {
		t.Skip("multi-process cluster suite: AIEX_CLUSTER_E2E=1 go test -run TestClusterAttachE2E .")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("from", " the", " gpu"))
	ks := newSandbox(t, fake.URL())
	key := filepath.Join(ks.home, "cluster.key")
	ks.mustRun("cluster", "init", "--out", key)

	// home has no model of its own; gpu has the fake Ollama.
	base := shortDataDir(t)
	home := newProcNode(t, "home", providertest.Unreachable(t), key, base)
	gpu := newProcNode(t, "gpu", fake.URL(), key, base)
	home.start("")
	home.waitReady(startBound)
	gpu.start(home.addr)
	gpu.waitReady(startBound)
	nodes := []*procNode{home, gpu}
	waitMembers(t, nodes, 2, startBound)
	waitUntil(t, "home to know gpu", startBound, func() bool {
		st, err := home.status(2 * time.Second)
		return err == nil && len(st.Nodes) == 2
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := node.Connect(ctx, home.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Attach(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `no node "nope"`) ||
		!strings.Contains(err.Error(), "gpu ("+gpu.id+")") {
		t.Errorf("attach to an unknown node: %v", err)
	}
	ai, err := cl.Attach(ctx, "gpu")
	if err != nil || ai.ID != gpu.id {
		t.Fatalf("attach: %+v, %v", ai, err)
	}

	// The question goes through home's socket and is answered by gpu.
	via := cl.Via("gpu")
	var text strings.Builder
	ans, err := via.Ask(ctx, node.AskRequest{Prompt: "hello", Session: "new", Project: "/proj", Actor: "tui"}, func(s string) error {
		text.WriteString(s)
		return nil
	})
	if err != nil || text.String() != "from the gpu" || ans.Interaction.Node != gpu.id {
		t.Fatalf("attached ask: %q, %+v, %v; want gpu's answer", text.String(), ans, err)
	}

	// gpu freezes under a relayed subscription: the stream ends cut off
	// once its keepalives stop, and requests say gpu cannot be reached.
	evs := make(chan db.Event, 16)
	subDone := make(chan error, 1)
	go func() {
		subDone <- via.Subscribe(ctx, 0, []string{session.Stream(ans.Session)}, func(ev db.Event) error {
			evs <- ev
			return nil
		})
	}()
	select {
	case <-evs:
	case <-time.After(15 * time.Second):
		t.Fatal("no event through the relay")
	}
	gpu.signal(syscall.SIGSTOP)
	frozen := time.Now()
	select {
	case err := <-subDone:
		if !errors.Is(err, node.ErrCutOff) {
			t.Errorf("subscription from a frozen node: %v; want a cut-off", err)
		}
		t.Logf("relayed subscription cut %v after gpu froze", time.Since(frozen).Round(time.Millisecond))
	case <-time.After(frozenCutBound):
		t.Errorf("the relayed subscription did not end within %v of gpu freezing", frozenCutBound)
	}
	start := time.Now()
	if _, err := via.Status(ctx); !errors.Is(err, node.ErrPeerUnreachable) {
		t.Errorf("status of a frozen node: %v; want ErrPeerUnreachable", err)
	}
	t.Logf("status of a frozen node failed after %v", time.Since(start).Round(time.Millisecond))
	gpu.signal(syscall.SIGCONT)
	waitUntil(t, "gpu back through the relay", 30*time.Second, func() bool {
		_, err := cl.Attach(ctx, "gpu")
		return err == nil
	})

	// A node just thawed may be catching up (or electing) as it is told to
	// stop: a looser bound than clusterStopBound, and the time is logged.
	for _, n := range nodes {
		code, took := n.stop(thawedStopBound)
		if code != 0 {
			t.Errorf("%s exited %d after %v\n%s", n.name, code, took, n.logTail())
		}
		t.Logf("%s stopped in %v", n.name, took.Round(time.Millisecond))
	}
}
