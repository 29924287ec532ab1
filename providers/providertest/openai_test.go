package providertest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readEvents reads the data of SSE events until the body ends, and returns
// the read error other than io.EOF. Payloads that are not JSON are kept as
// they are ("[DONE]", a malformed chunk).
func readEvents(t *testing.T, r io.Reader) ([]string, error) {
	t.Helper()
	var events []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not an SSE data line", line)
		}
		events = append(events, data)
	}
	return events, sc.Err()
}

// decode parses a JSON event or fails the test.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("event %q is not JSON: %v", s, err)
	}
	return m
}

// delta returns the first choice's delta and finish_reason of a chunk.
func delta(t *testing.T, chunk map[string]any) (map[string]any, any) {
	t.Helper()
	choices := chunk["choices"].([]any)
	if len(choices) != 1 {
		t.Fatalf("chunk has %d choices: %v", len(choices), chunk)
	}
	c := choices[0].(map[string]any)
	return c["delta"].(map[string]any), c["finish_reason"]
}

const chatBody = `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"say hi"}]}`

func TestOpenAIURL(t *testing.T) {
	o := NewOpenAI(t)
	if !strings.HasPrefix(o.URL(), "http://127.0.0.1:") || !strings.HasSuffix(o.URL(), "/v1") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT/v1", o.URL())
	}
}

func TestOpenAIChatWireFormat(t *testing.T) {
	o := NewOpenAI(t, WithReply("Hel", "lo"), WithUsage(9, 2), WithOpenAICachedTokens(4))
	resp := post(t, o.URL()+"/chat/completions", chatBody)
	if got := resp.Header.Get("Content-Type"); got != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := resp.Header.Get("x-ratelimit-remaining-requests"); got == "" {
		t.Error("no x-ratelimit-remaining-requests header")
	}
	events, err := readEvents(t, resp.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	// role, "Hel", "lo", finish, usage, [DONE]
	if len(events) != 6 || events[5] != "[DONE]" {
		t.Fatalf("events = %q", events)
	}
	chunkKeys := []string{"choices", "created", "id", "model", "obfuscation", "object", "service_tier", "system_fingerprint", "usage"}
	var ids []any
	for i, e := range events[:5] {
		c := decode(t, e)
		if diff := cmp.Diff(chunkKeys, keys(c)); diff != "" {
			t.Errorf("chunk %d keys (-want +got):\n%s", i, diff)
		}
		if c["object"] != "chat.completion.chunk" || c["model"] != "gpt-4o-mini" {
			t.Errorf("chunk %d = %v", i, c)
		}
		ids = append(ids, c["id"])
		if i < 4 && c["usage"] != nil {
			t.Errorf("chunk %d usage = %v, want null", i, c["usage"])
		}
	}
	if ids[0] != ids[4] {
		t.Errorf("chunk ids differ: %v", ids)
	}
	d, fin := delta(t, decode(t, events[0]))
	if diff := cmp.Diff(map[string]any{"role": "assistant", "content": "", "refusal": nil}, d); diff != "" || fin != nil {
		t.Errorf("role chunk delta (-want +got):\n%s finish=%v", diff, fin)
	}
	for i, want := range []string{"Hel", "lo"} {
		d, fin := delta(t, decode(t, events[1+i]))
		if diff := cmp.Diff(map[string]any{"content": want}, d); diff != "" || fin != nil {
			t.Errorf("content chunk %d (-want +got):\n%s finish=%v", i, diff, fin)
		}
	}
	d, fin = delta(t, decode(t, events[3]))
	if len(d) != 0 || fin != "stop" {
		t.Errorf("final chunk delta %v finish %v, want {} stop", d, fin)
	}
	u := decode(t, events[4])
	if choices := u["choices"].([]any); len(choices) != 0 {
		t.Errorf("usage chunk choices = %v, want []", choices)
	}
	usage := u["usage"].(map[string]any)
	if usage["prompt_tokens"] != 9.0 || usage["completion_tokens"] != 2.0 || usage["total_tokens"] != 11.0 ||
		usage["prompt_tokens_details"].(map[string]any)["cached_tokens"] != 4.0 {
		t.Errorf("usage = %v", usage)
	}
}

func TestOpenAIChatWithoutUsage(t *testing.T) {
	o := NewOpenAI(t, WithReply("a"))
	resp := post(t, o.URL()+"/chat/completions",
		`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"x"}]}`)
	events, err := readEvents(t, resp.Body)
	if err != nil || len(events) != 4 || events[3] != "[DONE]" {
		t.Fatalf("events = %q, err %v; want role, a, finish, [DONE]", events, err)
	}
	for _, e := range events[:3] {
		c := decode(t, e)
		if _, ok := c["usage"]; ok {
			t.Errorf("chunk has usage without include_usage: %v", c)
		}
		if _, ok := c["obfuscation"]; ok {
			t.Errorf("chunk has obfuscation though include_obfuscation is false: %v", c)
		}
	}
}

func TestOpenAIToolCalls(t *testing.T) {
	o := NewOpenAI(t, WithReply(), WithOpenAIToolCalls(
		OpenAIToolCall{ID: "call_a", Name: "get_weather", Arguments: []string{`{"city":`, `"Paris"}`}},
		OpenAIToolCall{Name: "get_time", Arguments: []string{`{}`}},
	))
	resp := post(t, o.URL()+"/chat/completions", chatBody)
	events, err := readEvents(t, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// role, 2+1 fragments of call 0, 1+1 of call 1, finish, usage, [DONE]
	if len(events) != 9 {
		t.Fatalf("got %d events: %q", len(events), events)
	}
	d, _ := delta(t, decode(t, events[0]))
	if d["content"] != nil {
		t.Errorf("role chunk content = %v, want null before tool calls", d["content"])
	}
	var got []any
	for _, e := range events[1:6] {
		d, _ := delta(t, decode(t, e))
		got = append(got, d["tool_calls"])
	}
	frag := func(index float64, id, name, args string) []any {
		tc := map[string]any{"index": index, "function": map[string]any{"arguments": args}}
		if id != "" {
			tc["id"], tc["type"] = id, "function"
			tc["function"].(map[string]any)["name"] = name
		}
		return []any{tc}
	}
	want := []any{
		frag(0, "call_a", "get_weather", ""),
		frag(0, "", "", `{"city":`),
		frag(0, "", "", `"Paris"}`),
		frag(1, "call_1", "get_time", ""),
		frag(1, "", "", `{}`),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tool call deltas (-want +got):\n%s", diff)
	}
	if _, fin := delta(t, decode(t, events[6])); fin != "tool_calls" {
		t.Errorf("finish_reason = %v, want tool_calls", fin)
	}
}

func TestOpenAIChatNotStreaming(t *testing.T) {
	o := NewOpenAI(t, WithReply("a", "b"), WithUsage(3, 2))
	resp := post(t, o.URL()+"/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}`)
	var got struct {
		Object  string
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Choices[0].Message.Content != "ab" || got.Choices[0].FinishReason != "stop" ||
		got.Usage.PromptTokens != 3 || got.Usage.CompletionTokens != 2 {
		t.Errorf("completion = %+v", got)
	}
}

func TestOpenAIErrors(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		path     string
		body     string
		wantCode int
		wantErr  openAIError
		wantHdr  map[string]string
	}{
		{
			name: "unknown model", path: "/chat/completions", body: `{"model":"gpt-9","messages":[]}`, wantCode: 404,
			wantErr: openAIError{Message: "The model `gpt-9` does not exist or you do not have access to it.", Type: "invalid_request_error", Code: pstr("model_not_found")},
		},
		{
			name: "no model", path: "/chat/completions", body: `{"messages":[]}`, wantCode: 400,
			wantErr: openAIError{Message: "you must provide a model parameter", Type: "invalid_request_error"},
		},
		{
			name: "no messages", path: "/chat/completions", body: `{"model":"gpt-4o-mini","messages":[]}`, wantCode: 400,
			wantErr: openAIError{Message: "[] is too short - 'messages'", Type: "invalid_request_error", Param: pstr("messages"), Code: pstr("empty_array")},
		},
		{
			name: "rate limited", path: "/chat/completions", body: chatBody, wantCode: 429,
			opts:    []Option{WithStatus(429, "Rate limit reached"), WithRetryAfter(20), WithOpenAIRetryAfterMillis(20500), WithOpenAIRateLimitReset(20*time.Second, time.Second)},
			wantErr: openAIError{Message: "Rate limit reached", Type: "requests", Code: pstr("rate_limit_exceeded")},
			wantHdr: map[string]string{"retry-after": "20", "retry-after-ms": "20500", "x-ratelimit-remaining-requests": "0",
				"x-ratelimit-limit-requests": "500", "x-ratelimit-reset-requests": "20s", "x-ratelimit-reset-tokens": "1s"},
		},
		{
			name: "context too long", path: "/chat/completions", body: chatBody, wantCode: 400,
			opts:    []Option{WithStatus(400, "This model's maximum context length is 128000 tokens."), WithOpenAIErrorCode("context_length_exceeded")},
			wantErr: openAIError{Message: "This model's maximum context length is 128000 tokens.", Type: "invalid_request_error", Code: pstr("context_length_exceeded")},
		},
		{
			name: "server error", path: "/chat/completions", body: chatBody, wantCode: 500,
			opts:    []Option{WithStatus(500, "The server had an error while processing your request.")},
			wantErr: openAIError{Message: "The server had an error while processing your request.", Type: "server_error"},
		},
		{
			name: "embeddings fail too", path: "/embeddings", body: `{"model":"gpt-4o-mini","input":"x"}`, wantCode: 503,
			opts:    []Option{WithStatus(503, "The engine is currently overloaded, please try again later")},
			wantErr: openAIError{Message: "The engine is currently overloaded, please try again later", Type: "server_error"},
		},
		{
			name: "unknown path", path: "/nothing", body: `{}`, wantCode: 404,
			wantErr: openAIError{Message: "Invalid URL (POST /v1/nothing)", Type: "invalid_request_error"},
		},
		{
			name: "bad json", path: "/chat/completions", body: `{"model":`, wantCode: 400,
			wantErr: openAIError{Message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)", Type: "invalid_request_error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOpenAI(t, tt.opts...)
			resp := post(t, o.URL()+tt.path, tt.body)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if !strings.HasPrefix(string(body), "{\n    \"error\": {\n        \"message\": ") {
				t.Errorf("body is not OpenAI's pretty-printed error: %q", body)
			}
			var got struct{ Error openAIError }
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantErr, got.Error); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			for k, v := range tt.wantHdr {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestOpenAIGatewayErrors(t *testing.T) {
	const msg = "Insufficient credits. Add more using https://openrouter.ai/settings/credits"
	o := NewOpenAI(t, WithStatus(402, msg), WithOpenAIGatewayErrors())
	resp := post(t, o.URL()+"/chat/completions", chatBody)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 402 {
		t.Errorf("status = %d, want 402", resp.StatusCode)
	}
	want := `{"error":{"code":402,"message":"` + msg + `"}}`
	if string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
}

func TestOpenAIBearerKey(t *testing.T) {
	o := NewOpenAI(t, WithOpenAIKey("sk-test-0123456789"))
	tests := []struct {
		name, auth string
		wantStatus int
		wantCode   *string
		wantMsg    string // prefix
	}{
		{"right key", "Bearer sk-test-0123456789", 200, nil, ""},
		{"no key", "", 401, nil, "You didn't provide an API key."},
		{"wrong key", "Bearer sk-wrong-9876543210", 401, pstr("invalid_api_key"), "Incorrect API key provided: sk-************3210."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", o.URL()+"/models", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 200 {
				return
			}
			var got struct{ Error openAIError }
			json.NewDecoder(resp.Body).Decode(&got)
			if !strings.HasPrefix(got.Error.Message, tt.wantMsg) || !cmp.Equal(tt.wantCode, got.Error.Code) {
				t.Errorf("error = %q code %v, want prefix %q code %v", got.Error.Message, got.Error.Code, tt.wantMsg, tt.wantCode)
			}
		})
	}
	var keys []string
	for _, r := range o.Requests() {
		keys = append(keys, r.APIKey)
	}
	if diff := cmp.Diff([]string{"sk-test-0123456789", "", "sk-wrong-9876543210"}, keys); diff != "" {
		t.Errorf("recorded keys (-want +got):\n%s", diff)
	}
}

func TestOpenAIStreamEndings(t *testing.T) {
	tests := []struct {
		name    string
		opt     Option
		want    []string // event kinds: role, text, finish, usage, error, bad, done
		wantErr bool     // a broken body, not a clean end
	}{
		{"complete", WithReply("a", "b"), []string{"role", "a", "b", "finish", "usage", "done"}, false},
		{"broken", WithBrokenStream(1), []string{"role", "a"}, true},
		{"broken at start", WithBrokenStream(0), []string{"role"}, true},
		{"truncated", WithTruncatedStream(1), []string{"role", "a"}, false},
		{"truncated past end", WithTruncatedStream(9), []string{"role", "a", "b", "finish", "usage"}, false},
		{"stream error", WithStreamError(1, "boom"), []string{"role", "a", "error"}, false},
		{"malformed", WithOpenAIMalformedChunk(1), []string{"role", "a", "bad", "b", "finish", "usage", "done"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOpenAI(t, WithReply("a", "b"), tt.opt)
			resp := post(t, o.URL()+"/chat/completions", chatBody)
			events, err := readEvents(t, resp.Body)
			if tt.wantErr {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("read error = %v, want unexpected EOF or reset", err)
				}
			} else if err != nil {
				t.Errorf("read error = %v, want a clean end", err)
			}
			var got []string
			for _, e := range events {
				var c map[string]any
				switch {
				case e == "[DONE]":
					got = append(got, "done")
				case json.Unmarshal([]byte(e), &c) != nil:
					got = append(got, "bad")
				case c["error"] != nil:
					if c["error"].(map[string]any)["message"] != "boom" {
						t.Errorf("error event = %v", c)
					}
					got = append(got, "error")
				case len(c["choices"].([]any)) == 0:
					got = append(got, "usage")
				default:
					d, fin := delta(t, c)
					switch {
					case d["role"] != nil:
						got = append(got, "role")
					case fin != nil:
						got = append(got, "finish")
					default:
						got = append(got, d["content"].(string))
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenAIPause(t *testing.T) {
	release := make(chan struct{})
	o := NewOpenAI(t, WithReply("a", "b"), WithPause(0, release))
	resp := post(t, o.URL()+"/chat/completions", chatBody)
	<-o.Paused()
	// The role chunk is out before the pause: a slow first token.
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, `"role":"assistant"`) {
		t.Fatalf("first line %q, %v; want the role chunk", line, err)
	}
	close(release)
	events, err := readEvents(t, br)
	if err != nil || len(events) != 5 {
		t.Fatalf("after release got %q, %v; want 5 events", events, err)
	}
}

// TestOpenAIWaitsEndWithClient checks that a server told to wait frees its
// handler when the client leaves (else the test's cleanup would hang), and
// that the wait happens where it should.
func TestOpenAIWaitsEndWithClient(t *testing.T) {
	tests := []struct {
		name        string
		opt         Option
		wantHeaders bool
	}{
		{"latency before headers", WithOpenAILatency(time.Hour), false},
		{"slow first token", WithOpenAIFirstTokenDelay(time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOpenAI(t, tt.opt)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", o.URL()+"/chat/completions", strings.NewReader(chatBody))
			type result struct {
				headers bool
				err     error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					done <- result{false, err}
					return
				}
				defer resp.Body.Close()
				br := bufio.NewReader(resp.Body)
				br.ReadString('\n') // the role chunk
				cancel()
				_, err = io.ReadAll(br)
				done <- result{true, err}
			}()
			if !tt.wantHeaders {
				// Nothing will come: poll until the request is in, then leave.
				for len(o.Requests()) == 0 {
					select {
					case <-time.After(time.Millisecond):
					case r := <-done:
						t.Fatalf("request ended early: %+v", r)
					}
				}
				cancel()
			}
			r := <-done
			if r.headers != tt.wantHeaders || !errors.Is(r.err, context.Canceled) {
				t.Errorf("got headers=%v err=%v; want headers=%v and context.Canceled", r.headers, r.err, tt.wantHeaders)
			}
		})
	}
}

func TestOpenAIShortLatency(t *testing.T) {
	o := NewOpenAI(t, WithOpenAILatency(20*time.Millisecond))
	start := time.Now()
	resp := post(t, o.URL()+"/chat/completions", chatBody)
	io.Copy(io.Discard, resp.Body)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("answered after %v, want at least 20ms", d)
	}
}

func TestOpenAIModels(t *testing.T) {
	created := time.Date(2024, 7, 18, 0, 0, 0, 0, time.UTC)
	o := NewOpenAI(t, WithModels(Model{Name: "gpt-4o-mini", ModifiedAt: created}, Model{Name: "text-embedding-3-small", ModifiedAt: created.Add(-time.Hour)}))
	resp, err := http.Get(o.URL() + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list map[string]any
	json.NewDecoder(resp.Body).Decode(&list)
	want := map[string]any{"object": "list", "data": []any{
		map[string]any{"id": "gpt-4o-mini", "object": "model", "created": float64(created.Unix()), "owned_by": "system"},
		map[string]any{"id": "text-embedding-3-small", "object": "model", "created": float64(created.Add(-time.Hour).Unix()), "owned_by": "system"},
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	one, err := http.Get(o.URL() + "/models/gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	defer one.Body.Close()
	var m map[string]any
	json.NewDecoder(one.Body).Decode(&m)
	if m["id"] != "gpt-4o-mini" {
		t.Errorf("model = %v", m)
	}
}

func TestOpenAIEmbeddings(t *testing.T) {
	o := NewOpenAI(t, WithOpenAIEmbeddingDims(4))
	type response struct {
		Data []struct {
			Index     int
			Embedding json.RawMessage
		}
		Model string
	}
	get := func(body string) response {
		t.Helper()
		resp := post(t, o.URL()+"/embeddings", body)
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		var r response
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	floats := get(`{"model":"gpt-4o-mini","input":["a","b"]}`)
	if len(floats.Data) != 2 || floats.Data[1].Index != 1 {
		t.Fatalf("data = %+v", floats.Data)
	}
	var v []float32
	if err := json.Unmarshal(floats.Data[0].Embedding, &v); err != nil || len(v) != 4 {
		t.Fatalf("embedding %s: %v", floats.Data[0].Embedding, err)
	}
	if diff := cmp.Diff(fakeEmbedding("a", 4), v); diff != "" {
		t.Errorf("vector (-want +got):\n%s", diff)
	}
	b64 := get(`{"model":"gpt-4o-mini","input":"a","encoding_format":"base64"}`)
	var s string
	json.Unmarshal(b64.Data[0].Embedding, &s)
	if raw, err := base64.StdEncoding.DecodeString(s); err != nil || len(raw) != 16 {
		t.Errorf("base64 embedding %q: %d bytes, %v", s, len(raw), err)
	}
	resp := post(t, o.URL()+"/embeddings", `{"model":"nope","input":"a"}`)
	if resp.StatusCode != 404 {
		t.Errorf("unknown model: status %d, want 404", resp.StatusCode)
	}
}

func TestOpenAIRecordsConcurrentRequests(t *testing.T) {
	o := NewOpenAI(t)
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := http.Post(o.URL()+"/chat/completions", "application/json", strings.NewReader(
				`{"model":"gpt-4o-mini","stream":true,"temperature":0.5,"max_completion_tokens":7,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`))
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
	c := reqs[0].Chat
	if c == nil {
		t.Fatal("chat request not decoded")
	}
	if c.Model != "gpt-4o-mini" || !c.Stream || *c.Temperature != 0.5 || *c.MaxCompletionTokens != 7 || c.MaxTokens != nil ||
		len(c.Tools) != 1 || c.Tools[0].Function.Name != "f" {
		t.Errorf("request = %+v", c)
	}
	if diff := cmp.Diff([]OpenAIMessage{{"system", "be brief"}, {"user", "hi"}}, c.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
