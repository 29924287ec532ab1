package ollama

import (
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

func TestToChatRequest(t *testing.T) {
	temp := 0.0
	keep := -time.Second
	tests := []struct {
		name string
		req  providers.Request
		keep *time.Duration
		want api.ChatRequest
	}{
		{
			name: "defaults leave options unset",
			req:  providers.Request{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
			want: api.ChatRequest{Model: "m", Messages: []api.Message{{Role: "user", Content: "hi"}}},
		},
		{
			name: "zero temperature is sent",
			req:  providers.Request{Model: "m", Temperature: &temp},
			want: api.ChatRequest{Model: "m", Messages: []api.Message{}, Options: map[string]any{"temperature": 0.0}},
		},
		{
			name: "max tokens and keep alive",
			req:  providers.Request{Model: "m", MaxTokens: 10},
			keep: &keep,
			want: api.ChatRequest{Model: "m", Messages: []api.Message{}, Options: map[string]any{"num_predict": 10},
				KeepAlive: &api.Duration{Duration: -time.Second}},
		},
		{
			// The window the prompt was fitted to is the one the server
			// runs the model with: its default would cut the prompt.
			name: "window",
			req:  providers.Request{Model: "m", Window: 8192},
			want: api.ChatRequest{Model: "m", Messages: []api.Message{}, Options: map[string]any{"num_ctx": 8192}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toChatRequest(tt.req, tt.keep)
			if err != nil {
				t.Fatalf("toChatRequest: %v", err)
			}
			if got.Stream == nil || !*got.Stream {
				t.Errorf("Stream = %v, want true", got.Stream)
			}
			got.Stream = nil
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(api.ThinkValue{})); diff != "" {
				t.Errorf("toChatRequest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToResult(t *testing.T) {
	tests := []struct {
		name         string
		model, asked string
		want         providers.Result
	}{
		{"model from the response", "tiny:latest", "tiny", providers.Result{Model: "tiny:latest", Usage: providers.Usage{PromptTokens: 3, CompletionTokens: 9}, StopReason: "length"}},
		{"model as asked", "", "asked", providers.Result{Model: "asked", Usage: providers.Usage{PromptTokens: 3, CompletionTokens: 9}, StopReason: "length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := toResult(tt.model, "length", api.Metrics{PromptEvalCount: 3, EvalCount: 9, EvalDuration: time.Second}, tt.asked)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("toResult (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContextWindowParsing(t *testing.T) {
	tests := []struct {
		name   string
		info   map[string]any
		params string
		want   int
	}{
		{"trained only", map[string]any{"general.architecture": "llama", "llama.context_length": 4096.0}, "", 4096},
		{"num_ctx smaller", map[string]any{"general.architecture": "llama", "llama.context_length": 4096.0}, "num_ctx                        2048\nstop                           \"</s>\"", 2048},
		{"num_ctx larger is capped", map[string]any{"general.architecture": "llama", "llama.context_length": 4096.0}, "num_ctx 8192", 4096},
		{"no architecture key", map[string]any{"gemma3.context_length": 131072.0}, "", 131072},
		{"nothing known", map[string]any{}, "temperature 0.7", 0},
		{"json.Number", map[string]any{"general.architecture": "x", "x.context_length": jsonNumber("512")}, "", 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := contextWindow(&api.ShowResponse{ModelInfo: tt.info, Parameters: tt.params}); got != tt.want {
				t.Errorf("contextWindow = %d, want %d", got, tt.want)
			}
		})
	}
}

type jsonNumber string

func (n jsonNumber) Int64() (int64, error) {
	var v int64
	for _, c := range n {
		v = v*10 + int64(c-'0')
	}
	return v, nil
}

func TestMapError(t *testing.T) {
	const ep = "http://h:1"
	dial := func(inner error) error {
		return &url.Error{Op: "Post", URL: ep + "/api/chat", Err: &net.OpError{Op: "dial", Net: "tcp", Err: inner}}
	}
	tests := []struct {
		name string
		err  error
		want providers.Error // Provider and Err are checked separately
	}{
		{"refused", dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)),
			providers.Error{Kind: providers.KindUnavailable, Message: "cannot reach Ollama at http://h:1: connection refused"}},
		{"dns", dial(&net.DNSError{Err: "no such host", Name: "h", IsNotFound: true}),
			providers.Error{Kind: providers.KindUnavailable, Message: `cannot reach Ollama at http://h:1: cannot resolve host "h"`}},
		{"timeout", dial(&timeoutError{}),
			providers.Error{Kind: providers.KindUnavailable, Message: "cannot reach Ollama at http://h:1: timed out"}},
		{"closed before answer", &url.Error{Op: "Post", URL: ep, Err: io.EOF},
			providers.Error{Kind: providers.KindUnavailable, Message: "cannot reach Ollama at http://h:1: EOF"}},
		{"404", api.StatusError{StatusCode: 404, Status: "404 Not Found", ErrorMessage: "model 'x' not found"},
			providers.Error{Kind: providers.KindNotFound, StatusCode: 404, Message: "model 'x' not found"}},
		{"404 not ollama", api.StatusError{StatusCode: 404, Status: "404 Not Found", ErrorMessage: "404 page not found"},
			providers.Error{Kind: providers.KindNotFound, StatusCode: 404, Message: "404 page not found"}},
		{"empty message", api.StatusError{StatusCode: 502},
			providers.Error{Kind: providers.KindUnavailable, StatusCode: 502, Message: "502 Bad Gateway"}},
		{"413", api.StatusError{StatusCode: 413, ErrorMessage: "too large"},
			providers.Error{Kind: providers.KindBadRequest, StatusCode: 413, Message: "too large"}},
		{"auth with sign-in", api.AuthorizationError{StatusCode: 401, Status: "401 Unauthorized", SigninURL: "https://signin.test/x"},
			providers.Error{Kind: providers.KindAuth, StatusCode: 401, Message: "Ollama at http://h:1 refused the request: 401 Unauthorized; sign in at https://signin.test/x"}},
		{"stream line", errors.New("an error was encountered while running the model"),
			providers.Error{Kind: providers.KindInterrupted, Message: "Ollama stopped the answer: an error was encountered while running the model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := mapError("p", ep, tt.err)
			if pe.Provider != "p" || !errors.Is(pe, tt.err) {
				t.Errorf("Provider = %q, Err = %v; want p and the original error", pe.Provider, pe.Err)
			}
			got := *pe
			got.Provider, got.Err = "", nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mapError (-want +got):\n%s", diff)
			}
		})
	}
}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "i/o timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }
