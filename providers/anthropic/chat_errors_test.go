package anthropic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestChatHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		opts     []providertest.Option
		model    string
		wantKind providers.ErrorKind
		wantCode int
		wantMsg  string
	}{
		{"bad key", []providertest.Option{providertest.WithAnthropicKey("sk-other")}, testModel,
			providers.KindAuth, 401, "invalid x-api-key (the API key was refused; to give another: set ANTHROPIC_API_KEY)"},
		{"permission", []providertest.Option{providertest.WithStatus(403, "Your API key does not have permission to use the specified resource.")}, testModel,
			providers.KindAuth, 403, "Your API key does not have permission to use the specified resource."},
		{"billing", []providertest.Option{providertest.WithStatus(402, "Your credit balance is too low to access the Anthropic API.")}, testModel,
			providers.KindAuth, 402, "Your credit balance is too low to access the Anthropic API. (the account is out of credit: add credit or check its billing settings)"},
		{"rate limited", []providertest.Option{providertest.WithStatus(429, "This request would exceed the rate limit for your organization")}, testModel,
			providers.KindRateLimited, 429, "This request would exceed the rate limit for your organization"},
		{"overloaded", []providertest.Option{providertest.WithStatus(529, "Overloaded")}, testModel,
			providers.KindOverloaded, 529, "Overloaded"},
		{"bad request", []providertest.Option{providertest.WithStatus(400, "messages: at least one message is required")}, testModel,
			providers.KindBadRequest, 400, "messages: at least one message is required"},
		{"prompt too long", []providertest.Option{providertest.WithStatus(400, "prompt is too long: 210000 tokens > 200000 maximum")}, testModel,
			providers.KindContextTooLong, 400, "prompt is too long: 210000 tokens > 200000 maximum"},
		{"too large", []providertest.Option{providertest.WithStatus(413, "Request exceeds the maximum allowed number of bytes.")}, testModel,
			providers.KindBadRequest, 413, "Request exceeds the maximum allowed number of bytes."},
		{"api error", []providertest.Option{providertest.WithStatus(500, "Internal server error")}, testModel,
			providers.KindUnavailable, 500, "Internal server error"},
		{"gateway", []providertest.Option{providertest.WithStatus(502, "")}, testModel,
			providers.KindUnavailable, 502, "502 Bad Gateway"},
		// Anthropic's SDK retries 408 and 409: sent again, such a request
		// may well succeed, so it is not the caller's bad request.
		{"request timeout", []providertest.Option{providertest.WithStatus(408, "Request Timeout")}, testModel,
			providers.KindUnavailable, 408, "Request Timeout"},
		{"conflict", []providertest.Option{providertest.WithStatus(409, "")}, testModel,
			providers.KindUnavailable, 409, "409 Conflict"},
		{"unknown model", nil, "claude-nope",
			providers.KindNotFound, 404, "model: claude-nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			got, _, err := chat(t.Context(), p, userRequest(tt.model))
			pe := asProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.StatusCode != tt.wantCode || pe.Message != tt.wantMsg || pe.Provider != "anthropic" {
				t.Errorf("got %s %d %q from %q, want %s %d %q", pe.Kind, pe.StatusCode, pe.Message, pe.Provider, tt.wantKind, tt.wantCode, tt.wantMsg)
			}
			if len(got) != 0 {
				t.Errorf("got chunks %v", got)
			}
			if id := RequestID(err); !strings.HasPrefix(id, "req_") {
				t.Errorf("RequestID = %q, want the request-id header", id)
			}
		})
	}
}

// TestChatCreditBalanceTooLow checks Anthropic's answer to an account whose
// credit has run out, a 400 invalid_request_error: it must be KindAuth,
// which the router fails over from, not KindBadRequest, which it does not,
// and say what to do, but not that a key is missing.
func TestChatCreditBalanceTooLow(t *testing.T) {
	const advice = " (the account is out of credit: add credit or check its billing settings)"
	tests := []struct {
		name    string
		msg     string
		noKey   bool
		wantMsg string
	}{
		{"as Anthropic words it", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.", false,
			"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."},
		{"cut short", "Your credit balance is too low…", false, "Your credit balance is too low…" + advice},
		{"through a proxy that adds the key", "Your credit balance is too low…", true, "Your credit balance is too low…" + advice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []providertest.Option{providertest.WithStatus(400, tt.msg), providertest.WithAnthropicErrorType("invalid_request_error")}
			a, p := startFake(t, opts...)
			if tt.noKey {
				t.Setenv("ANTHROPIC_API_KEY", "")
				var err error
				if p, err = New(Config{BaseURL: keyAddingProxy(t, a.URL(), testKey)}); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			if pe.Kind != providers.KindAuth || pe.StatusCode != 400 || pe.Message != tt.wantMsg {
				t.Errorf("got %s %d %q, want %s 400 %q", pe.Kind, pe.StatusCode, pe.Message, providers.KindAuth, tt.wantMsg)
			}
		})
	}

	// Other bad requests stay bad requests.
	_, p := startFake(t, providertest.WithStatus(400, "max_tokens: Input should be greater than or equal to 1"))
	_, _, err := chat(t.Context(), p, userRequest(testModel))
	if k := providers.KindOf(err); k != providers.KindBadRequest {
		t.Errorf("a malformed request is %s, want %s", k, providers.KindBadRequest)
	}
}

// keyAddingProxy starts a reverse proxy to target that sends key with every
// request, as a gateway holding the account's key does.
func keyAddingProxy(t *testing.T, target, key string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = tr
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("x-api-key", key)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	return srv.URL
}

func TestChatNotFoundListsModels(t *testing.T) {
	_, p := startFake(t)
	_, _, err := chat(t.Context(), p, userRequest("claude-nope"))
	pe := asProviderError(t, err)
	if diff := cmp.Diff([]string{testModel, "claude-haiku-4-5-20251001"}, pe.Models); diff != "" {
		t.Errorf("Models (-want +got):\n%s", diff)
	}
}

func TestChatWithoutKey(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	a := providertest.NewAnthropic(t)
	p, err := New(Config{BaseURL: a.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	want := "x-api-key header is required (no API key configured: set ANTHROPIC_API_KEY)"
	if pe.Kind != providers.KindAuth || pe.Message != want {
		t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindAuth, want)
	}
}

// Without a key, Anthropic's own API is not asked at all: chat and the
// model list fail at once as auth errors saying how to give a key.
func TestNoKeyOfficialAPI(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_BASE_URL", "")
	p, err := New(Config{Name: "claude", HTTPClient: providertest.NoRequests(t),
		KeyAdvice: "set CLAUDE_KEY or run aiex keys set claude"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, chatErr := chat(t.Context(), p, userRequest(testModel))
	_, modelsErr := p.Models(t.Context())
	want := "no API key configured: set CLAUDE_KEY or run aiex keys set claude"
	for name, err := range map[string]error{"Chat": chatErr, "Models": modelsErr} {
		pe := asProviderError(t, err)
		if pe.Provider != "claude" || pe.Kind != providers.KindAuth || pe.Message != want {
			t.Errorf("%s: got %s %s %q, want claude %s %q", name, pe.Provider, pe.Kind, pe.Message, providers.KindAuth, want)
		}
	}
}

func TestChatRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		opts     []providertest.Option
		min, max time.Duration
	}{
		{"retry-after", []providertest.Option{providertest.WithStatus(429, "slow down"), providertest.WithRetryAfter(30)}, 30 * time.Second, 30 * time.Second},
		// Without retry-after the reset time of the exhausted limit counts;
		// it is RFC 3339 to the second and read a moment later.
		{"ratelimit reset", []providertest.Option{providertest.WithStatus(429, "slow down"), providertest.WithAnthropicRateLimitReset(90 * time.Second)},
			88 * time.Second, 90 * time.Second},
		{"overloaded with retry-after", []providertest.Option{providertest.WithStatus(529, "Overloaded"), providertest.WithRetryAfter(5)}, 5 * time.Second, 5 * time.Second},
		{"none", []providertest.Option{providertest.WithStatus(500, "oops")}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := startFake(t, tt.opts...)
			_, _, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			if pe.RetryAfter < tt.min || pe.RetryAfter > tt.max {
				t.Errorf("RetryAfter = %v, want %v to %v", pe.RetryAfter, tt.min, tt.max)
			}
		})
	}
}

func TestChatStreamErrorEvent(t *testing.T) {
	tests := []struct {
		name     string
		opts     []providertest.Option
		wantKind providers.ErrorKind
	}{
		{"overloaded", nil, providers.KindOverloaded},
		{"api error", []providertest.Option{providertest.WithAnthropicErrorType("api_error")}, providers.KindUnavailable},
		{"rate limit", []providertest.Option{providertest.WithAnthropicErrorType("rate_limit_error")}, providers.KindRateLimited},
		{"unknown type", []providertest.Option{providertest.WithAnthropicErrorType("brand_new_error")}, providers.KindInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := "Overloaded"
			_, p := startFake(t, append([]providertest.Option{providertest.WithReply("a", "b", "c"), providertest.WithUsage(7, 3),
				providertest.WithStreamError(2, msg)}, tt.opts...)...)
			got, res, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			if pe.Kind != tt.wantKind || pe.Message != msg || pe.StatusCode != 0 {
				t.Errorf("got %s %d %q, want %s 0 %q", pe.Kind, pe.StatusCode, pe.Message, tt.wantKind, msg)
			}
			// The text before the error did reach the caller.
			if diff := cmp.Diff([]string{"a", "b"}, texts(got)); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if res.Model != testModel || res.Usage.PromptTokens != 7 {
				t.Errorf("result = %+v, want the model and usage of message_start", res)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != 200 || !strings.HasPrefix(RequestID(err), "req_") {
				t.Errorf("err does not wrap the API's error with the stream's status and the request ID: %#v", pe.Err)
			}
		})
	}
}

func TestChatInterrupted(t *testing.T) {
	tests := []struct {
		name       string
		opt        providertest.Option
		wantChunks []string
		wantMsg    string // the message after "the answer from Anthropic at URL "
		wantErr    bool   // whether Err holds the cause
	}{
		{"truncated", providertest.WithTruncatedStream(2), []string{"a", "b"},
			"ended after 2 chunks without message_stop", false},
		{"truncated after the last chunk", providertest.WithTruncatedStream(10), []string{"a", "b", "c"},
			"ended after 3 chunks without message_stop", false},
		{"broken", providertest.WithBrokenStream(1), []string{"a"},
			"broke off after 1 chunks: unexpected EOF", true},
		{"malformed", providertest.WithAnthropicMalformedEvent(1), []string{"a"},
			"broke off after 1 chunks: an event was not valid JSON: ", true},
		{"reset right after the headers", providertest.WithAnthropicResetAfterEvents(0), nil,
			"broke off after 0 chunks: ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, p := startFake(t, providertest.WithReply("a", "b", "c"), tt.opt)
			got, res, err := chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			prefix := fmt.Sprintf("the answer from Anthropic at %s ", a.URL())
			if pe.Kind != providers.KindInterrupted || !strings.HasPrefix(pe.Message, prefix+tt.wantMsg) {
				t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindInterrupted, prefix+tt.wantMsg)
			}
			if (pe.Err != nil) != tt.wantErr {
				t.Errorf("Err = %v, want a cause: %v", pe.Err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantChunks, texts(got)); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
			if res.Model != testModel {
				t.Errorf("result model = %q", res.Model)
			}
		})
	}
}

func TestChatResetMidStream(t *testing.T) {
	// message_start, content_block_start, ping, then two deltas: a reset
	// there may lose data already in flight, so the chunks are a prefix.
	_, p := startFake(t, providertest.WithReply("a", "b", "c"), providertest.WithAnthropicResetAfterEvents(5))
	got, _, err := chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindInterrupted || !strings.Contains(pe.Message, "broke off after") {
		t.Errorf("got %s %q, want interrupted", pe.Kind, pe.Message)
	}
	if txt := strings.Join(texts(got), ""); !strings.HasPrefix("ab", txt) {
		t.Errorf("chunks %q, want a prefix of ab", txt)
	}
}

func TestChatUnreachable(t *testing.T) {
	url := providertest.Unreachable(t)
	p := newProvider(t, url)
	_, _, err := chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	want := fmt.Sprintf("cannot reach Anthropic at %s: connection refused", url)
	if pe.Kind != providers.KindUnavailable || pe.Message != want {
		t.Errorf("got %s %q, want %s %q", pe.Kind, pe.Message, providers.KindUnavailable, want)
	}
	if pe.Err == nil {
		t.Error("Err is nil, want the dial error")
	}
}

func TestErrorsNeverShowTheKey(t *testing.T) {
	// The key also goes in the base URL's user information, where an
	// error message might quote it.
	a := providertest.NewAnthropic(t, providertest.WithStatus(500, "boom"))
	p, err := New(Config{BaseURL: strings.Replace(a.URL(), "http://", "http://user:"+testKey+"@", 1), APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Endpoint(), testKey) {
		t.Errorf("Endpoint() = %q shows the key", p.Endpoint())
	}
	_, _, err = chat(t.Context(), p, userRequest(testModel))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindUnavailable {
		t.Errorf("kind = %s", pe.Kind)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatal("Err is not the API's error")
	}
	// It holds the response's headers, not the request's.
	if ae.Header.Get("request-id") == "" || ae.Header.Get("x-api-key") != "" || ae.Header.Get("Authorization") != "" {
		t.Errorf("the API error's headers are not the response's: %v", ae.Header)
	}
	if all := fmt.Sprintf("%#v %+v", ae, ae.Header); strings.Contains(all, testKey) {
		t.Errorf("the API error shows the key:\n%s", all)
	}
	_, err = New(Config{BaseURL: "ftp://user:" + testKey + "@example.com"})
	assertNoKey(t, err)
	_, err = New(Config{BaseURL: "http://user:" + testKey + "@exa mple.com"})
	assertNoKey(t, err)
}

// A proxy may keep the connection open after the answer's message_stop: the
// answer is whole then, and Chat returns it without waiting for the close.
func TestChatReturnsAtMessageStop(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range []string{
			`event: message_start` + "\n" + `data: {"type":"message_start","message":{"id":"msg_1","model":"` + testModel + `","usage":{"input_tokens":3,"output_tokens":1}}}`,
			`event: content_block_start` + "\n" + `data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
			`event: content_block_delta` + "\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`,
			`event: content_block_stop` + "\n" + `data: {"type":"content_block_stop","index":0}`,
			`event: message_delta` + "\n" + `data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`,
			`event: message_stop` + "\n" + `data: {"type":"message_stop"}`,
		} {
			io.WriteString(w, ev+"\n\n")
		}
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	p, err := New(Config{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	chunks, res, err := chat(ctx, p, userRequest(testModel))
	if err != nil || len(chunks) != 1 || chunks[0].Text != "hi" || res.StopReason != "end_turn" {
		t.Fatalf("chat = %+v, %+v, %v; want the whole answer at once", chunks, res, err)
	}
}

// TestNotFoundModelWithListThatHangs checks that a server whose model list
// never answers does not hold the 404 it was to complete: the list gets a
// bounded share of the caller's time (providers.ListContext).
func TestNotFoundModelWithListThatHangs(t *testing.T) {
	_, p := startFake(t, providertest.WithListLatency(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, _, err := chat(ctx, p, userRequest("claude-nope"))
	pe := asProviderError(t, err)
	if pe.Kind != providers.KindNotFound || pe.StatusCode != 404 || ctx.Err() != nil {
		t.Fatalf("err = %v, want the 404 (not_found) before the caller's deadline", err)
	}
}
