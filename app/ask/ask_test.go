package ask_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func newOllama(t *testing.T, name, url string) providers.Provider {
	t.Helper()
	p, err := ollama.New(ollama.Config{Name: name, BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func service(t *testing.T, cands ...ask.Candidate) (*ask.Service, *db.Store) {
	t.Helper()
	st := dbtest.Open(t)
	return &ask.Service{Candidates: cands, Recorder: st, Node: st.NodeID(), Hint: "configure one"}, st
}

// collect returns an fn for Ask that gathers the streamed text.
func collect(b *strings.Builder) func(string) error {
	return func(s string) error { b.WriteString(s); return nil }
}

func TestAskStreamsAndRecords(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("Hel", "lo", " there"), providertest.WithUsage(11, 3))
	s, st := service(t, ask.Candidate{Provider: newOllama(t, "ollama", fake.URL())})

	var out strings.Builder
	in, err := s.Ask(ctx, ask.Request{Prompt: "hi"}, collect(&out))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "Hello there" {
		t.Fatalf("streamed %q", out.String())
	}
	// The model was not given: the provider's first model is used.
	if got := fake.Requests()[0].Model; got != "tiny:latest" {
		t.Fatalf("requested model %q; want the first listed, tiny:latest", got)
	}
	got, ok, err := st.Interaction(ctx, in.ID)
	if err != nil || !ok {
		t.Fatalf("interaction not recorded: %v", err)
	}
	if got.Status != db.StatusOK || got.Response != "Hello there" || got.PromptTokens != 11 || got.CompletionTokens != 3 ||
		got.TTFTMillis == nil || got.TotalMillis == nil || *got.TTFTMillis > *got.TotalMillis || got.FinishedAt == nil {
		t.Fatalf("recorded %+v", got)
	}
	evs, err := st.Events(ctx, ask.EventStream, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %v, %v; want one", evs, err)
	}
	var payload map[string]any
	if err := json.Unmarshal(evs[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["interaction_id"] != in.ID || payload["status"] != "ok" || evs[0].Type != ask.EventType {
		t.Fatalf("event = %+v payload %v", evs[0], payload)
	}
}

func TestAskFailsOverUnreachableProviders(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s, _ := service(t,
		ask.Candidate{Provider: newOllama(t, "down", providertest.Unreachable(t)), Model: "tiny"},
		ask.Candidate{Provider: newOllama(t, "up", fake.URL()), Model: "tiny"},
	)
	var out strings.Builder
	in, err := s.Ask(ctx, ask.Request{Prompt: "hi"}, collect(&out))
	if err != nil {
		t.Fatal(err)
	}
	if in.Provider != "up" || out.String() != "ok" {
		t.Fatalf("answered by %s with %q", in.Provider, out.String())
	}
}

func TestAskErrors(t *testing.T) {
	tests := []struct {
		name       string
		opts       []providertest.Option
		unreach    bool
		req        ask.Request
		wantStatus string // recorded status; "" means nothing recorded
		wantMsg    []string
		wantCode   int // usererr exit code; 0 means not a user error
		partial    string
	}{
		{
			name: "unreachable", unreach: true, req: ask.Request{Prompt: "hi"},
			wantMsg: []string{"no LLM provider reachable", "tried p:", "configure one"}, wantCode: 1,
		},
		{
			name: "model not found lists models", req: ask.Request{Prompt: "hi", Model: "nope"},
			wantStatus: db.StatusError, wantMsg: []string{"nope", "not found", "tiny"}, wantCode: 1,
		},
		{
			name: "unknown provider", req: ask.Request{Prompt: "hi", Provider: "zzz"},
			wantMsg: []string{`unknown provider "zzz"`, "p"}, wantCode: 2,
		},
		{
			name: "broken mid-stream", opts: []providertest.Option{providertest.WithReply("a", "b", "c", "d"), providertest.WithBrokenStream(2)},
			req: ask.Request{Prompt: "hi"}, wantStatus: db.StatusInterrupted, wantMsg: []string{"broke off", "interrupted"}, wantCode: 1, partial: "ab",
		},
		{
			name: "overloaded", opts: []providertest.Option{providertest.WithStatus(503, "server busy, please try again.  maximum pending requests exceeded")},
			req: ask.Request{Prompt: "hi", Model: "tiny"}, wantStatus: db.StatusError, wantMsg: []string{"server busy"}, wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			url := providertest.Unreachable(t)
			if !tt.unreach {
				url = providertest.NewOllama(t, tt.opts...).URL()
			}
			s, st := service(t, ask.Candidate{Provider: newOllama(t, "p", url)})
			var out strings.Builder
			in, err := s.Ask(ctx, tt.req, collect(&out))
			if err == nil {
				t.Fatal("Ask succeeded")
			}
			ue := usererr.As(err)
			if tt.wantCode == 0 && ue != nil || tt.wantCode != 0 && (ue == nil || ue.ExitCode() != tt.wantCode) {
				t.Fatalf("error %v (user error %v); want exit code %d", err, ue, tt.wantCode)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if out.String() != tt.partial {
				t.Errorf("streamed %q; want %q", out.String(), tt.partial)
			}
			rows, _ := st.Interactions(ctx, 0)
			if tt.wantStatus == "" {
				if len(rows) != 0 {
					t.Fatalf("recorded %+v; want nothing", rows)
				}
				return
			}
			if len(rows) != 1 || rows[0].Status != tt.wantStatus || rows[0].Response != tt.partial || in == nil || rows[0].ID != in.ID {
				t.Fatalf("recorded %+v; want one row with status %s and response %q", rows, tt.wantStatus, tt.partial)
			}
		})
	}
}

func TestAskCancelledMidStream(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("one", "two", "three"), providertest.WithPause(1, release))
	s, st := service(t, ask.Candidate{Provider: newOllama(t, "p", fake.URL()), Model: "tiny"})

	// Cancel once the first chunk has arrived; the fake holds the rest back.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out strings.Builder
	in, err := s.Ask(ctx, ask.Request{Prompt: "hi"}, func(s string) error {
		out.WriteString(s)
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	got, ok, _ := st.Interaction(context.Background(), in.ID)
	if !ok || got.Status != db.StatusCancelled || got.Response != "one" || got.FinishedAt == nil {
		t.Fatalf("recorded %+v; want cancelled with the partial answer", got)
	}
}

func TestAskOutputClosedStopsStream(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("a", "b", "c"))
	s, st := service(t, ask.Candidate{Provider: newOllama(t, "p", fake.URL()), Model: "tiny"})
	broken := errors.New("broken pipe")
	in, err := s.Ask(context.Background(), ask.Request{Prompt: "hi"}, func(string) error { return broken })
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v; want the writer's error", err)
	}
	got, _, _ := st.Interaction(context.Background(), in.ID)
	if got.Status != db.StatusInterrupted {
		t.Fatalf("status %q; want interrupted", got.Status)
	}
}
