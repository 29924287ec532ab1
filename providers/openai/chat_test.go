package openai

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

const model = providertest.DefaultOpenAIModel

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
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 12, CompletionTokens: 5}, StopReason: "stop"},
		},
		{
			name:       "cached prompt tokens",
			opts:       []providertest.Option{providertest.WithReply("x"), providertest.WithUsage(2000, 1), providertest.WithOpenAICachedTokens(1536)},
			wantChunks: []string{"x"},
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 2000, CompletionTokens: 1, CacheReadTokens: 1536}, StopReason: "stop"},
		},
		{
			name:       "empty pieces skipped",
			opts:       []providertest.Option{providertest.WithReply("a", "", "b"), providertest.WithUsage(1, 3)},
			wantChunks: []string{"a", "b"},
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 1, CompletionTokens: 3}, StopReason: "stop"},
		},
		{
			name:       "stopped by length",
			opts:       []providertest.Option{providertest.WithReply("x"), providertest.WithUsage(4, 1), providertest.WithStopReason("length")},
			wantChunks: []string{"x"},
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 4, CompletionTokens: 1}, StopReason: "length"},
		},
		{
			name:       "no text",
			opts:       []providertest.Option{providertest.WithReply(), providertest.WithUsage(4, 0)},
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 4}, StopReason: "stop"},
		},
		{
			name:       "slow first token",
			opts:       []providertest.Option{providertest.WithReply("late"), providertest.WithUsage(1, 1), providertest.WithOpenAIFirstTokenDelay(5 * time.Millisecond)},
			wantChunks: []string{"late"},
			wantResult: providers.Result{Model: model, Usage: providers.Usage{PromptTokens: 1, CompletionTokens: 1}, StopReason: "stop"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, calls, res, err := chat(t.Context(), p, userRequest(model))
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if diff := cmp.Diff(tt.wantChunks, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if calls != nil {
				t.Errorf("tool calls = %v, want none", calls)
			}
			if diff := cmp.Diff(tt.wantResult, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChatToolCalls(t *testing.T) {
	_, p := startFake(t, providertest.WithReply("Let me check."), providertest.WithUsage(30, 20), providertest.WithOpenAIToolCalls(
		providertest.OpenAIToolCall{ID: "call_w", Name: "get_weather", Arguments: []string{`{"city"`, `:"Paris"}`}},
		providertest.OpenAIToolCall{ID: "call_t", Name: "get_time", Arguments: []string{`{}`}},
	))
	text, calls, res, err := chat(t.Context(), p, userRequest(model))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if diff := cmp.Diff([]string{"Let me check."}, text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	want := []providers.ToolCallDelta{
		{Index: 0, ID: "call_w", Name: "get_weather"},
		{Index: 0, Arguments: `{"city"`},
		{Index: 0, Arguments: `:"Paris"}`},
		{Index: 1, ID: "call_t", Name: "get_time"},
		{Index: 1, Arguments: `{}`},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("tool calls (-want +got):\n%s", diff)
	}
	if res.StopReason != "tool_calls" {
		t.Errorf("StopReason = %q, want tool_calls", res.StopReason)
	}
}

func TestChatSendsRequest(t *testing.T) {
	temp := 0.2
	req := providers.Request{
		Model: model,
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "be brief"},
			{Role: providers.RoleUser, Content: "hi"},
			{Role: providers.RoleAssistant, Content: "hello"},
			{Role: providers.RoleUser, Content: "why?"},
		},
		Tools: []providers.Tool{{
			Name: "get_weather", Description: "Weather in a city",
			Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
		}},
		Temperature: &temp,
		MaxTokens:   64,
	}
	type sent struct {
		Auth                string
		Model               string
		Messages            []providertest.OpenAIMessage
		Stream, Usage       bool
		Temperature         float64
		MaxTokens           int
		MaxCompletionTokens int
		Tools               []string
	}
	wantBase := sent{
		Model: model,
		Messages: []providertest.OpenAIMessage{
			{Role: "system", Content: "be brief"}, {Role: "user", Content: "hi"},
			{Role: "assistant", Content: "hello"}, {Role: "user", Content: "why?"},
		},
		Stream: true, Usage: true, Temperature: 0.2,
		Tools: []string{`function get_weather "Weather in a city" {"properties":{"city":{"type":"string"}},"required":["city"],"type":"object"}`},
	}
	tests := []struct {
		name   string
		kind   string
		key    string
		change func(*sent)
	}{
		{"openai", KindOpenAI, testKey, func(s *sent) { s.Auth, s.MaxCompletionTokens = testKey, 64 }},
		{"compatible without key", KindCompatible, "", func(s *sent) { s.MaxTokens = 64 }},
		{"compatible with key", KindCompatible, "local-key", func(s *sent) { s.Auth, s.MaxTokens = "local-key", 64 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OPENAI_API_KEY", "sk-from-env-must-not-leak")
			o := providertest.NewOpenAI(t)
			p := newProvider(t, Config{Kind: tt.kind, BaseURL: o.URL(), APIKey: tt.key})
			if _, _, _, err := chat(t.Context(), p, req); err != nil {
				t.Fatalf("Chat: %v", err)
			}
			reqs := o.Requests()
			if len(reqs) != 1 || reqs[0].Chat == nil {
				t.Fatalf("server got %+v, want one chat request", reqs)
			}
			r := reqs[0].Chat
			got := sent{Auth: reqs[0].APIKey, Model: r.Model, Messages: r.Messages, Stream: r.Stream,
				Usage: r.StreamOptions != nil && r.StreamOptions.IncludeUsage}
			if r.Temperature != nil {
				got.Temperature = *r.Temperature
			}
			if r.MaxTokens != nil {
				got.MaxTokens = *r.MaxTokens
			}
			if r.MaxCompletionTokens != nil {
				got.MaxCompletionTokens = *r.MaxCompletionTokens
			}
			for _, tool := range r.Tools {
				var schema any
				json.Unmarshal(tool.Function.Parameters, &schema)
				b, _ := json.Marshal(schema) // sorted keys
				got.Tools = append(got.Tools, fmt.Sprintf("%s %s %q %s", tool.Type, tool.Function.Name, tool.Function.Description, b))
			}
			want := wantBase
			tt.change(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request on the wire (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChatRejectsBadRequestLocally(t *testing.T) {
	tests := []struct {
		name    string
		req     providers.Request
		wantMsg string
	}{
		{"unknown role", providers.Request{Model: model, Messages: []providers.Message{{Role: "tool", Content: "x"}}},
			`message 0 has unknown role "tool"`},
		{"bad tool schema", providers.Request{Model: model, Messages: []providers.Message{{Role: "user", Content: "x"}},
			Tools: []providers.Tool{{Name: "f", Parameters: json.RawMessage(`[1,2]`)}}},
			`tool "f": parameters are not a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, p := startFake(t)
			_, _, _, err := chat(t.Context(), p, tt.req)
			pe := asProviderError(t, err)
			if pe.Kind != providers.KindBadRequest || !strings.HasPrefix(pe.Message, tt.wantMsg) {
				t.Errorf("err = %s %q, want bad_request %q", pe.Kind, pe.Message, tt.wantMsg)
			}
			if n := len(o.Requests()); n != 0 {
				t.Errorf("server got %d requests, want none", n)
			}
		})
	}
}

func TestChatUnreachable(t *testing.T) {
	url := providertest.Unreachable(t) + "/v1"
	p := newProvider(t, Config{Kind: KindCompatible, BaseURL: url})
	_, _, _, err := chat(t.Context(), p, userRequest(model))
	pe := asProviderError(t, err)
	want := fmt.Sprintf("cannot reach the server at %s: connection refused", url)
	if pe.Kind != providers.KindUnavailable || pe.Message != want {
		t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindUnavailable, want)
	}
	if pe.Err == nil {
		t.Error("Err is nil, want the dial error")
	}
}

func TestChatCallbackErrorAborts(t *testing.T) {
	errStop := errors.New("stop here")
	_, p := startFake(t, providertest.WithReply("a", "b", "c", "d"))
	var got []string
	_, err := p.Chat(t.Context(), userRequest(model), func(c providers.Chunk) error {
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
}

func TestChatContextEnds(t *testing.T) {
	tests := []struct {
		name       string
		opts       []providertest.Option
		ctx        func(context.Context) (context.Context, context.CancelFunc)
		cancelAt   int // cancel after this many chunks; -1: never
		wantErr    error
		wantChunks []string
	}{
		{
			name:     "cancelled mid-stream",
			opts:     []providertest.Option{providertest.WithPause(2, nil)},
			ctx:      context.WithCancel,
			cancelAt: 2, wantErr: context.Canceled, wantChunks: []string{"a", "b"},
		},
		{
			name: "cancelled before",
			opts: []providertest.Option{providertest.WithPause(2, nil)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx, cancel
			},
			cancelAt: -1, wantErr: context.Canceled,
		},
		{
			name: "deadline passed",
			opts: []providertest.Option{providertest.WithPause(2, nil)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithDeadline(ctx, time.Unix(1, 0))
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
		{
			name: "deadline while waiting for headers",
			opts: []providertest.Option{providertest.WithOpenAILatency(time.Hour)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 20*time.Millisecond)
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
		{
			name: "deadline while waiting for the first token",
			opts: []providertest.Option{providertest.WithOpenAIFirstTokenDelay(time.Hour)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 20*time.Millisecond)
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each server holds the stream until the client leaves, so
			// cancelling cannot race with the end of the answer.
			_, p := startFake(t, append([]providertest.Option{providertest.WithReply("a", "b", "c")}, tt.opts...)...)
			ctx, cancel := tt.ctx(t.Context())
			defer cancel()
			var got []string
			_, err := p.Chat(ctx, userRequest(model), func(c providers.Chunk) error {
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
			if diff := cmp.Diff(tt.wantChunks, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChatConcurrent(t *testing.T) {
	o, p := startFake(t, providertest.WithReply("a", "b"))
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			got, _, _, err := chat(t.Context(), p, userRequest(model))
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
