package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// servedAskRun is a process serving the data dir (`aiex node run`, `aiex
// events tail`, a TUI) streaming a command's answer through its socket,
// the answer paused by the fake Ollama after its first piece.
type servedAskRun struct {
	t       *testing.T
	s       *sandbox
	node    *exec.Cmd // the server
	nodeErr *watch    // its stderr (a TUI's terminal), watched for its draining line
	tty     *os.File  // a TUI's terminal
	keys    bool      // quit with ctrl+c on the TUI's terminal rather than SIGTERM
	exited  chan error
	ask     *exec.Cmd
	askOut  *watch
	askErr  *watch
	asked   chan error
}

// draining is the line a server prints when a signal finds an answer
// streaming for a client; tuiDraining what a TUI shows when its user
// quits then.
const (
	draining    = "finishing 1 answer for clients; Ctrl-C again stops at once"
	tuiDraining = "finishing 1 answer for other clients on this data dir; ctrl+c again quits at once"
)

// startServedAsk starts the process serving the data dir — `aiex node
// run`, `aiex events tail` or `aiex tui`, which serve the socket while
// they run the core; "tui keys" is a TUI its user quits — and a question
// through it.
func startServedAsk(t *testing.T, ctx context.Context, server string, release <-chan struct{}) *servedAskRun {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithReply("partial", " rest"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	r := &servedAskRun{t: t, s: s, nodeErr: newWatch(draining), exited: make(chan error, 1), askOut: newWatch("\n"),
		askErr: newWatch("\n"), asked: make(chan error, 1)}
	r.askOut = newWatch("partial")
	if server == "tui keys" {
		server, r.keys, r.nodeErr = "tui", true, newWatch(tuiDraining)
	}
	switch server {
	case "node":
		key := filepath.Join(s.home, "cluster.key")
		s.mustRun("cluster", "init", "--out", key)
		r.node = s.command(ctx, "", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo")
	case "tail":
		r.node = s.command(ctx, "", "events", "tail")
	case "tui":
		r.node = s.command(ctx, "", "tui")
		r.node.Dir = project(t)
	}
	if server == "tui" {
		// On a terminal of its own (a new session, so its process group
		// is its own too); what it prints is watched as stderr is.
		tty, err := pty.StartWithSize(r.node, &pty.Winsize{Rows: 24, Cols: 100})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tty.Close() })
		r.tty = tty
		go io.Copy(r.nodeErr, tty)
	} else {
		r.node.Stderr = r.nodeErr
		r.node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := r.node.Start(); err != nil {
			t.Fatal(err)
		}
	}
	go func() { r.exited <- r.node.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-r.node.Process.Pid, syscall.SIGKILL)
		<-r.exited
	})
	s.waitNode(r.nodeErr.String)

	r.ask = s.command(ctx, "", "ask", "-m", "tiny", "--no-code", "hello")
	r.ask.Stdout, r.ask.Stderr = r.askOut, r.askErr
	if err := r.ask.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.asked <- r.ask.Wait() }()
	t.Cleanup(func() {
		r.ask.Process.Kill()
		<-r.asked
		r.asked <- nil
	})
	// The first piece of the answer has reached the command (the fake
	// having sent it is not enough: the server may not have read it yet).
	select {
	case <-r.askOut.ch:
	case err := <-r.asked:
		t.Fatalf("the ask ended before its answer paused: %v: %s %s", err, r.askOut.String(), r.askErr.String())
	case <-ctx.Done():
		t.Fatalf("the answer never started; node:\n%s", r.nodeErr.String())
	}
	return r
}

// stopServer sends the server SIGTERM (or presses ctrl+c on the TUI's
// terminal, twice the first time) and, the first time, waits for it to
// say it is finishing the answer.
func (r *servedAskRun) stopServer(ctx context.Context, first bool) {
	r.t.Helper()
	var err error
	if r.keys {
		// On an empty editor the first ctrl+c only arms the quit; while
		// the TUI waits for others' answers, one quits at once.
		presses := 1
		if first {
			presses = 2
		}
		for i := 0; i < presses && err == nil; i++ {
			if i > 0 {
				time.Sleep(300 * time.Millisecond)
			}
			_, err = r.tty.Write([]byte{0x03})
		}
	} else {
		err = r.node.Process.Signal(syscall.SIGTERM)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	if !first {
		return
	}
	select {
	case <-r.nodeErr.ch:
	case err := <-r.exited:
		r.exited <- err
		r.t.Fatalf("the server stopped (%v) with an answer streaming for a client; output:\n%s", err, r.nodeErr.String())
	case <-ctx.Done():
		r.t.Fatalf("the server did not say it finishes the answer; output:\n%s", r.nodeErr.String())
	}
}

// waitNode waits for the server to exit, and fails unless it exits with
// code.
func (r *servedAskRun) waitNode(ctx context.Context, code int) {
	r.t.Helper()
	select {
	case err := <-r.exited:
		r.exited <- err // for the cleanup
		if got := r.node.ProcessState.ExitCode(); got != code {
			r.t.Fatalf("server exit: %v, code %d; want %d; output:\n%s", err, got, code, r.nodeErr.String())
		}
	case <-ctx.Done():
		r.t.Fatalf("the server did not stop; output:\n%s", r.nodeErr.String())
	}
}

// waitAsk waits for the ask to end and returns its exit code and what it
// printed.
func (r *servedAskRun) waitAsk(ctx context.Context) (int, string) {
	r.t.Helper()
	select {
	case <-r.asked:
		r.asked <- nil // for the cleanup
	case <-ctx.Done():
		r.t.Fatalf("the ask did not end; stderr:\n%s", r.askErr.String())
	}
	return r.ask.ProcessState.ExitCode(), r.askOut.String()
}

// TestNodeFinishesAnswersOnQuit: SIGTERM to `aiex node run` — or to
// `aiex events tail` or a TUI, which serve the data dir while they run
// the core; or ctrl+c in that TUI — while it streams an answer for a
// command through its socket does not cut the answer: the process says it
// is finishing it, the answer completes, and the process exits after it
// (0, or the TUI as a signal ends it). A second SIGTERM (ctrl+c) stops
// the wait at once, without killing the process mid-close: the command
// says the serving process quit, and the answer is recorded as
// interrupted, with what arrived.
func TestNodeFinishesAnswersOnQuit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		server  string
		code    int    // the server's exit code
		stopped string // what the server says last
	}{
		{"node run", "node", 0, "aiex node stopped"},
		{"events tail", "tail", 0, ""},
		{"tui", "tui", 128 + int(syscall.SIGTERM), ""},
		{"tui ctrl+c", "tui keys", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("finished", func(t *testing.T) { testFinished(t, tc.server, tc.code, tc.stopped) })
			t.Run("second signal", func(t *testing.T) { testSecondSignal(t, tc.server, tc.code, tc.stopped) })
		})
	}
}

func testFinished(t *testing.T, server string, exit int, stopped string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	release := make(chan struct{})
	r := startServedAsk(t, ctx, server, release)
	r.stopServer(ctx, true)
	select {
	case err := <-r.exited:
		r.exited <- err
		t.Fatalf("the server stopped (%v) before the answer finished", err)
	case <-r.asked:
		r.asked <- nil
		t.Fatalf("the ask ended before the answer was released: %s", r.askErr.String())
	default:
	}
	close(release)
	code, out := r.waitAsk(ctx)
	if code != 0 || out != "partial rest\n" {
		t.Fatalf("the ask: exit %d, %q; stderr %q", code, out, r.askErr.String())
	}
	r.waitNode(ctx, exit)
	if e := r.nodeErr.String(); !strings.Contains(e, stopped) || strings.Contains(e, "unfinished") {
		t.Errorf("server's stderr:\n%s", e)
	}
	if rows := r.s.history(); len(rows) != 1 || rows[0].Status != "ok" || rows[0].Response != "partial rest" {
		t.Errorf("history: %+v", rows)
	}
}

func testSecondSignal(t *testing.T, server string, exit int, stopped string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	r := startServedAsk(t, ctx, server, release)
	r.stopServer(ctx, true)
	start := time.Now()
	r.stopServer(ctx, false)
	code, out := r.waitAsk(ctx)
	if code != 1 || out != "partial\n" {
		t.Errorf("the ask: exit %d, %q", code, out)
	}
	oneLine(t, r.askErr.String(), "the aiex process serving this data dir", "quit before the answer finished")
	r.waitNode(ctx, exit)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the server took %v to stop after the second signal", took)
	}
	// A signal's wait says what it left (a TUI's user was told on its screen).
	if e := r.nodeErr.String(); !r.keys && !strings.Contains(e, "stopping with 1 answer for clients unfinished") || !strings.Contains(e, stopped) {
		t.Errorf("server's stderr:\n%s", e)
	}
	rows := r.s.history()
	if len(rows) != 1 || rows[0].Status != "interrupted" || rows[0].Response != "partial" ||
		!strings.Contains(rows[0].Error, "quit before the answer finished") {
		t.Errorf("history: %+v", rows)
	}
}
