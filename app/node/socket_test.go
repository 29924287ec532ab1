package node_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestServeSocket: a core opened without the mesh serves the socket
// routes; relaying is refused in a line; Close removes the socket and
// leaves the core open.
func TestServeSocket(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "data")
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	srv, err := node.ServeSocket(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := cl.Status(ctx)
	if err != nil || st.Self != a.Store.NodeID() || st.Store.State != "leader" {
		t.Fatalf("status through the socket: %+v, %v", st, err)
	}
	if _, err := cl.Attach(ctx, "gpu"); err == nil || !strings.Contains(err.Error(), "without the mesh") {
		t.Fatalf("attach: %v", err)
	}
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, node.SocketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after Close: %v", err)
	}
	if _, err := node.Connect(ctx, dir); !errors.Is(err, node.ErrNoNode) {
		t.Errorf("connect after Close: %v", err)
	}
	// The core is the caller's: still open.
	if _, err := a.Store.Nodes(ctx); err != nil {
		t.Fatalf("the core after Close: %v", err)
	}
}

// servedAsk starts a question through the socket of a core served with
// ServeSocket, answered by a fake Ollama paused after its first piece;
// it returns the server, the core, and the client's outcome to come.
func servedAsk(t *testing.T, ctx context.Context, release <-chan struct{}) (*node.Node, *app.App, <-chan askOutcome) {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithReply("partial", " rest"), providertest.WithPause(1, release))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir, err := os.MkdirTemp("", "aiexs") // short: the socket's path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	a, err := app.New(ctx, app.Config{DataDir: dir, File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	srv, err := node.ServeSocket(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	out := make(chan askOutcome, 1)
	first := make(chan struct{}) // the client has the first piece
	go func() {
		var o askOutcome
		var once sync.Once
		o.ans, o.err = cl.Ask(ctx, node.AskRequest{Prompt: "q", Session: "new", NoContext: true, Project: project}, func(s string) error {
			o.text += s
			once.Do(func() { close(first) })
			return nil
		})
		out <- o
	}()
	for _, ready := range []<-chan struct{}{fake.Paused(), first} {
		select {
		case <-ready:
		case o := <-out:
			t.Fatalf("the answer ended before its pause: %q, %v", o.text, o.err)
		case <-ctx.Done():
			t.Fatal("the answer never started")
		}
	}
	for srv.Serving() != 1 {
		if ctx.Err() != nil {
			t.Fatalf("serving %d answers; want 1", srv.Serving())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, err := cl.Serving(ctx); err != nil || n != 1 {
		t.Fatalf("GET /v1/serving: %d, %v; want 1", n, err)
	}
	return srv, a, out
}

type askOutcome struct {
	ans  *app.Answer
	text string
	err  error
}

// TestServeSocketDrain: a process lending its core waits (Drain) for the
// answers it streams for other clients; they end as they would have.
func TestServeSocketDrain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	release := make(chan struct{})
	srv, a, out := servedAsk(t, ctx, release)
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if left := srv.Drain(short); left != 1 {
		t.Fatalf("drain bounded while the answer streams: %d left; want 1", left)
	}
	// Draining, it takes no new answer: the wait would grow, and a second
	// Ctrl-C would cut one its asker never knew was at risk.
	cl, err := node.Connect(ctx, a.Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Ask(ctx, node.AskRequest{Prompt: "late", NoContext: true}, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), "is stopping") {
		t.Fatalf("an ask while draining: %v; want it refused", err)
	}
	close(release)
	if left := srv.Drain(ctx); left != 0 {
		t.Fatalf("drain: %d left", left)
	}
	o := <-out
	if o.err != nil || o.text != "partial rest" || o.ans.Interaction.Status != "ok" {
		t.Fatalf("the answer drained: %q, %+v, %v", o.text, o.ans, o.err)
	}
}

// TestServeSocketCloseCutsAsHostQuit: an answer still streaming for a
// client when the lending process closes is cut, and it is the server's
// doing, not the client's: the client's error says the serving process
// quit (ErrHostQuit), and the request is recorded as interrupted with
// that reason and what arrived — not as cancelled.
func TestServeSocketCloseCutsAsHostQuit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, a, out := servedAsk(t, ctx, make(chan struct{}))
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	o := <-out
	if !errors.Is(o.err, node.ErrHostQuit) || !strings.Contains(o.err.Error(), "quit before the answer finished") {
		t.Fatalf("client's error: %v; want the serving process's quitting", o.err)
	}
	if o.ans == nil || o.ans.Session == "" || o.ans.Turn != 1 || o.text != "partial" {
		t.Fatalf("client's answer: %+v, %q", o.ans, o.text)
	}
	rows, err := a.History(ctx, 1)
	if err != nil || len(rows) != 1 {
		t.Fatalf("history: %v, %v", rows, err)
	}
	in := rows[0]
	if in.Status != "interrupted" || !strings.Contains(in.Error, "quit before the answer finished") || in.Response != "partial" {
		t.Errorf("record: status %q, error %q, response %q; want interrupted by the quitting, with what arrived", in.Status, in.Error, in.Response)
	}
	// The session's turn says why too: nobody cancelled it.
	turn, err := a.Store.Query(ctx, "SELECT status, error FROM session_turns WHERE session_id = ? AND turn = 1", o.ans.Session)
	if err != nil || len(turn.Values) != 1 || turn.Values[0][0] != "interrupted" || !strings.Contains(fmt.Sprint(turn.Values[0][1]), "quit before the answer finished") {
		t.Errorf("the session's turn: %v, %v; want it interrupted by the quitting", turn, err)
	}
}
