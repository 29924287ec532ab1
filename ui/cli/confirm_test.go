//go:build linux

// Linux only: the terminal case opens a pseudo-terminal (openPTY).

package cli_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/ui/cli"
)

// promptWriter is stderr for a command run on another goroutine: it keeps
// what is written and closes asked once the text has a [y/N] question.
type promptWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	asked chan struct{}
	once  sync.Once
}

func newPromptWriter() *promptWriter { return &promptWriter{asked: make(chan struct{})} }

func (w *promptWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), "[y/N] ") {
		w.once.Do(func() { close(w.asked) })
	}
	return len(p), nil
}

func (w *promptWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestRestorePromptEndsOnCancel: Ctrl-C (the command's context cancelled)
// at checkpoint restore's [y/N] question ends the command at once — exit
// 130, "aiex: cancelled", nothing restored — whether stdin is a terminal
// or another reader, with nothing typed.
func TestRestorePromptEndsOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin func(t *testing.T) (r io.Reader, answer func())
	}{
		{"terminal", func(t *testing.T) (io.Reader, func()) {
			master, slave := openPTY(t)
			return slave, func() { master.Write([]byte("n\n")) }
		}},
		{"reader", func(t *testing.T) (io.Reader, func()) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			return pr, func() { pw.Close() }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, root, id := checkpointProject(t)
			stdin, answer := tc.stdin(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out bytes.Buffer
			errw := newPromptWriter()
			done := make(chan int, 1)
			go func() {
				done <- cli.Run(ctx, []string{"--data-dir", dir, "checkpoint", "restore", id}, cli.Env{
					Stdin: stdin, StdinTTY: true, Stdout: &out, Stderr: errw,
					Getenv: func(string) string { return "" },
				})
			}()
			select {
			case <-errw.asked:
			case code := <-done:
				t.Fatalf("ended before asking: exit %d, stderr %q", code, errw.String())
			case <-time.After(30 * time.Second):
				t.Fatalf("never asked; stderr %q", errw.String())
			}
			cancel()
			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				// Let the command end, as Enter would, before the test's
				// directories go.
				answer()
				<-done
				t.Fatalf("still waiting for an answer 10s after Ctrl-C; stderr %q", errw.String())
			}
			if code != 130 || !strings.HasSuffix(errw.String(), "[y/N] \naiex: cancelled\n") {
				t.Errorf("exit %d, stderr %q; want exit 130 and aiex: cancelled on a line of its own", code, errw.String())
			}
			if got := readFile(t, root, "b.go"); got != "package a\n" {
				t.Errorf("b.go is %q after a cancelled restore", got)
			}
		})
	}
}
