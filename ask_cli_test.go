package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/creack/pty"
)

// TestAskStoppedEarly: an answer the provider ended at its output limit
// is printed as far as it went, recorded with its stop reason, and said
// to be incomplete on stderr; a complete one says nothing.
func TestAskStoppedEarly(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("The first half"), providertest.WithStopReason("length"))
	s := newSandbox(t, fake.URL())
	r := s.mustRun("ask", "-m", "tiny", "tell me everything")
	if r.stdout != "The first half\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	oneLine(t, r.stderr, "stopped early", "limit on output tokens", `"length"`)
	if h := s.history(); len(h) != 1 || h[0].Status != "ok" || h[0].StopReason != "length" {
		t.Errorf("history %+v", h)
	}

	whole := providertest.NewOllama(t, providertest.WithReply("All of it."))
	s = newSandbox(t, whole.URL())
	if r := s.mustRun("ask", "-m", "tiny", "hi"); r.stderr != "" {
		t.Errorf("stderr of a whole answer: %q", r.stderr)
	}
}

// TestDefaultModelIsAChatModel: with no model configured, ask goes to a
// model that chats, not to the embedding model Ollama lists first (the
// most recently pulled); models marks the embedding model.
func TestDefaultModelIsAChatModel(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("hi"), providertest.WithModels(
		providertest.Model{Name: "nomic-embed-text:latest", Family: "nomic-bert"},
		providertest.Model{Name: "tiny:latest"},
	))
	s := newSandbox(t, fake.URL())
	s.mustRun("ask", "hello")
	if reqs := fake.Requests(); len(reqs) != 1 || reqs[0].Model != "tiny:latest" {
		t.Fatalf("asked %+v; want tiny:latest", reqs)
	}
	out := s.mustRun("models").stdout
	if !strings.Contains(out, "nomic-embed-text:latest (no chat)") || strings.Contains(out, "tiny:latest (no chat)") {
		t.Errorf("models:\n%s", out)
	}
}

// TestAskOnTerminalDropsControls: on a terminal, escape sequences and
// control characters in the model's answer (a title change, a screen
// clear) are not passed to it; the text around them is.
func TestAskOnTerminalDropsControls(t *testing.T) {
	// The sequences come whole and split between chunks, as tokens cut them.
	fake := providertest.NewOllama(t, providertest.WithReply("safe ", "\x1b]0;pwned\x07", "text\x1b[2J", " end", " \x1b", "]0;pw", "ned\x07!"))
	s := newSandbox(t, fake.URL())
	cmd := exec.Command(aiexBin, "ask", "-m", "tiny", "hi")
	cmd.Env = append(s.env, "NO_COLOR=1", "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&screen, f); close(done) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ask: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	out := screen.String()
	if !strings.Contains(out, "safe text end !") || strings.Contains(out, "\x1b]0;") || strings.Contains(out, "\x1b[2J") || strings.Contains(out, "pwned") {
		t.Errorf("terminal got %q", out)
	}
}

// TestAskWarnsOfCutPrompt: a model that counted the prompt at its whole
// window most likely had it cut by the server (Ollama does so silently):
// ask says so on stderr and in --json, and not otherwise.
func TestAskWarnsOfCutPrompt(t *testing.T) {
	for _, tt := range []struct {
		promptTokens int
		warn         bool
	}{{512, true}, {100, false}} {
		fake := providertest.NewOllama(t, providertest.WithReply("ok"), providertest.WithUsage(tt.promptTokens, 1))
		s := newSandbox(t, fake.URL())
		s.writeConfig(fmt.Sprintf("[providers.ollama]\nbase_url = %q\ncontext_window = 512\n", fake.URL()))
		r := s.run("", "ask", "-m", "tiny", "hi")
		if r.code != 0 {
			t.Fatalf("ask: exit %d: %s", r.code, r.stderr)
		}
		warned := strings.Contains(r.stderr, "warning: tiny:latest counted 512 prompt tokens, its whole 512-token window")
		if warned != tt.warn {
			t.Errorf("%d prompt tokens of 512: stderr %q; want a warning: %v", tt.promptTokens, r.stderr, tt.warn)
		}
		// A new data dir: the first answer's count would shape the next prompt.
		s = newSandbox(t, fake.URL())
		s.writeConfig(fmt.Sprintf("[providers.ollama]\nbase_url = %q\ncontext_window = 512\n", fake.URL()))
		var out struct {
			Warning string `json:"warning"`
		}
		if err := json.Unmarshal([]byte(s.run("", "--json", "ask", "-m", "tiny", "hi").stdout), &out); err != nil || (out.Warning != "") != tt.warn {
			t.Errorf("%d prompt tokens of 512: --json warning %q (%v)", tt.promptTokens, out.Warning, err)
		}
	}
}

// TestAskAnswerCap: an answer longer than [limits] max_answer is cut there:
// what fits stays printed, the interaction is recorded as interrupted
// with that much of the answer, and the exit code is 1.
func TestAskAnswerCap(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply(strings.Repeat("word ", 40), strings.Repeat("more ", 40)))
	s := newSandbox(t, fake.URL())
	s.writeConfig(fmt.Sprintf("[providers.ollama]\nbase_url = %q\n[limits]\nmax_answer = 100\n", fake.URL()))
	r := s.run("", "ask", "-m", "tiny", "hi")
	if r.code != 1 || len(r.stdout) > 101 || !strings.HasPrefix(r.stdout, "word word") {
		t.Fatalf("an answer over max_answer: exit %d, %d bytes printed: %q", r.code, len(r.stdout), r.stdout)
	}
	oneLine(t, r.stderr, "passed the limit of 100 bytes")
	if h := s.history(); len(h) != 1 || h[0].Status != "interrupted" || len(h[0].Response) != 100 {
		t.Fatalf("history: %+v", h)
	}
}
