package providertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// post sends body to the fake and returns the response; the body is closed
// when the test ends.
func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readLines reads NDJSON lines as generic objects until the body ends, and
// returns the read error other than io.EOF.
func readLines(t *testing.T, r io.Reader) ([]map[string]any, error) {
	t.Helper()
	var lines []map[string]any
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 && err == nil {
			var m map[string]any
			if jerr := json.Unmarshal(line, &m); jerr != nil {
				t.Fatalf("line %q is not JSON: %v", line, jerr)
			}
			lines = append(lines, m)
		}
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestOllamaChatWireFormat(t *testing.T) {
	o := NewOllama(t, WithReply("a", "b"), WithUsage(7, 2))
	resp := post(t, o.URL()+"/api/chat", `{"model":"tiny","messages":[{"role":"user","content":"hi"}]}`)
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
	chunkKeys := []string{"created_at", "done", "message", "model"}
	for i, l := range lines[:2] {
		if diff := cmp.Diff(chunkKeys, keys(l)); diff != "" {
			t.Errorf("chunk %d keys (-want +got):\n%s", i, diff)
		}
		wantMsg := map[string]any{"role": "assistant", "content": []string{"a", "b"}[i]}
		if diff := cmp.Diff(wantMsg, l["message"]); diff != "" {
			t.Errorf("chunk %d message (-want +got):\n%s", i, diff)
		}
	}
	final := lines[2]
	wantFinal := []string{"created_at", "done", "done_reason", "eval_count", "eval_duration", "load_duration",
		"message", "model", "prompt_eval_count", "prompt_eval_duration", "total_duration"}
	if diff := cmp.Diff(wantFinal, keys(final)); diff != "" {
		t.Errorf("final keys (-want +got):\n%s", diff)
	}
	if final["done"] != true || final["done_reason"] != "stop" || final["prompt_eval_count"] != 7.0 || final["eval_count"] != 2.0 || final["model"] != "tiny" {
		t.Errorf("final = %v", final)
	}
}

func TestOllamaChatNotStreaming(t *testing.T) {
	o := NewOllama(t, WithReply("a", "b"))
	resp := post(t, o.URL()+"/api/chat", `{"model":"tiny","stream":false,"messages":[]}`)
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["done"] != true || got["message"].(map[string]any)["content"] != "ab" {
		t.Errorf("response = %v", got)
	}
}

func TestOllamaErrors(t *testing.T) {
	tests := []struct {
		name       string
		opts       []Option
		path, body string
		wantCode   int
		wantBody   string
	}{
		{"unknown model", nil, "/api/chat", `{"model":"nope"}`, 404, `{"error":"model 'nope' not found"}`},
		{"no model", nil, "/api/chat", `{"messages":[]}`, 400, `{"error":"model is required"}`},
		{"no body", nil, "/api/chat", ``, 400, `{"error":"missing request body"}`},
		{"rate limited", []Option{WithStatus(429, "slow down")}, "/api/chat", `{"model":"tiny"}`, 429, `{"error":"slow down"}`},
		{"busy", []Option{WithStatus(503, "server busy, please try again.  maximum pending requests exceeded")}, "/api/chat", `{"model":"tiny"}`,
			503, `{"error":"server busy, please try again.  maximum pending requests exceeded"}`},
		{"show unknown", nil, "/api/show", `{"model":"nope"}`, 404, `{"error":"model 'nope' not found"}`},
		{"unknown path", nil, "/api/nothing", `{}`, 404, "404 page not found\n"},
		{"generate unknown model", nil, "/api/generate", `{"model":"nope","prompt":"x"}`, 404, `{"error":"model 'nope' not found"}`},
		{"generate no model", nil, "/api/generate", `{"prompt":"x"}`, 404, `{"error":"model '' not found"}`},
		{"generate raw with system", nil, "/api/generate", `{"model":"tiny","prompt":"x","raw":true,"system":"s"}`,
			400, `{"error":"raw mode does not support template, system, or context"}`},
		{"generate busy", []Option{WithStatus(503, "busy")}, "/api/generate", `{"model":"tiny","prompt":"x"}`, 503, `{"error":"busy"}`},
		{"generate no body", nil, "/api/generate", ``, 400, `{"error":"missing request body"}`},
		{"embed unknown model", nil, "/api/embed", `{"model":"nope","input":"x"}`, 404, `{"error":"model \"nope\" not found, try pulling it first"}`},
		{"embed bad input", nil, "/api/embed", `{"model":"tiny","input":5}`, 400, `{"error":"invalid input type"}`},
		{"embed bad input item", nil, "/api/embed", `{"model":"tiny","input":["a",1]}`, 400, `{"error":"invalid input type"}`},
		{"embed busy", []Option{WithStatus(503, "busy")}, "/api/embed", `{"model":"tiny","input":"x"}`, 503, `{"error":"busy"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOllama(t, tt.opts...)
			resp := post(t, o.URL()+tt.path, tt.body)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode || string(body) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestOllamaRetryAfter(t *testing.T) {
	o := NewOllama(t, WithStatus(429, "slow down"), WithRetryAfter(3))
	resp := post(t, o.URL()+"/api/chat", `{"model":"tiny"}`)
	if got := resp.Header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After = %q, want 3", got)
	}
}

// ollamaStreams are the streaming endpoints, with a body each that streams.
var ollamaStreams = []struct{ path, body string }{
	{"/api/chat", `{"model":"tiny","messages":[{"role":"user","content":"hi"}]}`},
	{"/api/generate", `{"model":"tiny","prompt":"hi"}`},
}

func TestOllamaStreamEndings(t *testing.T) {
	tests := []struct {
		name      string
		opt       Option
		wantLines int
		wantErr   bool // a broken body, not a clean end
		lastError string
	}{
		{"broken", WithBrokenStream(2), 2, true, ""},
		{"broken at start", WithBrokenStream(0), 0, true, ""},
		{"truncated", WithTruncatedStream(1), 1, false, ""},
		{"truncated past end", WithTruncatedStream(10), 3, false, ""},
		{"stream error", WithStreamError(2, "boom"), 3, false, "boom"},
	}
	for _, ep := range ollamaStreams {
		for _, tt := range tests {
			t.Run(ep.path+"/"+tt.name, func(t *testing.T) {
				o := NewOllama(t, WithReply("a", "b", "c"), tt.opt)
				resp := post(t, o.URL()+ep.path, ep.body)
				lines, err := readLines(t, resp.Body)
				if len(lines) != tt.wantLines {
					t.Errorf("got %d lines, want %d: %v", len(lines), tt.wantLines, lines)
				}
				if tt.wantErr {
					if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
						t.Errorf("read error = %v, want unexpected EOF or reset", err)
					}
				} else if err != nil {
					t.Errorf("read error = %v, want a clean end", err)
				}
				for _, l := range lines {
					if l["done"] == true {
						t.Errorf("got a final object: %v", l)
					}
				}
				if tt.lastError != "" && lines[len(lines)-1]["error"] != tt.lastError {
					t.Errorf("last line = %v, want error %q", lines[len(lines)-1], tt.lastError)
				}
			})
		}
	}
}

func TestOllamaPause(t *testing.T) {
	for _, ep := range ollamaStreams {
		t.Run(ep.path, func(t *testing.T) {
			release := make(chan struct{})
			o := NewOllama(t, WithReply("a", "b", "c"), WithPause(1, release))
			resp := post(t, o.URL()+ep.path, ep.body)
			br := bufio.NewReader(resp.Body)
			if _, err := br.ReadBytes('\n'); err != nil {
				t.Fatalf("first chunk: %v", err)
			}
			<-o.Paused()
			close(release)
			lines, err := readLines(t, br)
			if err != nil || len(lines) != 3 {
				t.Fatalf("after release got %d lines, err %v; want 3 lines", len(lines), err)
			}
		})
	}
}

func TestOllamaPauseClientGone(t *testing.T) {
	// Never released: the handler must end when the client leaves, or
	// the server's Close at cleanup would hang.
	o := NewOllama(t, WithPause(0, nil))
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", o.URL()+"/api/chat", strings.NewReader(`{"model":"tiny"}`))
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	<-o.Paused()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestOllamaTagsShowVersion(t *testing.T) {
	o := NewOllama(t, WithModels(
		Model{Name: "tiny:latest", ContextLength: 2048, NumCtx: 1024},
		Model{Name: "llama3:8b", Family: "llama", ContextLength: 8192},
	))
	get := func(path string) map[string]any {
		t.Helper()
		resp, err := http.Get(o.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if v := get("/api/version"); v["version"] != OllamaVersion {
		t.Errorf("version = %v", v)
	}
	models := get("/api/tags")["models"].([]any)
	wantKeys := []string{"details", "digest", "model", "modified_at", "name", "size"}
	var names []string
	for _, m := range models {
		m := m.(map[string]any)
		names = append(names, m["name"].(string))
		if diff := cmp.Diff(wantKeys, keys(m)); diff != "" {
			t.Errorf("model keys (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff([]string{"tiny:latest", "llama3:8b"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}

	resp := post(t, o.URL()+"/api/show", `{"model":"tiny"}`)
	var show map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&show); err != nil {
		t.Fatal(err)
	}
	info := show["model_info"].(map[string]any)
	if info["general.architecture"] != "llama" || info["llama.context_length"] != 2048.0 {
		t.Errorf("model_info = %v", info)
	}
	if p := show["parameters"].(string); !strings.Contains(p, "num_ctx                        1024") {
		t.Errorf("parameters = %q", p)
	}
}

func TestOllamaRecordsConcurrentRequests(t *testing.T) {
	o := NewOllama(t)
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := http.Post(o.URL()+"/api/chat", "application/json",
				strings.NewReader(`{"model":"tiny","messages":[{"role":"user","content":"hi"}],"options":{"temperature":0.5}}`))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
	reqs := o.Requests()
	if len(reqs) != n {
		t.Fatalf("recorded %d requests, want %d", len(reqs), n)
	}
	if reqs[0].Model != "tiny" || reqs[0].Options["temperature"] != 0.5 || reqs[0].Messages[0].Content != "hi" {
		t.Errorf("request = %+v", reqs[0])
	}
}

func TestUnreachable(t *testing.T) {
	u := Unreachable(t)
	_, err := net.Dial("tcp", strings.TrimPrefix(u, "http://"))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", u, err)
	}
}
