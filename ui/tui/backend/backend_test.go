package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/tui"
)

// TestLocal goes through the core in this process with a fake Ollama
// speaking the real wire format: a question streams and is recorded as a
// session turn, which the session list, the session read and a
// subscription all see.
func TestLocal(t *testing.T) {
	ctx := context.Background()
	a := ollamaApp(t, providertest.WithReply("Hello", " there"), providertest.WithUsage(4, 2))
	opened := 0
	b := Local(func() (*app.App, error) { opened++; return a, nil }, t.TempDir())

	st, err := b.Status(ctx)
	if err != nil || st.Node == "" || st.Mode != "embedded" || !st.Healthy() {
		t.Fatalf("status %+v, %v", st, err)
	}
	var got strings.Builder
	res, err := b.Ask(ctx, tui.AskRequest{Prompt: "hi", Session: "new"}, func(s string) { got.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != "Hello there" || res.Session == "" || res.Turn != 1 || res.Provider != "ollama" ||
		!strings.HasPrefix(res.Model, "tiny") || res.PromptTokens != 4 || res.CompletionTokens != 2 || res.Node != st.Node {
		t.Fatalf("streamed %q, result %+v", got.String(), res)
	}
	list, err := b.Sessions(ctx)
	if err != nil || len(list) != 1 || list[0].ID != res.Session || list[0].Turns != 1 {
		t.Fatalf("sessions %+v, %v", list, err)
	}
	doc, err := b.Session(ctx, "last")
	if err != nil || doc.Session.ID != res.Session || len(doc.Turns) != 1 || doc.Turns[0].Answer != "Hello there" ||
		doc.Turns[0].Actor != actor {
		t.Fatalf("session %+v, %v", doc, err)
	}
	var types []string
	stop := errors.New("enough")
	err = b.Subscribe(ctx, []string{session.Stream(res.Session)}, 0, func(evs []events.Event) error {
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		if len(types) >= 3 {
			return stop
		}
		return nil
	})
	want := []string{session.TypeStarted, session.TypeTurnStarted, session.TypeTurnCompleted}
	if !errors.Is(err, stop) || strings.Join(types, " ") != strings.Join(want, " ") {
		t.Fatalf("subscription: %v, %v; want %v", types, err, want)
	}
	ms, err := b.Models(ctx)
	if err != nil || len(ms) != 1 || ms[0].Provider != "ollama" || !ms[0].Local || !ms[0].Priced || ms[0].ContextWindow != 2048 {
		t.Fatalf("models %+v, %v", ms, err)
	}
	if opened != 1 {
		t.Errorf("the core was opened %d times", opened)
	}
}

// TestLocalOpenFails: a core that cannot open is reported by every call,
// and opening is tried again at the next.
func TestLocalOpenFails(t *testing.T) {
	tries := 0
	b := Local(func() (*app.App, error) { tries++; return nil, errors.New("data dir in use") }, t.TempDir())
	for range 2 {
		if _, err := b.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("status: %v", err)
		}
	}
	if tries != 2 {
		t.Errorf("opened %d times; want 2", tries)
	}
}

// TestUnreachable: the node client's errors that mean the node is gone
// wrap tui.ErrUnreachable; others do not, nor do those of a context that
// ended.
func TestUnreachable(t *testing.T) {
	op := &net.OpError{Op: "dial", Net: "unix", Err: syscall.ECONNREFUSED}
	cases := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("node at /x/aiex.sock: %w", op), true},
		{fmt.Errorf("node at /x: %w", syscall.ENOENT), true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("node: the answer stopped before its end: %w", node.ErrCutOff), true},
		{fmt.Errorf("node: the event stream ended (the node stopped?): %w", node.ErrCutOff), true},
		{errors.New("the answer stopped before its end"), false}, // words alone are not a cut-off
		{errors.New("node: no model \"x\""), false},
	}
	for _, c := range cases {
		if got := errors.Is(unreachable(context.Background(), c.err), tui.ErrUnreachable); got != c.want {
			t.Errorf("%v: unreachable %v; want %v", c.err, got, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if errors.Is(unreachable(ctx, io.ErrUnexpectedEOF), tui.ErrUnreachable) {
		t.Error("an error after cancel marked unreachable")
	}
	if unreachable(ctx, nil) != nil {
		t.Error("nil is not nil")
	}
}

// TestContextHasTheSessionsHistory: the context of a question to ask in a
// session counts the session's turns that would go with it, as the
// answer's does.
func TestContextHasTheSessionsHistory(t *testing.T) {
	ctx := context.Background()
	a := ollamaApp(t, providertest.WithReply("an", " answer"))
	b := Local(func() (*app.App, error) { return a, nil }, t.TempDir())
	res, err := b.Ask(ctx, tui.AskRequest{Prompt: "first question", Session: "new"}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := b.Context(ctx, tui.AskRequest{Prompt: "and then?", Session: res.Session})
	if err != nil || sum == nil || sum.HistoryTurns != 1 || sum.HistoryTokens == 0 {
		t.Fatalf("context %+v, %v; want the session's turn in it", sum, err)
	}
}

// TestModelsErrorNamesEachProviderOnce: with no provider answering, the
// error names each once, whether its message names it already or not.
func TestModelsErrorNamesEachProviderOnce(t *testing.T) {
	_, err := models(nil, map[string]string{"ollama": "ollama: unavailable: the server does not answer", "lmstudio": "no answer in 3s"})
	want := "no provider answered (lmstudio: no answer in 3s; ollama: unavailable: the server does not answer)"
	if err == nil || err.Error() != want {
		t.Fatalf("%v; want %s", err, want)
	}
}

// ollamaApp is a core on a temp data dir whose Ollama is a fake speaking
// its wire format (opts), with model tiny; closed when the test ends.
func ollamaApp(t *testing.T, opts ...providertest.Option) *app.App {
	t.Helper()
	fake := providertest.NewOllama(t, opts...)
	t.Setenv("OLLAMA_HOST", fake.URL())
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(ctx) })
	return a
}
