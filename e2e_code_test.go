package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2ECodeRealOllama runs the code commands against the real server:
// aiex index embeds every chunk with the model /api/embed serves, search
// re-ranks with the embeddings, and explain fits the target and its
// neighbours into the window the server runs the model with.
func TestE2ECodeRealOllama(t *testing.T) {
	host := realOllama(t)
	s := newSandbox(t, host)
	cfg := filepath.Join(s.home, "config", "aiex", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[index]\nembed = \"ollama/tiny\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := newProject(t)

	var sum struct {
		Changed    int `json:"changed"`
		Embeddings *struct {
			Embedded int `json:"embedded"`
		} `json:"embeddings"`
	}
	out := s.mustRunIn(root, "index", "--json").stdout
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Embeddings == nil || sum.Embeddings.Embedded == 0 {
		t.Fatalf("index did not embed: %s", out)
	}
	// Nothing new to embed the second time.
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "index", "--json").stdout), &sum); err != nil || sum.Embeddings.Embedded != 0 {
		t.Errorf("second run embedded %d chunks (%v)", sum.Embeddings.Embedded, err)
	}

	var so struct {
		Hits []struct {
			Name     string  `json:"name"`
			Semantic float64 `json:"semantic"`
		} `json:"hits"`
		Embeddings bool `json:"embeddings"`
	}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "search", "--json", "greet", "name").stdout), &so); err != nil {
		t.Fatal(err)
	}
	if !so.Embeddings || len(so.Hits) == 0 {
		t.Fatalf("search: %+v", so)
	}

	r := s.mustRunIn(root, "explain", "-m", "tiny", "App.hello/1")
	if strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("empty explanation; stderr %q", r.stderr)
	}
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "ok" || rows[0].PromptTokens == 0 {
		t.Fatalf("history %+v", rows)
	}

	// The window is the one the server runs the model with (num_ctx 2048
	// in the tiny model's Modelfile; /api/ps once it is loaded).
	// The tiny model has no public tokenizer and counts far more tokens
	// than the generic estimate (its vocabulary is mostly bytes): the
	// builder learns the ratio from what the server reported.
	var co struct {
		Window, Budget, Tokens int
		Scale                  float64
	}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Window != 2048 || co.Tokens == 0 || co.Tokens > co.Budget || co.Scale <= 1 {
		t.Errorf("context %+v; want the 2048-token window and a learned scale", co)
	}
}
