package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/cli"
)

type run struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in-process with the given terminal-ness and
// environment.
func runCLI(t *testing.T, tty bool, env map[string]string, args ...string) run {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdout: &out, Stderr: &errb,
		StdoutTTY: tty, StderrTTY: tty, StdinTTY: tty,
		Getenv: func(k string) string { return env[k] },
		Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}

func TestTerminalOutputIsRich(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("hi", " there"), providertest.WithUsage(4, 2))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir := t.TempDir()

	r := runCLI(t, true, nil, "--data-dir", dir, "ask", "-m", "tiny", "hello")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "hi there\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	// A spinner was drawn on stderr and erased before the answer, and a
	// summary line followed it.
	if !strings.Contains(r.stderr, "⠋") || !strings.Contains(r.stderr, "\r\x1b[K") {
		t.Errorf("no spinner on a terminal: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "tiny") || !strings.Contains(r.stderr, "4→2 tokens") {
		t.Errorf("no summary line on a terminal: %q", r.stderr)
	}

	h := runCLI(t, true, nil, "--data-dir", dir, "history")
	if !strings.Contains(h.stdout, "\x1b[1m") || !strings.Contains(h.stdout, "\x1b[32mok") {
		t.Errorf("history on a terminal has no colour: %q", h.stdout)
	}
}

func TestColourOff(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("x"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir := t.TempDir()
	if r := runCLI(t, false, nil, "--data-dir", dir, "ask", "-m", "tiny", "hello"); r.code != 0 || r.stderr != "" {
		t.Fatalf("plain ask: exit %d, stderr %q", r.code, r.stderr)
	}
	cases := []struct {
		name string
		tty  bool
		env  map[string]string
		args []string
	}{
		{"not a terminal", false, nil, nil},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, nil},
		{"--no-color", true, nil, []string{"--no-color"}},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"--data-dir", dir}, c.args...), "history")
			r := runCLI(t, c.tty, c.env, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "PROVIDER") {
				t.Errorf("want a plain table, got %q", r.stdout)
			}
		})
	}
}

func TestJSONAsk(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("a", "b"), providertest.WithUsage(5, 2))
	t.Setenv("OLLAMA_HOST", fake.URL())
	r := runCLI(t, false, nil, "--data-dir", t.TempDir(), "--json", "ask", "-m", "tiny", "q")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, w := range []string{`"response": "ab"`, `"status": "ok"`, `"prompt_tokens": 5`, `"completion_tokens": 2`} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("--json ask output lacks %s:\n%s", w, r.stdout)
		}
	}
}

// TestAskTurnEndSaysHowRecorded: on a terminal, an answer that broke off
// says its session turn is recorded interrupted with what arrived, and one
// the provider refused that it is recorded failed.
func TestAskTurnEndSaysHowRecorded(t *testing.T) {
	for _, tc := range []struct {
		opt  providertest.Option
		want string
	}{
		{providertest.WithBrokenStream(3), "recorded as interrupted, with what arrived"},
		{providertest.WithStatus(500, "boom"), "recorded as failed"},
	} {
		fake := providertest.NewOllama(t, providertest.WithReply("half", " more", " and more"), tc.opt)
		t.Setenv("OLLAMA_HOST", fake.URL())
		r := runCLI(t, true, nil, "--data-dir", t.TempDir(), "ask", "-m", "tiny", "--no-code", "--session", "new", "q")
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("exit %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, tc.want)
		}
	}
}
