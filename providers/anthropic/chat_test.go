package anthropic

import (
	"context"
	"encoding/json"
	"errors"
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
		wantChunks []providers.Chunk
		wantResult providers.Result
	}{
		{
			name:       "text in order",
			opts:       []providertest.Option{providertest.WithReply("The", " sky", " is", " blue", "."), providertest.WithUsage(12, 5)},
			wantChunks: []providers.Chunk{{Text: "The"}, {Text: " sky"}, {Text: " is"}, {Text: " blue"}, {Text: "."}},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 12, CompletionTokens: 5}, StopReason: "end_turn"},
		},
		{
			name: "cache tokens count as prompt",
			opts: []providertest.Option{providertest.WithReply("ok"), providertest.WithUsage(20, 1),
				providertest.WithAnthropicCacheTokens(3000, 150)},
			wantChunks: []providers.Chunk{{Text: "ok"}},
			wantResult: providers.Result{Model: testModel, StopReason: "end_turn", Usage: providers.Usage{
				PromptTokens: 3170, CompletionTokens: 1, CacheReadTokens: 3000, CacheWriteTokens: 150}},
		},
		{
			name:       "empty pieces skipped",
			opts:       []providertest.Option{providertest.WithReply("a", "", "b"), providertest.WithUsage(1, 3)},
			wantChunks: []providers.Chunk{{Text: "a"}, {Text: "b"}},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 1, CompletionTokens: 3}, StopReason: "end_turn"},
		},
		{
			name:       "stopped by length",
			opts:       []providertest.Option{providertest.WithReply("x"), providertest.WithUsage(4, 1), providertest.WithStopReason("max_tokens")},
			wantChunks: []providers.Chunk{{Text: "x"}},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 4, CompletionTokens: 1}, StopReason: "max_tokens"},
		},
		{
			name:       "no text",
			opts:       []providertest.Option{providertest.WithReply(), providertest.WithUsage(4, 0)},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 4}, StopReason: "end_turn"},
		},
		{
			name: "tool calls after text",
			opts: []providertest.Option{
				providertest.WithReply("Checking."),
				providertest.WithUsage(30, 9),
				providertest.WithAnthropicToolUse(
					providertest.AnthropicToolUse{ID: "toolu_a", Name: "get_weather", Input: []string{"", `{"city"`, `: "Paris"}`}},
					providertest.AnthropicToolUse{ID: "toolu_b", Name: "now"},
				),
			},
			wantChunks: []providers.Chunk{
				{Text: "Checking."},
				{ToolCall: &providers.ToolCallDelta{Index: 1, ID: "toolu_a", Name: "get_weather"}},
				{ToolCall: &providers.ToolCallDelta{Index: 1, Arguments: `{"city"`}},
				{ToolCall: &providers.ToolCallDelta{Index: 1, Arguments: `: "Paris"}`}},
				{ToolCall: &providers.ToolCallDelta{Index: 2, ID: "toolu_b", Name: "now"}},
			},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 30, CompletionTokens: 9}, StopReason: "tool_use"},
		},
		{
			name: "only a tool call",
			opts: []providertest.Option{
				providertest.WithReply(),
				providertest.WithUsage(5, 2),
				providertest.WithAnthropicToolUse(providertest.AnthropicToolUse{ID: "toolu_c", Name: "ls", Input: []string{`{}`}}),
			},
			wantChunks: []providers.Chunk{
				{ToolCall: &providers.ToolCallDelta{Index: 0, ID: "toolu_c", Name: "ls"}},
				{ToolCall: &providers.ToolCallDelta{Index: 0, Arguments: `{}`}},
			},
			wantResult: providers.Result{Model: testModel, Usage: providers.Usage{PromptTokens: 5, CompletionTokens: 2}, StopReason: "tool_use"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, res, err := chat(t.Context(), p, userRequest(testModel))
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
	a, p := startFake(t)
	req := providers.Request{
		Model: testModel,
		Messages: []providers.Message{
			{Role: providers.RoleSystem, Content: "be brief"},
			{Role: providers.RoleUser, Content: "hi"},
			{Role: providers.RoleAssistant, Content: "hello"},
			{Role: providers.RoleSystem, Content: "use metric units"},
			{Role: providers.RoleUser, Content: "how far is it?"},
			{Role: providers.RoleAssistant, Content: ""},
		},
		Tools: []providers.Tool{{
			Name:        "distance",
			Description: "Distance between two places",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"from":{"type":"string"}},"required":["from"],"additionalProperties":false}`),
		}},
		Temperature: &temp,
		MaxTokens:   64,
	}
	if _, _, err := chat(t.Context(), p, req); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	reqs := a.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	type sent struct {
		Model, System, Version, Key, Authorization string
		ContentType, Accept                        string
		MaxTokens                                  int
		Stream                                     bool
		Temperature                                *float64
		Messages                                   []providertest.AnthropicMessage
		Tools                                      []providertest.AnthropicTool
	}
	got := sent{
		Model: r.Model, System: r.System, MaxTokens: r.MaxTokens, Stream: r.Stream, Temperature: r.Temperature,
		Messages: r.Messages, Tools: r.Tools,
		Version: r.Header.Get("anthropic-version"), Key: r.Header.Get("x-api-key"), Authorization: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), Accept: r.Header.Get("Accept"),
	}
	want := sent{
		Model:       testModel,
		System:      "be brief\n\nuse metric units",
		Version:     "2026-10-21",
		Key:         testKey,
		ContentType: "application/json",
		Accept:      "text/event-stream",
		MaxTokens:   64,
		Stream:      true,
		Messages: []providertest.AnthropicMessage{
			{Role: "user", Text: "hi"}, {Role: "assistant", Text: "hello"}, {Role: "user", Text: "how far is it?"},
		},
		Tools: []providertest.AnthropicTool{{
			Name:        "distance",
			Description: "Distance between two places",
			InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"from":{"type":"string"}},"required":["from"],"type":"object"}`),
		}},
	}
	normalize := cmp.Transformer("json", func(m json.RawMessage) any {
		var v any
		json.Unmarshal(m, &v)
		return v
	})
	if diff := cmp.Diff(want, got, normalize); diff != "" {
		t.Errorf("request on the wire (-want +got):\n%s", diff)
	}
}

func TestChatDefaultMaxTokens(t *testing.T) {
	a, p := startFake(t, providertest.WithModels(
		providertest.Model{Name: "claude-3-5-haiku-20241022"},
		providertest.Model{Name: "claude-opus-4-6"},
		providertest.Model{Name: "claude-unknown-9"},
	))
	for _, model := range []string{"claude-3-5-haiku-20241022", "claude-opus-4-6", "claude-unknown-9"} {
		if _, _, err := chat(t.Context(), p, userRequest(model)); err != nil {
			t.Fatalf("Chat %s: %v", model, err)
		}
	}
	var got []int
	for _, r := range a.Requests() {
		got = append(got, r.MaxTokens)
	}
	if diff := cmp.Diff([]int{8192, 32000, 8192}, got); diff != "" {
		t.Errorf("max_tokens sent (-want +got):\n%s", diff)
	}
}

func TestChatRejectsBadRequestsLocally(t *testing.T) {
	tests := []struct {
		name    string
		req     providers.Request
		wantMsg string
	}{
		{"unknown role", providers.Request{Model: testModel, Messages: []providers.Message{{Role: "tool", Content: "x"}}},
			`message 0 has role "tool"; want system, user or assistant`},
		{"schema not an object", providers.Request{Model: testModel, Tools: []providers.Tool{{Name: "f", Parameters: json.RawMessage(`[1]`)}}},
			`tool "f": parameters are not a JSON Schema object`},
		{"schema of another type", providers.Request{Model: testModel, Tools: []providers.Tool{{Name: "f", Parameters: json.RawMessage(`{"type":"string"}`)}}},
			`tool "f": parameters schema has type "string"; Anthropic takes only "object"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, p := startFake(t)
			_, _, err := chat(t.Context(), p, tt.req)
			pe := asProviderError(t, err)
			if pe.Kind != providers.KindBadRequest || !strings.HasPrefix(pe.Message, tt.wantMsg) {
				t.Errorf("got %s %q, want %s %q…", pe.Kind, pe.Message, providers.KindBadRequest, tt.wantMsg)
			}
			if n := len(a.Requests()); n != 0 {
				t.Errorf("server got %d requests, want none", n)
			}
		})
	}
}

func TestChatCallbackErrorAborts(t *testing.T) {
	errStop := errors.New("stop here")
	_, p := startFake(t, providertest.WithReply("a", "b", "c", "d"))
	var got []string
	_, err := p.Chat(t.Context(), userRequest(testModel), func(c providers.Chunk) error {
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
			name: "cancelled mid-stream",
			// The server holds the stream after two chunks until the client
			// leaves, so cancelling cannot race with the end of the answer.
			opts:     []providertest.Option{providertest.WithPause(2, nil)},
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
		{
			name: "deadline while waiting for headers",
			opts: []providertest.Option{providertest.WithAnthropicLatency(time.Hour)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 100*time.Millisecond)
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
		{
			name: "deadline while waiting for the first token",
			opts: []providertest.Option{providertest.WithAnthropicFirstTokenDelay(time.Hour)},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 100*time.Millisecond)
			},
			cancelAt: -1, wantErr: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, append([]providertest.Option{providertest.WithReply("a", "b", "c")}, tt.opts...)...)
			ctx, cancel := tt.ctx(t.Context())
			defer cancel()
			var got []string
			_, err := p.Chat(ctx, userRequest(testModel), func(c providers.Chunk) error {
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
			assertNoKey(t, err)
		})
	}
}

func TestChatConcurrent(t *testing.T) {
	a, p := startFake(t, providertest.WithReply("a", "b"))
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			got, _, err := chat(t.Context(), p, userRequest(testModel))
			if err != nil || strings.Join(texts(got), "") != "ab" {
				t.Errorf("Chat = %v, %v", got, err)
			}
		})
	}
	wg.Wait()
	if got := len(a.Requests()); got != n {
		t.Errorf("server got %d requests, want %d", got, n)
	}
}
