package coord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/ollama"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestEmbedFailureNamesItsStatus: an embedding request a server answers
// with an error status is recorded as a chat's failure is, "HTTP 500 from
// ADDR: the server's message", in the record's error and in its attempts'.
// Ollama's 500 saying the input does not fit stays a context-length
// error, and keeps its status.
func TestEmbedFailureNamesItsStatus(t *testing.T) {
	ctx := context.Background()
	fake := pt.NewOllama(t, pt.WithStatus(500, "input exceeds maximum context length"))
	p, err := ollama.New(ollama.Config{Name: "local", BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: "tiny", Local: true}}, MaxAttempts: 1})
	if _, err := e.c.Embedder("local").Embed(ctx, "nomic-embed-text", []string{"a long input"}); err == nil {
		t.Fatal("embed succeeded; want the server's 500")
	}
	recs, err := e.store.EmbedRecords(ctx, time.Now().Add(-time.Hour))
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d embedding records (%v); want 1", len(recs), err)
	}
	rec := recs[0]
	want := "HTTP 500 from " + p.Endpoint() + ": input exceeds maximum context length"
	if rec.ErrorKind != "context_too_long" || !strings.HasPrefix(rec.Error, want) {
		t.Errorf("recorded kind %q, error %q; want context_too_long, %q", rec.ErrorKind, rec.Error, want)
	}
	if len(rec.Route) != 1 || !strings.HasPrefix(rec.Route[0].Error, want) || rec.Route[0].Outcome != "context_too_long" {
		t.Errorf("recorded route %+v; want one attempt, context_too_long, %q", rec.Route, want)
	}
}

// TestOllamaContextLength500KeepsItsStatus: a chat Ollama refuses with
// 500 "input exceeds maximum context length" is a context-length error,
// said and recorded with its status and address.
func TestOllamaContextLength500KeepsItsStatus(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	fake := pt.NewOllama(t, pt.WithStatus(500, "input exceeds maximum context length (4096 tokens)"))
	p, err := ollama.New(ollama.Config{Name: "local", BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: "tiny", Local: true}}, MaxAttempts: 2})
	_, in, err := e.chat(t, coord.Request{})
	want := "HTTP 500 from " + p.Endpoint() + ": input exceeds maximum context length"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v; want it to say %q", err, want)
	}
	if in == nil || in.ErrorKind != "context_too_long" || !strings.Contains(in.Error, want) {
		t.Fatalf("recorded %+v; want context_too_long, %q", in, want)
	}
}
