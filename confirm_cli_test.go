package main

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// screen is what a pseudo-terminal showed, read on another goroutine.
type screen struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRefactorPromptCtrlC: Ctrl-C typed at refactor --apply's "Write …?
// [y/N]" question on a terminal ends aiex at once, before any Enter:
// exit 130, "cancelled; nothing was written", and the file as it was.
func TestRefactorPromptCtrlC(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply(maxDiff))
	s := newSandbox(t, fake.URL())
	proj := goProject(t)
	cmd := exec.Command(aiexBin, "refactor", "calc.Max", "--goal", "return a when equal", "-m", "tiny", "--no-build", "--apply")
	cmd.Dir = proj
	cmd.Env = append(s.env, "NO_COLOR=1", "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out screen
	copied := make(chan struct{})
	go func() { io.Copy(&out, f); close(copied) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// The question has no event to wait on but the text: poll for it.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "Write calc.go? [y/N] ") {
		select {
		case err := <-exited:
			t.Fatalf("aiex ended before asking (%v):\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("aiex never asked:\n%s", out.String())
		}
	}
	f.Write([]byte{0x03}) // Ctrl-C: the terminal sends SIGINT
	select {
	case err = <-exited:
	case <-time.After(10 * time.Second):
		f.Write([]byte("\r"))
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		t.Fatalf("aiex still waiting for Enter 10s after Ctrl-C:\n%s", out.String())
	}
	// What aiex wrote last may still be on its way from the terminal:
	// the copy ends when all of it has been read.
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v; want status 130", err)
	}
	if !strings.Contains(out.String(), "aiex: cancelled; nothing was written") {
		t.Errorf("terminal showed:\n%s", out.String())
	}
	if got := readFile(t, filepath.Join(proj, "calc.go")); got != calcGo {
		t.Errorf("calc.go after Ctrl-C at the question:\n%s", got)
	}
}
