package openai

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestChatErrors(t *testing.T) {
	const endpointPlaceholder = "ENDPOINT"
	three := providertest.WithReply("a", "b", "c")
	tests := []struct {
		name        string
		opts        []providertest.Option
		key         string // "" means testKey
		model       string // "" means the default model
		wantKind    providers.ErrorKind
		wantStatus  int
		wantMessage string // ENDPOINT stands for the server's URL
		wantModels  []string
		wantRetry   time.Duration
		wantUsage   providers.Usage
		// orMessage is also accepted: a socket closed with unread input
		// resets instead of ending.
		orMessage string
		cleanEnd  bool // no underlying error: the stream just stopped
	}{
		{
			name: "wrong key", key: "sk-wrong-key-000000000",
			wantKind: providers.KindAuth, wantStatus: 401,
			wantMessage: "Incorrect API key provided: sk-***************0000. You can find your API key at https://platform.openai.com/account/api-keys. (the API key was refused; to give another: set OPENAI_API_KEY)",
		},
		{
			name:     "forbidden",
			opts:     []providertest.Option{providertest.WithStatus(403, "Country, region, or territory not supported"), providertest.WithOpenAIErrorCode("unsupported_country_region_territory")},
			wantKind: providers.KindAuth, wantStatus: 403, wantMessage: "Country, region, or territory not supported",
		},
		{
			name:  "model not found lists models",
			opts:  []providertest.Option{providertest.WithModels(providertest.Model{Name: "gpt-4o-mini"}, providertest.Model{Name: "gpt-4.1"})},
			model: "gpt-9", wantKind: providers.KindNotFound, wantStatus: 404,
			wantMessage: "The model `gpt-9` does not exist or you do not have access to it.",
			wantModels:  []string{"gpt-4o-mini", "gpt-4.1"},
		},
		{
			name:     "rate limited with retry-after",
			opts:     []providertest.Option{providertest.WithStatus(429, "Rate limit reached for requests"), providertest.WithRetryAfter(7)},
			wantKind: providers.KindRateLimited, wantStatus: 429,
			wantMessage: "Rate limit reached for requests", wantRetry: 7 * time.Second,
		},
		{
			name:     "rate limited with retry-after-ms",
			opts:     []providertest.Option{providertest.WithStatus(429, "slow down"), providertest.WithRetryAfter(7), providertest.WithOpenAIRetryAfterMillis(1500)},
			wantKind: providers.KindRateLimited, wantStatus: 429,
			wantMessage: "slow down", wantRetry: 1500 * time.Millisecond,
		},
		{
			name:     "rate limited with reset headers only",
			opts:     []providertest.Option{providertest.WithStatus(429, "slow down"), providertest.WithOpenAIRateLimitReset(6*time.Minute, 2*time.Second)},
			wantKind: providers.KindRateLimited, wantStatus: 429,
			wantMessage: "slow down", wantRetry: 6 * time.Minute,
		},
		{
			name:     "quota exhausted",
			opts:     []providertest.Option{providertest.WithStatus(429, "You exceeded your current quota, please check your plan and billing details."), providertest.WithOpenAIErrorCode("insufficient_quota")},
			wantKind: providers.KindAuth, wantStatus: 429, wantRetry: time.Second,
			wantMessage: "You exceeded your current quota, please check your plan and billing details.",
		},
		{
			name:     "bad request",
			opts:     []providertest.Option{providertest.WithStatus(400, "Invalid value for 'temperature': must be between 0 and 2.")},
			wantKind: providers.KindBadRequest, wantStatus: 400,
			wantMessage: "Invalid value for 'temperature': must be between 0 and 2.",
		},
		{
			name: "context too long",
			opts: []providertest.Option{providertest.WithStatus(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens."),
				providertest.WithOpenAIErrorCode("context_length_exceeded")},
			wantKind: providers.KindContextTooLong, wantStatus: 400,
			wantMessage: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
		},
		{
			name:     "server error",
			opts:     []providertest.Option{providertest.WithStatus(500, "The server had an error while processing your request. Sorry about that!")},
			wantKind: providers.KindUnavailable, wantStatus: 500,
			wantMessage: "The server had an error while processing your request. Sorry about that!",
		},
		{
			name:     "bad gateway",
			opts:     []providertest.Option{providertest.WithStatus(502, "Bad gateway.")},
			wantKind: providers.KindUnavailable, wantStatus: 502, wantMessage: "Bad gateway.",
		},
		{
			name:     "overloaded",
			opts:     []providertest.Option{providertest.WithStatus(503, "The engine is currently overloaded, please try again later")},
			wantKind: providers.KindOverloaded, wantStatus: 503,
			wantMessage: "The engine is currently overloaded, please try again later",
		},
		{
			// OpenAI's SDK retries 409 (and 408): sent again, such a
			// request may well succeed.
			name:     "conflict",
			opts:     []providertest.Option{providertest.WithStatus(409, "The request could not be completed because of a conflict.")},
			wantKind: providers.KindUnavailable, wantStatus: 409,
			wantMessage: "The request could not be completed because of a conflict.",
		},
		{
			name:     "request timeout",
			opts:     []providertest.Option{providertest.WithStatus(408, "Request timed out.")},
			wantKind: providers.KindUnavailable, wantStatus: 408, wantMessage: "Request timed out.",
		},
		{
			name:     "overloaded 529",
			opts:     []providertest.Option{providertest.WithStatus(529, "Overloaded")},
			wantKind: providers.KindOverloaded, wantStatus: 529, wantMessage: "Overloaded",
		},
		{
			name:        "stream breaks",
			opts:        []providertest.Option{three, providertest.WithBrokenStream(2)},
			wantKind:    providers.KindInterrupted,
			wantMessage: "the answer from OpenAI at ENDPOINT broke off after 2 chunks: unexpected EOF",
			orMessage:   "the answer from OpenAI at ENDPOINT broke off after 2 chunks: connection reset",
		},
		{
			name:     "stream ends mid-answer",
			opts:     []providertest.Option{three, providertest.WithTruncatedStream(2)},
			wantKind: providers.KindInterrupted, cleanEnd: true,
			wantMessage: `the answer from OpenAI at ENDPOINT ended after 2 chunks without its end ("data: [DONE]")`,
		},
		{
			name:     "stream ends without [DONE]",
			opts:     []providertest.Option{three, providertest.WithUsage(5, 3), providertest.WithTruncatedStream(3)},
			wantKind: providers.KindInterrupted, cleanEnd: true, wantUsage: providers.Usage{PromptTokens: 5, CompletionTokens: 3},
			wantMessage: `the answer from OpenAI at ENDPOINT ended after 3 chunks without its end ("data: [DONE]")`,
		},
		{
			name:        "malformed chunk",
			opts:        []providertest.Option{three, providertest.WithOpenAIMalformedChunk(1)},
			wantKind:    providers.KindInterrupted,
			wantMessage: "the answer from OpenAI at ENDPOINT had a malformed chunk after 1 chunks: invalid character '\\n' in string literal",
		},
		{
			name:        "error inside the stream",
			opts:        []providertest.Option{three, providertest.WithStreamError(1, "The server had an error processing your request.")},
			wantKind:    providers.KindInterrupted,
			wantMessage: "OpenAI at ENDPOINT stopped the answer after 1 chunks: The server had an error processing your request.",
		},
		{
			name:        "context length inside the stream",
			opts:        []providertest.Option{three, providertest.WithStreamError(0, "the input length exceeds the context length")},
			wantKind:    providers.KindContextTooLong,
			wantMessage: "OpenAI at ENDPOINT stopped the answer after 0 chunks: the input length exceeds the context length",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, p := startFake(t, tt.opts...)
			if tt.key != "" {
				p = newProvider(t, Config{BaseURL: o.URL(), APIKey: tt.key})
			}
			m := tt.model
			if m == "" {
				m = model
			}
			_, _, res, err := chat(t.Context(), p, userRequest(m))
			pe := asProviderError(t, err)
			got := providers.Error{Provider: pe.Provider, Kind: pe.Kind, StatusCode: pe.StatusCode,
				Message: pe.Message, Models: pe.Models, RetryAfter: pe.RetryAfter}
			want := providers.Error{Provider: "openai", Kind: tt.wantKind, StatusCode: tt.wantStatus,
				Message: strings.ReplaceAll(tt.wantMessage, endpointPlaceholder, o.URL()),
				Models:  tt.wantModels, RetryAfter: tt.wantRetry}
			if alt := strings.ReplaceAll(tt.orMessage, endpointPlaceholder, o.URL()); alt != "" && got.Message == alt {
				want.Message = alt
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if res.Model != m || res.Usage != tt.wantUsage {
				t.Errorf("Result = %+v, want model %q and usage %+v", res, m, tt.wantUsage)
			}
			if providers.KindOf(err) != tt.wantKind {
				t.Errorf("KindOf = %q", providers.KindOf(err))
			}
			if (pe.Err == nil) != tt.cleanEnd {
				t.Errorf("Err = %v, want an underlying error: %v", pe.Err, !tt.cleanEnd)
			}
		})
	}
}

// TestChatOutOfCredit checks that an account without credit is KindAuth,
// which the router fails over from, not KindBadRequest, which it does not,
// and that the message says what to do.
func TestChatOutOfCredit(t *testing.T) {
	const advice = " (the account is out of credit: add credit or check its billing settings)"
	tests := []struct {
		name        string
		opts        []providertest.Option
		wantStatus  int
		wantMessage string
	}{
		{
			name:       "402 in OpenAI's shape",
			opts:       []providertest.Option{providertest.WithStatus(402, "Insufficient credits…")},
			wantStatus: 402, wantMessage: "Insufficient credits…" + advice,
		},
		{
			name: "402 from a gateway",
			opts: []providertest.Option{providertest.WithOpenAIGatewayErrors(),
				providertest.WithStatus(402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits")},
			wantStatus: 402, wantMessage: "Insufficient credits. Add more using https://openrouter.ai/settings/credits" + advice,
		},
		{
			name: "402 for a request the credit cannot cover",
			opts: []providertest.Option{providertest.WithOpenAIGatewayErrors(),
				providertest.WithStatus(402, "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 4000.")},
			wantStatus:  402,
			wantMessage: "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 4000." + advice,
		},
		{
			name: "quota exhausted says what to do already",
			opts: []providertest.Option{providertest.WithStatus(429, "You exceeded your current quota, please check your plan and billing details."),
				providertest.WithOpenAIErrorCode("insufficient_quota")},
			wantStatus: 429, wantMessage: "You exceeded your current quota, please check your plan and billing details.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			_, _, _, err := chat(t.Context(), p, userRequest(model))
			pe := asProviderError(t, err)
			if pe.Kind != providers.KindAuth || pe.StatusCode != tt.wantStatus || pe.Message != tt.wantMessage {
				t.Errorf("got %s %d %q, want %s %d %q", pe.Kind, pe.StatusCode, pe.Message, providers.KindAuth, tt.wantStatus, tt.wantMessage)
			}
		})
	}
}

// TestChatErrorBodies checks error answers from servers that do not write
// OpenAI's error shape. ENDPOINT in a message stands for the base URL.
func TestChatErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantKind    providers.ErrorKind
		wantMessage string
	}{
		{"LM Studio string error", 400, "application/json", `{"error":"No models loaded. Please load a model in the developer page or use the 'lms load' command."}`,
			providers.KindBadRequest, "No models loaded. Please load a model in the developer page or use the 'lms load' command."},
		{"vLLM flat error", 400, "application/json", `{"object":"error","message":"This model's maximum context length is 2048 tokens.","type":"BadRequestError","param":null,"code":400}`,
			providers.KindContextTooLong, "This model's maximum context length is 2048 tokens."},
		{"Ollama not found", 404, "application/json", `{"error":{"message":"model 'x' not found","type":"api_error","param":null,"code":null}}`,
			providers.KindNotFound, "model 'x' not found"},
		{"plain text", 404, "text/plain; charset=utf-8", "404 page not found\n", providers.KindNotFound, "404 Not Found from ENDPOINT (404 page not found)"},
		{"html from a proxy", 502, "text/html", "<html><body>Bad Gateway</body></html>", providers.KindUnavailable, "502 Bad Gateway from ENDPOINT (Bad Gateway)"},
		{"empty", 500, "", "", providers.KindUnavailable, "500 Internal Server Error from ENDPOINT (empty body)"},
		{"JSON of another shape", 422, "application/json", `{"detail":[{"loc":["body","model"],"msg":"field required"}]}`,
			providers.KindBadRequest, `422 Unprocessable Entity from ENDPOINT ({"detail":[{"loc":["body","model"],"msg":"field required"}]})`},
		{"prompt too long in plain text", 400, "text/plain", "the request exceeds the available context size", providers.KindContextTooLong,
			"400 Bad Request from ENDPOINT (the request exceeds the available context size)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/models" {
					// The list is there (empty): the base URL is right.
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, `{"object":"list","data":[]}`)
					return
				}
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			p := newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL + "/v1"})
			_, _, _, err := chat(t.Context(), p, userRequest("x"))
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", p.Endpoint())
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.status || pe.Message != want {
				t.Errorf("got %s %d %q, want %s %d %q", pe.Kind, pe.StatusCode, pe.Message, tt.wantKind, tt.status, want)
			}
		})
	}
}

func TestErrorsNeverCarryTheKey(t *testing.T) {
	const key = "sk-secret-do-not-show-123456"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		// A server that echoes the whole key.
		fmt.Fprintf(w, `{"error":{"message":"bad key %s","type":"invalid_request_error","code":"invalid_api_key"}}`, key)
	}))
	defer srv.Close()
	p := newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL, APIKey: key})
	_, _, _, err := chat(t.Context(), p, userRequest("x"))
	pe := asProviderError(t, err)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", pe), fmt.Sprintf("%#v", pe.Err), p.Endpoint()} {
		if strings.Contains(s, key) {
			t.Errorf("%q contains the key", s)
		}
	}
	if pe.Message != "bad key [redacted]" {
		t.Errorf("Message = %q", pe.Message)
	}
	// The chain keeps what the server said, without the key.
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("no *APIError in %v", err)
	}
	if ae.StatusCode != 401 || ae.Code != "invalid_api_key" || ae.Type != "invalid_request_error" || ae.Message != "bad key [redacted]" {
		t.Errorf("APIError = %+v", ae)
	}
}

// TestWrongBaseURL checks answers that are 200 but not what was asked for:
// LM Studio answers unknown paths with 200 and {"error": "Unexpected
// endpoint or method. …"}, here for a base URL with /v1 twice.
func TestWrongBaseURL(t *testing.T) {
	l := providertest.NewLMStudio(t)
	url := l.URL() + "/v1/v1"
	p := newProvider(t, Config{Kind: KindCompatible, BaseURL: url})

	_, _, _, err := chat(t.Context(), p, userRequest(providertest.DefaultLMStudioModel))
	pe := asProviderError(t, err)
	want := "the server at " + url + " answered with an error instead of a stream: Unexpected endpoint or method. (POST /v1/v1/chat/completions)"
	if pe.Kind != providers.KindBadRequest || pe.StatusCode != 200 || pe.Message != want {
		t.Errorf("Chat: got %s %d %q, want bad_request 200 %q", pe.Kind, pe.StatusCode, pe.Message, want)
	}

	_, err = p.Models(t.Context())
	pe = asProviderError(t, err)
	want = "the server at " + url + " answered with an error instead of a model list: Unexpected endpoint or method. (GET /v1/v1/models)"
	if pe.Kind != providers.KindBadRequest || pe.Message != want {
		t.Errorf("Models: got %s %q, want bad_request %q", pe.Kind, pe.Message, want)
	}
}

func TestChatServerIgnoresStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
	}))
	defer srv.Close()
	p := newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL})
	_, _, _, err := chat(t.Context(), p, userRequest("m"))
	pe := asProviderError(t, err)
	if want := "the server at " + srv.URL + " did not answer with a stream; is the base URL right?"; pe.Kind != providers.KindBadRequest || pe.Message != want {
		t.Errorf("got %s %q, want bad_request %q", pe.Kind, pe.Message, want)
	}
}

// TestChatStreamShapes checks streams written byte by byte as servers may
// write them: what the SSE format allows, and ends that are not clean.
func TestChatStreamShapes(t *testing.T) {
	chunk := func(text string) string {
		return fmt.Sprintf(`data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`+"\n\n", text)
	}
	const (
		finish = `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n"
		done   = "data: [DONE]\n\n"
	)
	tests := []struct {
		name        string
		body        string
		wantText    []string
		wantMessage string // "" means no error; ENDPOINT stands for the server's URL
		wantErr     bool   // an underlying error
	}{
		{name: "comments and events without data are skipped",
			body:     ": keep-alive\n\nevent: ping\n\n" + chunk("hi") + ": keep-alive\n\n" + finish + done,
			wantText: []string{"hi"}},
		{name: "data over several lines",
			body:     "data: {\"choices\":[{\"index\":0,\ndata: \"delta\":{\"content\":\"hi\"}}]}\n\n" + finish + done,
			wantText: []string{"hi"}},
		{name: "CRLF line ends",
			body:     strings.ReplaceAll(chunk("hi")+finish+done, "\n", "\r\n"),
			wantText: []string{"hi"}},
		{name: "cut short inside an event",
			body:        chunk("hi") + `data: {"id":"c","choices":[{"index":0,"delta":{"content":"mo`,
			wantText:    []string{"hi"},
			wantMessage: `the answer from the server at ENDPOINT ended after 1 chunks without its end ("data: [DONE]")`},
		{name: "[DONE] without a finish reason",
			body:        chunk("hi") + done,
			wantText:    []string{"hi"},
			wantMessage: "the answer from the server at ENDPOINT ended after 1 chunks without a finish reason"},
		{name: "event too long",
			body:        "data: \"" + strings.Repeat("x", httpapi.MaxEvent) + "\"\n\n" + finish + done,
			wantMessage: "the answer from the server at ENDPOINT broke off after 0 chunks: bufio.Scanner: token too long",
			wantErr:     true},
		{name: "empty data line",
			body:     "data:\n\n" + chunk("hi") + finish + done,
			wantText: []string{"hi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			p := newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL})
			text, _, _, err := chat(t.Context(), p, userRequest("m"))
			if diff := cmp.Diff(tt.wantText, text); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
			if tt.wantMessage == "" {
				if err != nil {
					t.Fatalf("Chat: %v", err)
				}
				return
			}
			pe := asProviderError(t, err)
			want := strings.ReplaceAll(tt.wantMessage, "ENDPOINT", srv.URL)
			if pe.Kind != providers.KindInterrupted || pe.Message != want || (pe.Err != nil) != tt.wantErr {
				t.Errorf("got %s %q (Err %v), want %s %q (an underlying error: %v)", pe.Kind, pe.Message, pe.Err, providers.KindInterrupted, want, tt.wantErr)
			}
		})
	}
}
