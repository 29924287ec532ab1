package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
)

// realOllama returns the URL of the real Ollama server that the end-to-end
// suite runs against (scripts/ollama-dev start; .ci/run does it and sets
// AIEX_E2E=1). Without AIEX_E2E the suite is skipped: it needs that server,
// which takes minutes to build the first time.
func realOllama(t *testing.T) string {
	t.Helper()
	if os.Getenv("AIEX_E2E") == "" {
		t.Skip("end-to-end suite: run scripts/ollama-dev start, then AIEX_E2E=1 go test ./...")
	}
	host := os.Getenv("OLLAMA_HOST")
	if host == "" {
		t.Fatal("AIEX_E2E is set but OLLAMA_HOST is not: eval \"$(scripts/ollama-dev start)\" first")
	}
	return host
}

func TestE2EAskRealOllama(t *testing.T) {
	host := realOllama(t)
	s := newSandbox(t, host)

	r := s.mustRun("ask", "--model", "tiny", "hello")
	if strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("empty answer from the real server; stderr %q", r.stderr)
	}
	rows := s.history()
	if len(rows) != 1 {
		t.Fatalf("history has %d rows; want 1", len(rows))
	}
	h := rows[0]
	if h.Status != "ok" || h.Provider != "ollama" || !strings.HasPrefix(h.Model, "tiny") {
		t.Fatalf("history row %+v", h)
	}
	if h.PromptTokens <= 0 || h.CompletionTokens <= 0 {
		t.Errorf("token counts not recorded: prompt %d, completion %d", h.PromptTokens, h.CompletionTokens)
	}
	if h.TTFTMillis == nil || h.TotalMillis == nil || *h.TTFTMillis <= 0 || *h.TotalMillis < *h.TTFTMillis {
		t.Errorf("timings not recorded: ttft %v total %v", h.TTFTMillis, h.TotalMillis)
	}
	if strings.TrimSpace(h.Response) != strings.TrimSpace(r.stdout) {
		t.Errorf("recorded response %q differs from what was printed %q", h.Response, r.stdout)
	}

	// The same question again: temperature 0 on the tiny model is deterministic.
	if again := s.mustRun("ask", "--model", "tiny", "hello"); again.stdout != r.stdout {
		t.Errorf("answers differ at temperature 0: %q vs %q", r.stdout, again.stdout)
	}

	// A model the server lacks: the error lists what it has.
	bad := s.run("", "ask", "--model", "no-such-model", "hello")
	if bad.code != 1 {
		t.Fatalf("unknown model: exit %d; want 1", bad.code)
	}
	oneLine(t, bad.stderr, "no-such-model", "not found", "tiny")

	// Status sees the real server and its model.
	st := s.mustRun("status").stdout
	for _, w := range []string{"reachable", "tiny"} {
		if !strings.Contains(st, w) {
			t.Errorf("status does not show %q:\n%s", w, st)
		}
	}
}

// TestE2EStreamsInChunks checks that the real server's answer arrives as a
// stream of several chunks, not one buffered blob.
func TestE2EStreamsInChunks(t *testing.T) {
	host := realOllama(t)
	p, err := ollama.New(ollama.Config{BaseURL: host})
	if err != nil {
		t.Fatal(err)
	}
	var chunks []string
	res, err := p.Chat(context.Background(), providers.Request{
		Model:    "tiny",
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "hello"}},
	}, func(c providers.Chunk) error {
		chunks = append(chunks, c.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 2 {
		t.Fatalf("%d chunks (%q); want a stream of several", len(chunks), chunks)
	}
	if res.Usage.CompletionTokens < len(chunks) {
		t.Errorf("usage says %d completion tokens for %d chunks", res.Usage.CompletionTokens, len(chunks))
	}
}

// TestE2EOpenAICompatibleRealOllama drives the openai-compatible kind
// against the real server's /v1 API through aiex ask.
func TestE2EOpenAICompatibleRealOllama(t *testing.T) {
	host := realOllama(t)
	s := newSandbox(t, host)
	s.writeConfig("[providers.native]\nkind = \"ollama\"\nbase_url = \"" + host + "\"\n" +
		"[providers.v1]\nkind = \"openai-compatible\"\nbase_url = \"" + strings.TrimRight(host, "/") + "/v1\"\n")
	for _, p := range []string{"native", "v1"} {
		r := s.mustRun("ask", "--provider", p, "--model", "tiny", "hello")
		if strings.TrimSpace(r.stdout) == "" {
			t.Fatalf("%s: empty answer", p)
		}
	}
	rows := s.history()
	if len(rows) != 2 {
		t.Fatalf("%d rows; want 2", len(rows))
	}
	for _, h := range rows {
		if h.Status != "ok" || h.CompletionTokens <= 0 || h.PromptTokens <= 0 {
			t.Errorf("%s: %+v", h.Provider, h)
		}
	}
	// Both are local: aiex models marks them so, at no price.
	out := s.mustRun("models", "--json").stdout
	if !strings.Contains(out, `"local": true`) || strings.Contains(out, `"local": false`) {
		t.Errorf("models --json: %s", out)
	}
}
