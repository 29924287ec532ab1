package providertest

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The real shapes these tests hold the fake to were taken from Ollama
// 0.17.4 serving the tiny model of scripts/ollama-dev.

func TestOllamaGenerateWireFormat(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantContext bool
	}{
		{"raw", `{"model":"tiny","prompt":"func main() {","raw":true}`, false},
		{"templated", `{"model":"tiny","prompt":"hi","system":"be brief"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOllama(t, WithReply("a", "b"), WithUsage(7, 2), WithStopReason("length"))
			resp := post(t, o.URL()+"/api/generate", tt.body)
			if got := resp.Header.Get("Content-Type"); got != "application/x-ndjson" {
				t.Errorf("Content-Type = %q, want application/x-ndjson", got)
			}
			lines, err := readLines(t, resp.Body)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(lines) != 3 {
				t.Fatalf("got %d lines, want 3: %v", len(lines), lines)
			}
			for i, l := range lines[:2] {
				if diff := cmp.Diff([]string{"created_at", "done", "model", "response"}, keys(l)); diff != "" {
					t.Errorf("chunk %d keys (-want +got):\n%s", i, diff)
				}
				if l["response"] != []string{"a", "b"}[i] || l["done"] != false || l["model"] != "tiny" {
					t.Errorf("chunk %d = %v", i, l)
				}
			}
			final := lines[2]
			wantKeys := []string{"created_at", "done", "done_reason", "eval_count", "eval_duration", "load_duration",
				"model", "prompt_eval_count", "prompt_eval_duration", "response", "total_duration"}
			if tt.wantContext {
				wantKeys = append([]string{"context"}, wantKeys...)
			}
			if diff := cmp.Diff(wantKeys, keys(final)); diff != "" {
				t.Errorf("final keys (-want +got):\n%s", diff)
			}
			if final["done"] != true || final["done_reason"] != "length" || final["response"] != "" ||
				final["prompt_eval_count"] != 7.0 || final["eval_count"] != 2.0 {
				t.Errorf("final = %v", final)
			}
			if tt.wantContext && len(final["context"].([]any)) == 0 {
				t.Errorf("context is empty")
			}
		})
	}
}

func TestOllamaGenerateOther(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]any // fields of the one object answered
		wantKeys   []string
	}{
		{
			name: "not streaming",
			body: `{"model":"tiny","prompt":"x","raw":true,"stream":false}`,
			want: map[string]any{"model": "tiny", "response": "ab", "done": true, "done_reason": "stop"},
			wantKeys: []string{"created_at", "done", "done_reason", "eval_count", "eval_duration", "load_duration",
				"model", "prompt_eval_count", "prompt_eval_duration", "response", "total_duration"},
		},
		{
			name:     "empty prompt loads",
			body:     `{"model":"tiny","prompt":""}`,
			want:     map[string]any{"model": "tiny", "response": "", "done": true, "done_reason": "load"},
			wantKeys: []string{"created_at", "done", "done_reason", "model", "response"},
		},
		{
			name:     "keep_alive 0 unloads",
			body:     `{"model":"tiny","keep_alive":0}`,
			want:     map[string]any{"model": "tiny", "response": "", "done": true, "done_reason": "unload"},
			wantKeys: []string{"created_at", "done", "done_reason", "model", "response"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOllama(t, WithReply("a", "b"))
			resp := post(t, o.URL()+"/api/generate", tt.body)
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantKeys, keys(got)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestOllamaGenerateRecords(t *testing.T) {
	o := NewOllama(t)
	resp := post(t, o.URL()+"/api/generate", `{"model":"tiny","prompt":"p","system":"s","options":{"num_predict":3}}`)
	io.Copy(io.Discard, resp.Body)
	reqs := o.GenerateRequests()
	if len(reqs) != 1 || reqs[0].Prompt != "p" || reqs[0].System != "s" || reqs[0].Options["num_predict"] != 3.0 {
		t.Errorf("GenerateRequests = %+v", reqs)
	}
	if n := len(o.Requests()); n != 0 {
		t.Errorf("Requests (chat) = %d, want 0", n)
	}
}

func TestOllamaEmbed(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		body     string
		wantDims []int // the length of each vector
		want     []string
	}{
		{name: "string", body: `{"model":"tiny","input":"hello"}`, wantDims: []int{64}, want: []string{"hello"}},
		{name: "array", body: `{"model":"tiny","input":["a","b c"]}`, wantDims: []int{64, 64}, want: []string{"a", "b c"}},
		{name: "empty string", body: `{"model":"tiny","input":""}`},
		{name: "no input", body: `{"model":"tiny"}`},
		{name: "dims option", opts: []Option{WithOllamaEmbeddingDims(16)}, body: `{"model":"tiny","input":["a"]}`, wantDims: []int{16}, want: []string{"a"}},
		{name: "dimensions asked", body: `{"model":"tiny","input":["a"],"dimensions":4}`, wantDims: []int{4}, want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOllama(t, tt.opts...)
			resp := post(t, o.URL()+"/api/embed", tt.body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			var fields map[string]any
			var got struct {
				Model      string      `json:"model"`
				Embeddings [][]float32 `json:"embeddings"`
			}
			if err := errors.Join(json.Unmarshal(b, &fields), json.Unmarshal(b, &got)); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			wantKeys := []string{"embeddings", "model"}
			if len(tt.want) > 0 {
				wantKeys = []string{"embeddings", "load_duration", "model", "prompt_eval_count", "total_duration"}
			}
			if diff := cmp.Diff(wantKeys, keys(fields)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if got.Model != "tiny" || got.Embeddings == nil || len(got.Embeddings) != len(tt.want) {
				t.Fatalf("answer = %s", b)
			}
			for i, v := range got.Embeddings {
				if len(v) != tt.wantDims[i] {
					t.Errorf("vector %d has %d dims, want %d", i, len(v), tt.wantDims[i])
				}
				if diff := cmp.Diff(OllamaEmbedding(tt.want[i], tt.wantDims[i]), v); diff != "" {
					t.Errorf("vector %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestOllamaEmbeddingVectors(t *testing.T) {
	a, b := OllamaEmbedding("a", 64), OllamaEmbedding("b", 64)
	if diff := cmp.Diff(a, OllamaEmbedding("a", 64)); diff != "" {
		t.Errorf("not deterministic (-first +second):\n%s", diff)
	}
	if cmp.Equal(a, b) {
		t.Error("different texts give the same vector")
	}
	for _, v := range [][]float32{a, b, OllamaEmbedding("", 3)} {
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("|v|² = %v, want 1", sum)
		}
	}
}

func TestOllamaPS(t *testing.T) {
	o := NewOllama(t, WithModels(
		Model{Name: "tiny:latest", ContextLength: 2048},
		Model{Name: "qwen3:0.6b", ContextLength: 40960},
		Model{Name: "big:latest", ContextLength: 8192, NumCtx: 8192},
	), WithOllamaLoaded("qwen3:0.6b"))
	ps := func() []map[string]any {
		t.Helper()
		resp, err := http.Get(o.URL() + "/api/ps")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Models []map[string]any }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body.Models
	}
	names := func(ms []map[string]any) []string {
		var ns []string
		for _, m := range ms {
			ns = append(ns, m["name"].(string))
		}
		return ns
	}
	first := ps()
	if diff := cmp.Diff([]string{"qwen3:0.6b"}, names(first)); diff != "" {
		t.Fatalf("loaded at start (-want +got):\n%s", diff)
	}
	wantKeys := []string{"context_length", "details", "digest", "expires_at", "model", "name", "size", "size_vram"}
	if diff := cmp.Diff(wantKeys, keys(first[0])); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if m := first[0]; m["model"] != "qwen3:0.6b" || m["size_vram"] != 0.0 || m["context_length"] != 4096.0 {
		t.Errorf("entry = %v", m)
	}
	if exp, err := time.Parse(time.RFC3339Nano, first[0]["expires_at"].(string)); err != nil || time.Until(exp) <= 0 {
		t.Errorf("expires_at = %v (%v), want a time to come", first[0]["expires_at"], err)
	}

	// Requests load models; longest time left first; keep_alive 0 unloads.
	for _, body := range []struct{ path, body string }{
		{"/api/chat", `{"model":"tiny","keep_alive":"1h"}`},
		{"/api/embed", `{"model":"big","input":"x","keep_alive":-1}`},
	} {
		resp := post(t, o.URL()+body.path, body.body)
		io.Copy(io.Discard, resp.Body)
	}
	if diff := cmp.Diff([]string{"big:latest", "tiny:latest", "qwen3:0.6b"}, names(ps())); diff != "" {
		t.Errorf("after requests (-want +got):\n%s", diff)
	}
	resp := post(t, o.URL()+"/api/generate", `{"model":"tiny","keep_alive":0}`)
	io.Copy(io.Discard, resp.Body)
	after := ps()
	if diff := cmp.Diff([]string{"big:latest", "qwen3:0.6b"}, names(after)); diff != "" {
		t.Errorf("after unloading tiny (-want +got):\n%s", diff)
	}
	if after[0]["context_length"] != 8192.0 {
		t.Errorf("big's context_length = %v, want its num_ctx 8192", after[0]["context_length"])
	}
}

func TestOllamaPSStatus(t *testing.T) {
	o := NewOllama(t, WithOllamaPSStatus(500, "boom"))
	resp, err := http.Get(o.URL() + "/api/ps")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || string(body) != `{"error":"boom"}` {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
}

func TestOllamaToolCalls(t *testing.T) {
	calls := []OllamaToolCall{
		{ID: "call_k3x9a0bq", Name: "read", Arguments: `{"path":"a.go","from":3}`},
		{Name: "ls"},
	}
	const tools = `"tools":[{"type":"function","function":{"name":"read","parameters":{"type":"object","properties":{}}}}]`
	t.Run("streamed", func(t *testing.T) {
		o := NewOllama(t, WithReply("ok"), WithOllamaToolCalls(calls...))
		resp := post(t, o.URL()+"/api/chat", `{"model":"tiny",`+tools+`}`)
		lines, err := readLines(t, resp.Body)
		if err != nil || len(lines) != 4 {
			t.Fatalf("got %d lines, err %v; want 4", len(lines), err)
		}
		want := []any{
			map[string]any{"role": "assistant", "content": "", "tool_calls": []any{map[string]any{
				"id": "call_k3x9a0bq", "function": map[string]any{"index": 0.0, "name": "read", "arguments": map[string]any{"path": "a.go", "from": 3.0}}}}},
			map[string]any{"role": "assistant", "content": "", "tool_calls": []any{map[string]any{
				"function": map[string]any{"index": 1.0, "name": "ls", "arguments": map[string]any{}}}}},
		}
		got := []any{lines[1]["message"], lines[2]["message"]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tool-call chunks (-want +got):\n%s", diff)
		}
		if lines[3]["done"] != true || lines[3]["done_reason"] != "stop" {
			t.Errorf("final = %v", lines[3])
		}
	})
	t.Run("not streamed", func(t *testing.T) {
		o := NewOllama(t, WithReply("ok"), WithOllamaToolCalls(calls...))
		resp := post(t, o.URL()+"/api/chat", `{"model":"tiny","stream":false,`+tools+`}`)
		var got struct {
			Message struct {
				Content   string
				ToolCalls []json.RawMessage `json:"tool_calls"`
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Message.Content != "ok" || len(got.Message.ToolCalls) != 2 ||
			string(got.Message.ToolCalls[0]) != `{"id":"call_k3x9a0bq","function":{"index":0,"name":"read","arguments":{"path":"a.go","from":3}}}` {
			t.Errorf("message = %+v", got.Message)
		}
	})
	t.Run("no tools offered", func(t *testing.T) {
		o := NewOllama(t, WithReply("ok"), WithOllamaToolCalls(calls...))
		resp := post(t, o.URL()+"/api/chat", `{"model":"tiny"}`)
		lines, err := readLines(t, resp.Body)
		if err != nil || len(lines) != 2 {
			t.Errorf("got %d lines, err %v; want the text and the final object", len(lines), err)
		}
	})
}
