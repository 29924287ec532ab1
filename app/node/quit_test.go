package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestHostQuittingMidAnswerSaysSo: a node that stops (SIGTERM) while it
// streams an answer for another node ends the stream saying it quit, and
// the asking node's error says so, rather than the provider's "context
// canceled" that the hosting node's own cancellation gave.
func TestHostQuittingMidAnswerSaysSo(t *testing.T) {
	// The nodes without providers must not answer from an Ollama of their
	// own: the default one follows OLLAMA_HOST, which the end-to-end suite
	// points at a real server with a model of the same name.
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	tcp := meshtest.TCP(t, 3, nil)
	release := make(chan struct{})
	defer close(release)
	local := providertest.NewOllama(t, providertest.WithReply("part", " rest"), providertest.WithPause(1, release))
	gpu := startSpec(t, nodeSpec{name: "gpu", tr: tcp[0], providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: local.URL()}}})
	laptop := startSpec(t, nodeSpec{name: "laptop", tr: tcp[1], join: []string{gpu.Addr()}})
	startSpec(t, nodeSpec{name: "third", tr: tcp[2], join: []string{gpu.Addr()}})
	within(t, 15*time.Second, "laptop to route to gpu/ollama", func() bool { return hasRemoteTarget(laptop, "gpu/ollama") })

	type outcome struct {
		text string
		err  error
	}
	done := make(chan outcome, 1)
	first := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var b strings.Builder
		_, err := laptop.App().Ask(ctx, ask.Request{Prompt: "hello", Model: providertest.DefaultModel}, func(s string) error {
			if b.Len() == 0 {
				close(first)
			}
			b.WriteString(s)
			return nil
		})
		done <- outcome{b.String(), err}
	}()
	select {
	case <-first: // the answer reached laptop, and the rest is held
	case <-time.After(15 * time.Second):
		t.Fatal("the answer never started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := gpu.Close(ctx); err != nil {
		t.Logf("close gpu: %v", err)
	}
	var o outcome
	select {
	case o = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the ask did not end after gpu stopped")
	}
	if o.err == nil || !strings.Contains(o.err.Error(), "node gpu quit mid-answer") || strings.Contains(o.err.Error(), "context canceled") {
		t.Fatalf("ask cut by gpu quitting: %q, %v; want an error saying node gpu quit mid-answer", o.text, o.err)
	}
}
