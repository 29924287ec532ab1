package node

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskWithoutQuorum: a node whose peers are down cannot record a
// request, so it sends none: the user is told why — "no quorum: 1 of 3
// nodes reachable" — within a bound, no provider is asked, and once the
// quorum is back a request is answered and on record.
func TestAskWithoutQuorum(t *testing.T) {
	var key mesh.Key
	tcp := meshtest.TCP(t, 3, func(_ int, c *mesh.TCPConfig) { key = c.Key })
	release := make(chan struct{})
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	// Both of n1's providers pause before their first chunk until release:
	// whichever the coordinator tries second answers only after the quorum
	// is back.
	fa := providertest.NewOllama(t, providertest.WithReply("from a"), providertest.WithPause(0, release))
	fb := providertest.NewOllama(t, providertest.WithReply("from b"), providertest.WithPause(0, release))
	n0 := startSpec(t, nodeSpec{name: "n0", tr: tcp[0]})
	n1 := startSpec(t, nodeSpec{name: "n1", tr: tcp[1], join: []string{n0.Addr()}, providers: map[string]app.ProviderConfig{
		"a": {Kind: "ollama", BaseURL: fa.URL()},
		"b": {Kind: "ollama", BaseURL: fb.URL()},
	}})
	n2 := startSpec(t, nodeSpec{name: "n2", tr: tcp[2], join: []string{n0.Addr()}})
	within(t, 15*time.Second, "three members", func() bool {
		ms, err := n1.App().Store.Members(context.Background())
		return err == nil && len(ms) == 3
	})

	// n2 and n0 stop (n0, the leader, hands over to n1 first): n1 is left
	// with 1 of 3 voters.
	dir0, addr0 := n0.App().Store.Dir(), n0.Addr()
	for _, n := range []*Node{n2, n0} {
		if err := n.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	// A request pinned to one provider: its first write fails, and the
	// error says why, as one clear sentence.
	start := time.Now()
	_, _, err := askPinned(t, n1, "a")
	took := time.Since(start)
	t.Logf("pinned ask without quorum failed after %v: %v", took, err)
	const want = "no quorum: 1 of 3 nodes reachable"
	switch {
	case err == nil:
		t.Fatal("a request was answered and recorded without a quorum")
	case !errors.Is(err, db.ErrNoQuorum) || !strings.Contains(firstLine(err), want):
		t.Errorf("error %q; want it to say %q (and match db.ErrNoQuorum)", err, want)
	}
	if took > 15*time.Second {
		t.Errorf("the no-quorum error took %v", took)
	}

	// An unpinned request ends the same way: no provider is asked while
	// the request cannot be recorded (no answer goes out unrecorded).
	if _, _, err := askCtx(context.Background(), n1, "tiny", "during the outage"); !errors.Is(err, db.ErrNoQuorum) {
		t.Errorf("unpinned ask without quorum: %v; want ErrNoQuorum", err)
	}
	if len(fa.Requests())+len(fb.Requests()) != 0 {
		t.Error("a provider was asked although the request could not be recorded")
	}

	// The quorum comes back (n0 restarts from its data dir, no join): a
	// request is answered and on record.
	tr0, err := mesh.NewTCP(mesh.TCPConfig{ListenAddr: addr0, Node: "node0", Key: key, Logger: meshtest.Logger(t, slog.LevelInfo)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr0.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r0, err := Start(ctx, Config{App: app.Config{DataDir: dir0, Version: "test"}, Transport: tr0, Name: "n0",
		Heartbeat: 100 * time.Millisecond, Logger: meshtest.Logger(t, slog.LevelWarn)})
	if err != nil {
		t.Fatalf("restart n0: %v", err)
	}
	t.Cleanup(func() { r0.Close(context.Background()) })
	within(t, 15*time.Second, "a leader again", func() bool { return n1.App().Store.Status().Leader != "" })
	released = true
	close(release)

	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	text, in, err := askCtx(ctx2, n1, "tiny", "after the outage")
	if err != nil {
		t.Fatalf("the request after the outage: %v", err)
	}
	got, ok, err := n1.App().Store.Interaction(context.Background(), in.ID)
	if err != nil || !ok || got.Status != db.StatusOK || got.Response != text {
		evs, _ := n1.App().Store.Events(context.Background(), coord.EventStream, 0, 0)
		t.Errorf("the acknowledged interaction %s: found %v, status %q, err %v; want it recorded as ok (its llm event: %v)",
			in.ID, ok, got.Status, err, eventFor(evs, in.ID))
	}
}

// askPinned asks n for model tiny on one provider.
func askPinned(t *testing.T, n *Node, provider string) (string, *db.Interaction, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b strings.Builder
	in, err := n.App().Ask(ctx, ask.Request{Prompt: "hello", Provider: provider, Model: "tiny"}, func(s string) error {
		b.WriteString(s)
		return nil
	})
	return b.String(), in, err
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
