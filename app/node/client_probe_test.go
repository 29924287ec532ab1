package node

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// holdEnv makes the test binary, run again as a child, serve a data dir's
// socket (TestHolderProcess) for a test to stop.
const holdEnv = "AIEX_TEST_HOLD_DATA_DIR"

// TestHolderProcess is not a test: it is the child process of
// TestClientStoppedHolder, which serves the data dir named by holdEnv
// until it is killed, as a TUI does.
func TestHolderProcess(t *testing.T) {
	dir := os.Getenv(holdEnv)
	if dir == "" {
		t.Skip("the child process of TestClientStoppedHolder")
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ServeSocket(a, nil); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

// startHolder starts a child process serving dir's socket and waits until
// it answers; the child is killed when the test ends.
func startHolder(t *testing.T, dir string) (*exec.Cmd, *Client) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var cl *Client
	within(t, 30*time.Second, "the child to serve its socket", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var err error
		if cl, err = Connect(ctx, dir); err != nil {
			return false
		}
		_, err = cl.Status(ctx)
		return err == nil
	})
	return cmd, cl
}

// TestClientStoppedHolder: a process serving the data dir that is stopped
// (Ctrl+Z; SIGSTOP here) still has its connections accepted by the
// kernel. A request to it fails within a few seconds, saying which
// process it is and that it is stopped, instead of waiting forever; once
// it is brought back (SIGCONT), requests are answered again.
func TestClientStoppedHolder(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs Linux's /proc to tell a stopped process")
	}
	dir := shortTempDir(t)
	cmd, cl := startHolder(t, dir)
	pid := cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)
	within(t, 5*time.Second, "the child to be stopped", func() bool { return db.ProcessState(pid) == 'T' })

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A command's read, and a TUI's status (what a second TUI waits for
	// as it starts).
	for name, call := range map[string]func(*Client) error{
		"history": func(cl *Client) error { _, err := cl.History(ctx, 1); return err },
		"status":  func(cl *Client) error { _, err := cl.StatusWithPlan(ctx); return err },
	} {
		start := time.Now()
		err := call(cl)
		took := time.Since(start)
		if !errors.Is(err, ErrNoAnswer) || usererr.As(err) == nil {
			t.Fatalf("%s from a stopped holder: %v after %v; want ErrNoAnswer, for the user", name, err, took)
		}
		if took > 4*time.Second {
			t.Errorf("%s: failed after %v; want within ~2 s", name, took)
		}
		msg := err.Error()
		for _, want := range []string{fmt.Sprintf("(PID %d)", pid), "holding data dir " + dir, "it is stopped (Ctrl+Z)", "fg", fmt.Sprintf("kill -CONT %d", pid)} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not say %q", name, msg, want)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: %q is not one line", name, msg)
		}
	}

	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.History(ctx, 1); err != nil {
		t.Fatalf("history once the holder is back: %v", err)
	}
}

// TestClientHungHolder: a process serving the socket that runs but never
// answers is said to be busy or hung, after a longer wait than a stopped
// one, and the request itself is never sent to it: it would run it when it
// came to, with nobody waiting for it.
func TestClientHungHolder(t *testing.T) {
	dir := shortTempDir(t)
	l, err := net.Listen("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string // the request lines received
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "GET ") || strings.HasPrefix(line, "POST ") {
						mu.Lock()
						got = append(got, strings.TrimSpace(line))
						mu.Unlock()
					}
				}
			})
		}
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	cl.stoppedWait, cl.hungWait = 100*time.Millisecond, 400*time.Millisecond
	start := time.Now()
	_, err = cl.History(ctx, 1)
	took := time.Since(start)
	if !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("history from a hung holder: %v after %v; want ErrNoAnswer", err, took)
	}
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("failed after %v; want after the hung wait (400ms)", took)
	}
	if want := fmt.Sprintf("(PID %d) holding data dir %s does not answer", os.Getpid(), dir); runtimeKnowsPeers() && !strings.Contains(err.Error(), want) {
		t.Errorf("%q does not say %q", err, want)
	}
	if !strings.Contains(err.Error(), "busy or hung") && !strings.Contains(err.Error(), "stopped (Ctrl+Z) or hung") {
		t.Errorf("%q does not say why", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, line := range got {
		if !strings.HasPrefix(line, "GET /v1/serving ") {
			t.Errorf("the holder received %q; want only the probe", line)
		}
	}

	// The caller's own end is its own error, not the holder's.
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if _, err := cl.History(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("history with the caller's deadline: %v; want it", err)
	}
}

// runtimeKnowsPeers reports whether socketPeer can name the process
// serving a socket here.
func runtimeKnowsPeers() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// TestClientSlowFirstByte: only the probe is bounded. An answer or an
// event tail whose first byte (even its header) comes long after the
// probe's bounds — a question waiting for a context to be built, an event
// tail with nothing new — is waited for, from a process that answers.
func TestClientSlowFirstByte(t *testing.T) {
	dir := shortTempDir(t)
	l, err := net.Listen("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	const late = 600 * time.Millisecond
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/serving", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, ServingReply{}) })
	mux.HandleFunc("POST /v1/ask", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(late)
		json.NewEncoder(w).Encode(askFrame{Text: "late"})
		json.NewEncoder(w).Encode(askFrame{Interaction: &db.Interaction{Status: "ok"}})
	})
	mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(late)
		json.NewEncoder(w).Encode(db.Event{ID: 7, Stream: "llm"})
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := Connect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	cl.stoppedWait, cl.hungWait = 50*time.Millisecond, 200*time.Millisecond

	var text string
	if _, err := cl.Ask(ctx, AskRequest{Prompt: "q"}, func(s string) error { text += s; return nil }); err != nil || text != "late" {
		t.Fatalf("an answer slow to start: %q, %v; want it waited for", text, err)
	}
	var ids []int64
	err = cl.Subscribe(ctx, 0, nil, func(ev db.Event) error { ids = append(ids, ev.ID); return nil })
	if len(ids) != 1 || ids[0] != 7 || !errors.Is(err, ErrCutOff) {
		t.Fatalf("an event tail slow to start: %v, %v; want event 7, then the end of the stream", ids, err)
	}
}

func TestProcessKind(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"/usr/local/bin/aiex"}, "the aiex TUI"},
		{[]string{"aiex", "tui", "--session", "last"}, "the aiex TUI"},
		{[]string{"aiex", "--data-dir", "/d", "-v"}, "the aiex TUI"},
		{[]string{"/tmp/aiex-qa", "--data-dir", "/d", "node", "run", "--listen", "x:1"}, "the aiex node"},
		{[]string{"aiex", "events", "tail", "--stream", "llm"}, "aiex events tail"},
		{[]string{"node.test", "-test.run=x"}, "the aiex process"},
		{nil, "the aiex process"},
	} {
		if got := processKind(tc.args); got != tc.want {
			t.Errorf("processKind(%q) = %q; want %q", tc.args, got, tc.want)
		}
	}
}
