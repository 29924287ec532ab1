package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/cli"
)

// TestAskCancelSaysCancelled: on a terminal, a question cancelled (Ctrl-C)
// says its session turn is recorded as cancelled — with what arrived, when
// some did — as history records it, not as interrupted, which is what a
// provider that broke off is.
func TestAskCancelSaysCancelled(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after int // chunks before the stream pauses and the question is cancelled
		want  string
	}{
		{"before the first token", 0, "recorded as cancelled\n"},
		{"mid-answer", 1, "recorded as cancelled, with what arrived"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			fake := providertest.NewOllama(t, providertest.WithReply("half", " more"), providertest.WithPause(tc.after, release))
			t.Setenv("OLLAMA_HOST", fake.URL())
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Cancelled once the stream paused and, mid-answer, once what
			// came before the pause was written out.
			var out cancelOn
			out.cancel = cancel
			if tc.after == 0 {
				go func() {
					<-fake.Paused()
					cancel()
				}()
			}
			var errb bytes.Buffer
			code := cli.Run(ctx, []string{"--data-dir", t.TempDir(), "ask", "-m", "tiny", "--no-code", "--session", "new", "q"}, cli.Env{
				Stdout: &out, Stderr: &errb, StdoutTTY: true, StderrTTY: true, StdinTTY: true,
				Getenv: func(string) string { return "" }, Build: cli.BuildInfo{Version: "test", Commit: "abc"},
			})
			// The dimmed line ends with its colour's reset.
			stderr := strings.ReplaceAll(errb.String(), "\x1b[0m", "")
			if code == 0 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "interrupted") {
				t.Errorf("exit %d, stderr %q; want %q", code, stderr, tc.want)
			}
		})
	}
}

// cancelOn is a stdout that cancels the command at its first write.
type cancelOn struct {
	buf    bytes.Buffer // not embedded: its WriteString would be used instead of Write
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.cancel()
	return w.buf.Write(p)
}
