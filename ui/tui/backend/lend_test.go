package backend

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// lenderEnv names the data dir a child process of the test lends its core
// on (TestLenderProcess).
const lenderEnv = "AIEX_TEST_LENDER_DIR"

// TestLenderProcess is not a test: run by lenderProcess in a child
// process, it opens the core on a data dir and serves it on the socket,
// as another TUI does, until it is killed.
func TestLenderProcess(t *testing.T) {
	dir := os.Getenv(lenderEnv)
	if dir == "" {
		t.Skip("the child process of TestHostedKeepsTheTextOfAKilledLender")
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir, File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.ServeSocket(a, nil); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

// lenderProcess starts TestLenderProcess on dir and waits for its socket.
func lenderProcess(t *testing.T, ctx context.Context, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLenderProcess$")
	cmd.Env = append(os.Environ(), lenderEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for {
		if _, err := node.Connect(ctx, dir); err == nil {
			return cmd
		}
		if ctx.Err() != nil {
			t.Fatal("the lender never served its socket")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHostedKeepsTheTextOfAKilledLender: the TUI lending its core is
// killed while an answer streams through it. The text that had arrived
// stays with the TUI that asked: the session it reads once it took the
// data dir over, and the event that marks the turn interrupted, carry it
// instead of the empty answer the dead process left.
func TestHostedKeepsTheTextOfAKilledLender(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("what arrived", " and the rest"), providertest.WithPause(1, make(chan struct{})))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir, err := os.MkdirTemp("", "aiexk") // short: the socket's path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lender := lenderProcess(t, ctx, dir)
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	b := Hosted(cl, dir, hostedOpen(t, app.Config{DataDir: dir, File: app.File{Model: "tiny"}}, &opened), t.TempDir())
	if _, err := b.Status(ctx); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res  *tui.AskResult
		text string
		err  error
	}
	out := make(chan outcome, 1)
	arrived := make(chan struct{})
	go func() {
		var o outcome
		o.res, o.err = b.Ask(ctx, tui.AskRequest{Prompt: "q", Session: "new"}, func(s string) {
			if o.text == "" {
				close(arrived)
			}
			o.text += s
		})
		out <- o
	}()
	select {
	case <-arrived:
	case o := <-out:
		t.Fatalf("the answer ended before its pause: %+v, %v", o.res, o.err)
	}
	lender.Process.Kill() // SIGKILL
	o := <-out
	if !errors.Is(o.err, tui.ErrUnreachable) || o.res == nil || o.res.Turn != 1 || o.text != "what arrived" {
		t.Fatalf("the answer cut: %+v, %q, %v", o.res, o.text, o.err)
	}
	lender.Wait()
	for {
		st, err := b.Status(ctx)
		if err == nil && st.Mode == "embedded" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no takeover: %+v, %v", st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	doc, err := b.Session(ctx, o.res.Session)
	if err != nil || len(doc.Turns) != 1 {
		t.Fatalf("session: %+v, %v", doc, err)
	}
	if tr := doc.Turns[0]; tr.Status != "interrupted" && !tr.Orphaned || tr.Answer != "what arrived" {
		t.Errorf("turn 1 once taken over: status %q (orphaned %v), answer %q; want interrupted with what arrived", tr.Status, tr.Orphaned, tr.Answer)
	}

	// Continuing the session marks the turn interrupted: its event, as
	// the backend passes it on, keeps the text too.
	got := make(chan string, 1)
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	wg.Go(func() {
		b.Subscribe(sctx, []string{session.Stream(o.res.Session)}, 0, func(evs []events.Event) error {
			for _, ev := range evs {
				if ev.Type == session.TypeTurnInterrupted {
					var p session.TurnInterrupted
					json.Unmarshal(ev.Payload, &p)
					select {
					case got <- p.Answer:
					default:
					}
				}
			}
			return nil
		})
	})
	wg.Go(func() { b.Ask(sctx, tui.AskRequest{Prompt: "again", Session: o.res.Session}, func(string) {}) })
	select {
	case answer := <-got:
		if answer != "what arrived" {
			t.Errorf("turn 1's interruption as an event: answer %q; want what arrived", answer)
		}
	case <-ctx.Done():
		t.Fatal("no event marked turn 1 interrupted")
	}
	if _, err := os.Stat(filepath.Join(dir, node.SocketName)); err != nil {
		t.Errorf("the TUI that took over does not serve the socket: %v", err)
	}
}

// TestServingCountsOtherClients: a TUI that runs the core itself and
// serves it on the socket says how many answers it streams for other
// clients (what it waits for when its user quits); one going through
// another process serves none.
func TestServingCountsOtherClients(t *testing.T) {
	release := make(chan struct{})
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"), providertest.WithPause(1, release))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir, err := os.MkdirTemp("", "aiexv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := app.Config{DataDir: dir, File: app.File{Model: "tiny"}}
	opened := 0
	a := Local(hostedOpen(t, cfg, &opened), t.TempDir())
	if n, err := Serving(ctx, a); err != nil || n != 0 {
		t.Fatalf("serving before the core opened: %d, %v", n, err)
	}
	if _, err := a.Status(ctx); err != nil { // opens the core, and serves it
		t.Fatal(err)
	}
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	other := Hosted(cl, dir, func() (*app.App, error) { return nil, errors.New("not to be opened") }, t.TempDir())
	done := make(chan error, 1)
	go func() {
		_, err := other.Ask(ctx, tui.AskRequest{Prompt: "q", Session: "new"}, func(string) {})
		done <- err
	}()
	<-fake.Paused()
	if n, err := Serving(ctx, a); err != nil || n != 1 {
		t.Fatalf("serving while the other TUI's answer streams: %d, %v; want 1", n, err)
	}
	if n, err := Serving(ctx, other); err != nil || n != 0 {
		t.Errorf("the TUI going through the first serves %d, %v; want 0", n, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for {
		n, err := Serving(ctx, a)
		if err != nil || n == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("still serving %d after the answer ended", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
