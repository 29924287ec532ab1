package ask_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func service(t *testing.T, url string, prompts ask.Renderer) (*ask.Service, *db.Store) {
	t.Helper()
	st := dbtest.Open(t)
	p, err := ollama.New(ollama.Config{BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	c := coord.New(coord.Config{Targets: []coord.Target{{Provider: p, Local: true}}, Recorder: st, Node: st.NodeID()})
	return &ask.Service{Router: c, Prompts: prompts}, st
}

func TestAskStreamsAndRecords(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("Hel", "lo", " there"), providertest.WithUsage(11, 3))
	s, st := service(t, fake.URL(), nil)

	var out strings.Builder
	in, err := s.Ask(ctx, ask.Request{Prompt: "hi", Actor: "test"}, func(s string) error { out.WriteString(s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "Hello there" {
		t.Fatalf("streamed %q", out.String())
	}
	// No model given: the provider's first model is used.
	if got := fake.Requests()[0].Model; got != "tiny:latest" {
		t.Fatalf("requested model %q; want the first listed, tiny:latest", got)
	}
	got, ok, err := st.Interaction(ctx, in.ID)
	if err != nil || !ok {
		t.Fatalf("interaction not recorded: %v", err)
	}
	if got.Status != db.StatusOK || got.Prompt != "hi" || got.Response != "Hello there" || got.PromptTokens != 11 || got.CompletionTokens != 3 ||
		got.TTFTMillis == nil || got.TotalMillis == nil || *got.TTFTMillis > *got.TotalMillis || got.FinishedAt == nil || got.Attempts != 1 {
		t.Fatalf("recorded %+v", got)
	}
	evs, err := st.Events(ctx, coord.EventStream, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %v, %v; want one", evs, err)
	}
	var payload map[string]any
	if err := json.Unmarshal(evs[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["interaction_id"] != in.ID || payload["status"] != "ok" || evs[0].Type != coord.EventType || evs[0].Actor != "test" {
		t.Fatalf("event = %+v payload %v", evs[0], payload)
	}
}

// renderer wraps the question the way a prompt template would.
type renderer struct{}

func (renderer) Ask(q string) ([]providers.Message, error) {
	return []providers.Message{{Role: providers.RoleSystem, Content: "be brief"}, {Role: providers.RoleUser, Content: "Q: " + q}}, nil
}

func TestAskRendersPrompt(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s, st := service(t, fake.URL(), renderer{})
	in, err := s.Ask(context.Background(), ask.Request{Prompt: "why?"}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Requests()[0].Messages
	if len(msgs) != 2 || msgs[0].Role != "system" || msgs[1].Content != "Q: why?" {
		t.Fatalf("sent %+v", msgs)
	}
	// The record keeps the user's own words, not the rendered prompt.
	got, _, _ := st.Interaction(context.Background(), in.ID)
	if got.Prompt != "why?" {
		t.Fatalf("recorded prompt %q", got.Prompt)
	}
}
