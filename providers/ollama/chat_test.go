package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestChatStreams(t *testing.T) {
	tests := []struct {
		name       string
		opts       []providertest.Option
		wantChunks []string
		wantResult providers.Result
	}{
		{
			name:       "tokens in order",
			opts:       []providertest.Option{providertest.WithReply("The", " sky", " is", " blue", "."), providertest.WithUsage(12, 5)},
			wantChunks: []string{"The", " sky", " is", " blue", "."},
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 12, CompletionTokens: 5}, StopReason: "stop"},
		},
		{
			name:       "empty pieces skipped",
			opts:       []providertest.Option{providertest.WithReply("a", "", "b"), providertest.WithUsage(1, 3)},
			wantChunks: []string{"a", "b"},
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 1, CompletionTokens: 3}, StopReason: "stop"},
		},
		{
			name:       "stopped by length",
			opts:       []providertest.Option{providertest.WithReply("x"), providertest.WithUsage(4, 1), providertest.WithStopReason("length")},
			wantChunks: []string{"x"},
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 4, CompletionTokens: 1}, StopReason: "length"},
		},
		{
			name:       "no text",
			opts:       []providertest.Option{providertest.WithReply(), providertest.WithUsage(4, 0)},
			wantChunks: nil,
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 4}, StopReason: "stop"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, res, err := chat(t.Context(), p, userRequest("tiny"))
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if diff := cmp.Diff(tt.wantChunks, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantResult, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChatSendsRequest(t *testing.T) {
	temp := 0.2
	keep := 10 * time.Minute
	o := providertest.NewOllama(t)
	p, err := New(Config{BaseURL: o.URL(), KeepAlive: &keep})
	if err != nil {
		t.Fatal(err)
	}
	req := providers.Request{
		Model: "tiny",
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "be brief"},
			{Role: providers.RoleUser, Content: "hi"},
			{Role: providers.RoleAssistant, Content: "hello"},
			{Role: providers.RoleUser, Content: "why?"},
		},
		Temperature: &temp,
		MaxTokens:   64,
	}
	if _, _, err := chat(t.Context(), p, req); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	reqs := o.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	type sent struct {
		Model     string
		Messages  [][2]string
		Stream    bool
		Options   map[string]any
		KeepAlive time.Duration
	}
	got := sent{Model: r.Model, Options: r.Options}
	for _, m := range r.Messages {
		got.Messages = append(got.Messages, [2]string{m.Role, m.Content})
	}
	if r.Stream != nil {
		got.Stream = *r.Stream
	}
	if r.KeepAlive != nil {
		got.KeepAlive = r.KeepAlive.Duration
	}
	want := sent{
		Model:     "tiny",
		Messages:  [][2]string{{"system", "be brief"}, {"user", "hi"}, {"assistant", "hello"}, {"user", "why?"}},
		Stream:    true,
		Options:   map[string]any{"temperature": 0.2, "num_predict": 64.0}, // JSON numbers
		KeepAlive: 10 * time.Minute,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request on the wire (-want +got):\n%s", diff)
	}
}

func TestChatUnreachable(t *testing.T) {
	url := providertest.Unreachable(t)
	p := newProvider(t, url)
	_, _, err := chat(t.Context(), p, userRequest("tiny"))
	pe := asProviderError(t, err)
	want := fmt.Sprintf("cannot reach Ollama at %s: connection refused", url)
	if pe.Kind != providers.KindUnavailable || pe.Message != want {
		t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindUnavailable, want)
	}
	if pe.Err == nil {
		t.Error("Err is nil, want the dial error")
	}
}

func TestStreamCallbackErrorAborts(t *testing.T) {
	for _, op := range streamOps() {
		t.Run(op.name, func(t *testing.T) {
			errStop := errors.New("stop here")
			o, p := startFake(t, providertest.WithReply("a", "b", "c", "d"))
			var got []string
			_, err := op.run(t.Context(), p, "tiny", func(c providers.Chunk) error {
				got = append(got, c.Text)
				if len(got) == 2 {
					return errStop
				}
				return nil
			})
			if err != errStop {
				t.Errorf("err = %v, want errStop unchanged", err)
			}
			if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if n := len(o.Requests()) + len(o.GenerateRequests()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
		})
	}
}

func TestStreamContextEnds(t *testing.T) {
	tests := []struct {
		name       string
		ctx        func(context.Context) (context.Context, context.CancelFunc)
		cancelAt   int // cancel after this many chunks; -1: never
		wantErr    error
		wantChunks []string
	}{
		{
			name:     "cancelled mid-stream",
			ctx:      context.WithCancel,
			cancelAt: 2, wantErr: context.Canceled, wantChunks: []string{"a", "b"},
		},
		{
			name: "cancelled before",
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx, cancel
			},
			cancelAt: -1, wantErr: context.Canceled,
		},
		{
			name: "deadline passed",
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithDeadline(ctx, time.Unix(1, 0))
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
	}
	for _, op := range streamOps() {
		for _, tt := range tests {
			t.Run(op.name+"/"+tt.name, func(t *testing.T) {
				// The server holds the stream after two chunks until the client
				// leaves, so cancelling cannot race with the end of the answer.
				_, p := startFake(t, providertest.WithReply("a", "b", "c"), providertest.WithPause(2, nil))
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()
				var got []string
				_, err := op.run(ctx, p, "tiny", func(c providers.Chunk) error {
					got = append(got, c.Text)
					if len(got) == tt.cancelAt {
						cancel()
					}
					return nil
				})
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				if k := providers.KindOf(err); k != "" {
					t.Errorf("err is a provider error of kind %q, want a plain context error", k)
				}
				if want := "ollama: " + op.name + " tiny: "; err != nil && !strings.HasPrefix(err.Error(), want) {
					t.Errorf("err = %q, want it to start with %q", err, want)
				}
				if diff := cmp.Diff(tt.wantChunks, got); diff != "" {
					t.Errorf("chunks (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestChatConcurrent(t *testing.T) {
	o, p := startFake(t, providertest.WithReply("a", "b"))
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			got, _, err := chat(t.Context(), p, userRequest("tiny"))
			if err != nil || strings.Join(got, "") != "ab" {
				t.Errorf("Chat = %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if got := len(o.Requests()); got != n {
		t.Errorf("server got %d requests, want %d", got, n)
	}
}

func TestChatToolCalls(t *testing.T) {
	readTool := providers.Tool{Name: "read", Description: "Read a file.",
		Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"},"from":{"type":"integer"}},"required":["path"]}`)}
	calls := []providertest.OllamaToolCall{
		{ID: "call_k3x9a0bq", Name: "read", Arguments: `{"path":"a.go","from":3}`},
		{Name: "read", Arguments: `{"path":"b.go"}`},
		{Name: "ls"},
	}
	tests := []struct {
		name  string
		reply []string
		tools []providers.Tool
		want  []providers.Chunk
	}{
		{
			name:  "text then calls",
			reply: []string{"Let me", " look."},
			tools: []providers.Tool{readTool, {Name: "ls"}},
			want: []providers.Chunk{
				{Text: "Let me"}, {Text: " look."},
				{ToolCall: &providers.ToolCallDelta{Index: 0, ID: "call_k3x9a0bq", Name: "read", Arguments: `{"path":"a.go","from":3}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 1, ID: "call_1", Name: "read", Arguments: `{"path":"b.go"}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 2, ID: "call_2", Name: "ls", Arguments: `{}`}},
			},
		},
		{
			name:  "calls only",
			tools: []providers.Tool{readTool},
			want: []providers.Chunk{
				{ToolCall: &providers.ToolCallDelta{Index: 0, ID: "call_k3x9a0bq", Name: "read", Arguments: `{"path":"a.go","from":3}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 1, ID: "call_1", Name: "read", Arguments: `{"path":"b.go"}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 2, ID: "call_2", Name: "ls", Arguments: `{}`}},
			},
		},
		{
			name:  "no tools offered, no calls",
			reply: []string{"hi"},
			want:  []providers.Chunk{{Text: "hi"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, p := startFake(t, providertest.WithReply(tt.reply...), providertest.WithOllamaToolCalls(calls...))
			req := userRequest("tiny")
			req.Tools = tt.tools
			var got []providers.Chunk
			res, err := p.Chat(t.Context(), req, func(c providers.Chunk) error {
				got = append(got, c)
				return nil
			})
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if res.StopReason != "stop" {
				t.Errorf("StopReason = %q, want Ollama's %q", res.StopReason, "stop")
			}
			sent := o.Requests()[0].Tools
			if len(sent) != len(tt.tools) {
				t.Fatalf("sent %d tools, want %d", len(sent), len(tt.tools))
			}
			for i, st := range sent {
				if st.Type != "function" || st.Function.Name != tt.tools[i].Name {
					t.Errorf("tool %d sent as %v", i, st)
				}
			}
		})
	}
}

func TestChatSendsTools(t *testing.T) {
	o, p := startFake(t)
	req := userRequest("tiny")
	req.Tools = []providers.Tool{{Name: "read", Description: "Read a file.",
		Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string","description":"which"},"mode":{"type":"string","enum":["r","w"]}},"required":["path"]}`)}}
	if _, _, err := chat(t.Context(), p, req); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	// The fake decoded the body into api.ChatRequest as Ollama does;
	// encoded again it shows what the server understood, in order.
	got, err := json.Marshal(o.Requests()[0].Tools)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type":"function","function":{"name":"read","description":"Read a file.","parameters":{"type":"object","required":["path"],` +
		`"properties":{"path":{"type":"string","description":"which"},"mode":{"type":"string","enum":["r","w"]}}}}}]`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("tools as the server read them (-want +got):\n%s", diff)
	}
}

func TestChatBadToolSchema(t *testing.T) {
	o, p := startFake(t)
	req := userRequest("tiny")
	req.Tools = []providers.Tool{{Name: "read", Parameters: json.RawMessage(`["path"]`)}}
	_, _, err := chat(t.Context(), p, req)
	pe := asProviderError(t, err)
	want := `tool "read": parameters are not a JSON Schema object: got ["path"]`
	if pe.Kind != providers.KindBadRequest || pe.Message != want || pe.Provider != "ollama" {
		t.Errorf("got %s %q from %q, want %s %q", pe.Kind, pe.Message, pe.Provider, providers.KindBadRequest, want)
	}
	if n := len(o.Requests()); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}
