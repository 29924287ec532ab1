package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskLMStudioWithoutModel: LM Studio lists its bundled embedding model
// first; `aiex ask --provider lmstudio` without --model must still ask a
// chat model — the loaded one — and answer.
func TestAskLMStudioWithoutModel(t *testing.T) {
	lms := providertest.NewLMStudio(t, providertest.WithReply("Hel", "lo"), providertest.WithLMStudioModels(
		providertest.LMStudioModel{ID: "text-embedding-nomic-embed-text-v1.5", Type: "embeddings", MaxContextLength: 2048},
		providertest.LMStudioModel{ID: "meta-llama-3.1-8b-instruct", MaxContextLength: 131072},
		providertest.LMStudioModel{ID: "qwen/qwen3-4b", Loaded: true, MaxContextLength: 40960},
	))
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.lmstudio]\nbase_url = %q\n", lms.URL()))
	r := s.run("", "ask", "--provider", "lmstudio", "hi")
	if r.code != 0 || r.stdout != "Hello\n" {
		t.Fatalf("ask: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if rows := s.history(); len(rows) != 1 || rows[0].Model != "qwen/qwen3-4b" {
		t.Errorf("recorded %+v; want one request to the loaded chat model qwen/qwen3-4b", rows)
	}
}

// TestAskCompatibleServerWithoutV1: an openai-compatible provider whose
// base_url lacks the /v1 the server's API lives under says so, instead of
// the server's bare "404 page not found".
func TestAskCompatibleServerWithoutV1(t *testing.T) {
	srv := providertest.NewOpenAI(t, providertest.WithReply("ok"))
	root := strings.TrimSuffix(srv.URL(), "/v1")
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.vllm]\nkind = \"openai-compatible\"\nbase_url = %q\n", root))
	for _, args := range [][]string{
		{"ask", "--provider", "vllm", "--model", providertest.DefaultOpenAIModel, "hi"},
		{"ask", "--provider", "vllm", "hi"},
	} {
		r := s.run("", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "is the base URL right?") || !strings.Contains(r.stderr, root+"/v1") {
			t.Errorf("%v: exit %d, stderr %q; want a failure that suggests %s/v1", args, r.code, r.stderr, root)
		}
	}
}
