package ollama

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestGenerateStreams(t *testing.T) {
	tests := []struct {
		name       string
		opts       []providertest.Option
		system     string
		wantChunks []string
		wantResult providers.Result
	}{
		{
			name:       "raw completion",
			opts:       []providertest.Option{providertest.WithReply("\n\t", "fmt.Println", "(\"hi\")"), providertest.WithUsage(4, 3)},
			wantChunks: []string{"\n\t", "fmt.Println", "(\"hi\")"},
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 4, CompletionTokens: 3}, StopReason: "stop"},
		},
		{
			name:       "with a system prompt",
			opts:       []providertest.Option{providertest.WithReply("ok"), providertest.WithUsage(9, 1)},
			system:     "You complete Go code.",
			wantChunks: []string{"ok"},
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 9, CompletionTokens: 1}, StopReason: "stop"},
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
			wantResult: providers.Result{Model: "tiny", Usage: providers.Usage{PromptTokens: 4}, StopReason: "stop"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, res, err := generate(t.Context(), p, "tiny", "func main() {", tt.system)
			if err != nil {
				t.Fatalf("Generate: %v", err)
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

func TestGenerateLoadsOnly(t *testing.T) {
	// An empty prompt makes Ollama load the model and answer at once.
	_, p := startFake(t)
	got, res, err := generate(t.Context(), p, "tiny", "", "")
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(got) != 0 || res.StopReason != "load" {
		t.Errorf("Generate = %q, %+v; want no chunks and stop reason load", got, res)
	}
}

func TestGenerateSendsRequest(t *testing.T) {
	keep := 30 * time.Second
	tests := []struct {
		name   string
		system string
		keep   *time.Duration
		want   api.GenerateRequest
	}{
		{
			name: "raw without a system prompt",
			want: api.GenerateRequest{Model: "tiny", Prompt: "package main\n", Raw: true},
		},
		{
			name:   "templated with a system prompt",
			system: "Complete the code.",
			keep:   &keep,
			want: api.GenerateRequest{Model: "tiny", Prompt: "package main\n", System: "Complete the code.",
				KeepAlive: &api.Duration{Duration: 30 * time.Second}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := providertest.NewOllama(t)
			p, err := New(Config{BaseURL: o.URL(), KeepAlive: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := generate(t.Context(), p, "tiny", "package main\n", tt.system); err != nil {
				t.Fatalf("Generate: %v", err)
			}
			reqs := o.GenerateRequests()
			if len(reqs) != 1 {
				t.Fatalf("server got %d generate requests, want 1", len(reqs))
			}
			got := reqs[0]
			if got.Stream == nil || !*got.Stream {
				t.Errorf("stream = %v, want true", got.Stream)
			}
			got.Stream = nil
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(api.ThinkValue{})); diff != "" {
				t.Errorf("request on the wire (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateUnreachable(t *testing.T) {
	p := newProvider(t, providertest.Unreachable(t))
	_, _, err := generate(t.Context(), p, "tiny", "x", "")
	if k := providers.KindOf(err); k != providers.KindUnavailable {
		t.Errorf("KindOf(%v) = %q, want %q", err, k, providers.KindUnavailable)
	}
}
