package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The fake OpenAI follows the Chat Completions wire format as api.openai.com
// sends it: SSE events "data: <chat.completion.chunk>\n\n", a first chunk
// carrying the role, one chunk per piece of text or tool-call fragment, a
// chunk with finish_reason and an empty delta, then (when the request asks
// for stream_options.include_usage) a chunk with empty choices and the usage,
// every earlier chunk carrying "usage": null, and finally "data: [DONE]".
// Errors are {"error": {"message", "type", "param", "code"}}, pretty-printed
// with four spaces as OpenAI writes them.
//
// The WithOpenAI… options script the fakes that speak this API, NewOpenAI
// and NewLMStudio; the other fakes ignore them.

// DefaultOpenAIModel is the model a fake OpenAI has unless WithModels says otherwise.
const DefaultOpenAIModel = "gpt-4o-mini"

// OpenAIToolCall is a function call a fake OpenAI streams after the reply's text.
// Its first chunk carries the ID and Name with empty arguments; each piece
// of Arguments follows in a chunk of its own, as OpenAI streams them.
type OpenAIToolCall struct {
	ID        string // "" gives "call_<n>"
	Name      string
	Arguments []string // the JSON arguments text, in the pieces it streams in
}

// OpenAIRequest is a request a fake OpenAI (or LM Studio) received.
type OpenAIRequest struct {
	Method string
	Path   string
	// APIKey is the bearer key of the Authorization header; "" if none.
	APIKey string
	Body   json.RawMessage
	// Chat is the decoded body of a chat completion request; nil otherwise.
	Chat *OpenAIChatRequest
}

// OpenAIChatRequest is the part of a chat completion request the fakes read.
type OpenAIChatRequest struct {
	Model         string          `json:"model"`
	Messages      []OpenAIMessage `json:"messages"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage       bool  `json:"include_usage"`
		IncludeObfuscation *bool `json:"include_obfuscation"`
	} `json:"stream_options"`
	Temperature         *float64     `json:"temperature"`
	MaxTokens           *int         `json:"max_tokens"`
	MaxCompletionTokens *int         `json:"max_completion_tokens"`
	Tools               []OpenAITool `json:"tools"`
}

// OpenAIMessage is one message of a chat request. Content given as an array
// of text parts is joined into one string.
type OpenAIMessage struct {
	Role    string
	Content string
}

// UnmarshalJSON reads content given as a string or as an array of text parts.
func (m *OpenAIMessage) UnmarshalJSON(b []byte) error {
	var raw struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Role = raw.Role
	if len(raw.Content) == 0 || string(raw.Content) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw.Content, &m.Content); err == nil {
		return nil
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw.Content, &parts); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	for _, p := range parts {
		m.Content += p.Text
	}
	return nil
}

// OpenAITool is one tool of a chat request.
type OpenAITool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// openAIKey is the script.ext key of the OpenAI-only settings.
type openAIKey struct{}

// openAIScript holds the settings only the OpenAI-format fakes understand.
type openAIScript struct {
	apiKey         string // required bearer key; "" accepts any or none
	errorCode      string // error.code of WithStatus failures
	retryAfterMs   int
	resetRequests  time.Duration
	resetTokens    time.Duration
	latency        time.Duration // before the response headers
	firstToken     time.Duration // after the role chunk, before the first piece
	malformedAfter int           // pieces before a malformed chunk; -1: never
	toolCalls      []OpenAIToolCall
	cachedTokens   int
	embeddingDims  int
	gatewayErrors  bool // WithStatus failures in the shape gateways write
}

// openAIExt returns the OpenAI settings of s, creating them with defaults.
func openAIExt(s *script) *openAIScript {
	if s.ext == nil {
		s.ext = map[any]any{}
	}
	o, ok := s.ext[openAIKey{}].(*openAIScript)
	if !ok {
		o = &openAIScript{
			resetRequests:  time.Second,
			resetTokens:    6 * time.Millisecond,
			malformedAfter: -1,
			embeddingDims:  8,
		}
		s.ext[openAIKey{}] = o
	}
	return o
}

// WithOpenAIKey makes a fake OpenAI or LM Studio require the header
// "Authorization: Bearer key": a request without one gets OpenAI's 401 "You
// didn't provide an API key", one with another key a 401 with code
// "invalid_api_key" and the key masked in the message.
func WithOpenAIKey(key string) Option {
	return func(s *script) { openAIExt(s).apiKey = key }
}

// WithOpenAIErrorCode sets error.code of WithStatus failures, e.g.
// "context_length_exceeded" or "insufficient_quota"; by default it follows
// from the status (429: "rate_limit_exceeded", others null).
func WithOpenAIErrorCode(code string) Option {
	return func(s *script) { openAIExt(s).errorCode = code }
}

// WithOpenAIGatewayErrors makes WithStatus failures use the error body of
// OpenAI-compatible gateways such as OpenRouter instead of OpenAI's:
// {"error":{"message":"…","code":402}}, with the HTTP status as a number in
// "code" and no "type", as OpenRouter answers an account without credit.
func WithOpenAIGatewayErrors() Option {
	return func(s *script) { openAIExt(s).gatewayErrors = true }
}

// WithOpenAIRetryAfterMillis adds a retry-after-ms header to WithStatus
// failures.
func WithOpenAIRetryAfterMillis(ms int) Option {
	return func(s *script) { openAIExt(s).retryAfterMs = ms }
}

// WithOpenAIRateLimitReset sets the x-ratelimit-reset-requests and
// x-ratelimit-reset-tokens headers a fake OpenAI sends (1s and 6ms by
// default). On a 429 the requests budget is the exhausted one.
func WithOpenAIRateLimitReset(requests, tokens time.Duration) Option {
	return func(s *script) {
		o := openAIExt(s)
		o.resetRequests, o.resetTokens = requests, tokens
	}
}

// WithOpenAILatency makes a fake OpenAI or LM Studio wait d before it
// answers any request (before the response headers), or until the client
// goes away.
func WithOpenAILatency(d time.Duration) Option {
	return func(s *script) { openAIExt(s).latency = d }
}

// WithOpenAIFirstTokenDelay makes a chat stream wait d after its first
// (role) chunk, before the first piece of the reply. Tests that must act at
// that point use WithPause(0, …) instead.
func WithOpenAIFirstTokenDelay(d time.Duration) Option {
	return func(s *script) { openAIExt(s).firstToken = d }
}

// WithOpenAIMalformedChunk makes a chat stream send, after n pieces, an
// event whose JSON is cut short, and then go on as if nothing happened.
func WithOpenAIMalformedChunk(n int) Option {
	return func(s *script) { openAIExt(s).malformedAfter = n }
}

// WithOpenAIToolCalls makes a chat stream the calls after the text, ending
// with finish_reason "tool_calls" unless WithStopReason says otherwise.
func WithOpenAIToolCalls(calls ...OpenAIToolCall) Option {
	return func(s *script) { openAIExt(s).toolCalls = slices.Clone(calls) }
}

// WithOpenAICachedTokens sets usage.prompt_tokens_details.cached_tokens.
func WithOpenAICachedTokens(n int) Option {
	return func(s *script) { openAIExt(s).cachedTokens = n }
}

// WithOpenAIEmbeddingDims sets the length of the vectors /v1/embeddings
// returns (8 by default).
func WithOpenAIEmbeddingDims(n int) Option {
	return func(s *script) { openAIExt(s).embeddingDims = n }
}

// OpenAI is a fake OpenAI API. It serves POST /v1/chat/completions
// (streamed as SSE when "stream": true, else one chat.completion object),
// GET /v1/models, GET /v1/models/{id} and POST /v1/embeddings; other paths
// answer 404 "Invalid URL". It is safe for concurrent use.
type OpenAI struct {
	srv  *httptest.Server
	fake *openAIFake
}

// NewOpenAI starts a fake OpenAI scripted by opts. It stops when t ends.
func NewOpenAI(t testing.TB, opts ...Option) *OpenAI {
	t.Helper()
	f := newOpenAIFake(openAIFlavor{
		ownedBy:     "system",
		listCreated: true,
		extras:      true,
		notFound: func(model string) (int, openAIError) {
			// OpenAI's wording for an unknown or inaccessible model.
			return http.StatusNotFound, openAIError{
				Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model),
				Type:    "invalid_request_error",
				Code:    pstr("model_not_found"),
			}
		},
	}, opts, []Model{{Name: DefaultOpenAIModel}})
	mux := http.NewServeMux()
	f.register(mux)
	mux.HandleFunc("/", f.handle(func(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
		writeOpenAIError(w, http.StatusNotFound, openAIError{
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path),
			Type:    "invalid_request_error",
		})
	}))
	o := &OpenAI{srv: httptest.NewServer(mux), fake: f}
	t.Cleanup(func() {
		// Free paused and waiting handlers first: Close waits for every handler.
		close(f.quit)
		o.srv.Close()
	})
	return o
}

// URL is the API's base URL including /v1, e.g. "http://127.0.0.1:40123/v1",
// as OpenAI clients expect it.
func (o *OpenAI) URL() string { return o.srv.URL + "/v1" }

// Requests returns the requests received so far, in order.
func (o *OpenAI) Requests() []OpenAIRequest { return o.fake.recorded() }

// Paused is closed when a chat stream first reaches the point set by WithPause.
func (o *OpenAI) Paused() <-chan struct{} { return o.fake.paused }

// openAIFlavor is what differs between servers speaking OpenAI's API.
type openAIFlavor struct {
	ownedBy     string // owned_by of listed models
	listCreated bool   // whether listed models carry "created"
	extras      bool   // OpenAI's own headers and chunk fields (rate limits, service_tier, obfuscation)
	notFound    func(model string) (int, openAIError)
	// wrongType, if set, refuses a model the server has but cannot use
	// for the call: an embedding model asked to chat (chat true), or a
	// chat model asked to embed; ok is false when model will do.
	wrongType func(model string, chat bool) (code int, e openAIError, ok bool)
}

// refuseWrongType answers the call with the flavor's refusal of a model of
// the wrong type, if there is one, and reports whether it did.
func (f *openAIFake) refuseWrongType(w http.ResponseWriter, model string, chat bool) bool {
	if f.flavor.wrongType == nil {
		return false
	}
	code, e, ok := f.flavor.wrongType(model, chat)
	if ok {
		writeOpenAIError(w, code, e)
	}
	return ok
}

// openAIFake serves OpenAI's API from a script; OpenAI and LMStudio mount it.
type openAIFake struct {
	script script
	oa     *openAIScript
	flavor openAIFlavor
	quit   chan struct{} // closed when the test ends, to free waiting handlers

	pausedOnce sync.Once
	paused     chan struct{}
	seq        atomic.Int64

	mu       sync.Mutex
	requests []OpenAIRequest
}

func newOpenAIFake(flavor openAIFlavor, opts []Option, defaultModels []Model) *openAIFake {
	f := &openAIFake{
		script: defaultScript(),
		flavor: flavor,
		quit:   make(chan struct{}),
		paused: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(&f.script)
	}
	if !f.script.modelsSet {
		f.script.models = defaultModels
	}
	f.script.models = normalizeModels(f.script.models)
	f.oa = openAIExt(&f.script)
	return f
}

// register adds the /v1 routes to mux.
func (f *openAIFake) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/chat/completions", f.handle(f.handleChat))
	mux.HandleFunc("GET /v1/models", f.handle(f.handleModels))
	mux.HandleFunc("GET /v1/models/{id...}", f.handle(f.handleModel))
	mux.HandleFunc("POST /v1/embeddings", f.handle(f.handleEmbeddings))
}

// handle wraps h with what every request goes through: the recording, the
// latency and the key check.
func (f *openAIFake) handle(h func(http.ResponseWriter, *http.Request, *OpenAIRequest)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := OpenAIRequest{Method: r.Method, Path: r.URL.Path, Body: body}
		if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			rec.APIKey = v
		}
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			var cr OpenAIChatRequest
			if json.Unmarshal(body, &cr) == nil {
				rec.Chat = &cr
			}
		}
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		if !f.wait(r.Context(), f.oa.latency) {
			return
		}
		if !f.authorized(w, r, rec.APIKey) {
			return
		}
		h(w, r, &rec)
	}
}

func (f *openAIFake) recorded() []OpenAIRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// authorized answers 401 as OpenAI does unless the request has the key,
// and every request as WithCredentialEcho says if it was given.
func (f *openAIFake) authorized(w http.ResponseWriter, r *http.Request, got string) bool {
	want := f.oa.apiKey
	switch {
	case f.script.echoStatus != 0:
		writeOpenAIError(w, f.script.echoStatus, openAIError{
			Message: echoCredentials(w, r),
			Type:    "invalid_request_error",
			Code:    pstr("invalid_api_key"),
		})
	case want == "" || got == want:
		return true
	case r.Header.Get("Authorization") == "":
		writeOpenAIError(w, http.StatusUnauthorized, openAIError{
			Message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
			Type:    "invalid_request_error",
		})
	default:
		writeOpenAIError(w, http.StatusUnauthorized, openAIError{
			Message: fmt.Sprintf("Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.", maskKey(got)),
			Type:    "invalid_request_error",
			Code:    pstr("invalid_api_key"),
		})
	}
	return false
}

// wait waits d, or until ctx ends or the test does; it reports whether d passed.
func (f *openAIFake) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-f.quit:
	}
	return false
}

func (f *openAIFake) lookup(name string) bool {
	return slices.ContainsFunc(f.script.models, func(m Model) bool { return m.Name == name })
}

func (f *openAIFake) handleModels(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
	if !f.wait(r.Context(), f.script.listLatency) {
		return
	}
	data := make([]map[string]any, 0, len(f.script.models))
	for _, m := range f.script.models {
		data = append(data, f.modelObject(m))
	}
	writeOpenAIJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

func (f *openAIFake) handleModel(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
	id := r.PathValue("id")
	for _, m := range f.script.models {
		if m.Name == id {
			writeOpenAIJSON(w, http.StatusOK, f.modelObject(m))
			return
		}
	}
	code, e := f.flavor.notFound(id)
	writeOpenAIError(w, code, e)
}

func (f *openAIFake) modelObject(m Model) map[string]any {
	obj := map[string]any{"id": m.Name, "object": "model", "owned_by": f.flavor.ownedBy}
	if f.flavor.listCreated {
		obj["created"] = m.ModifiedAt.Unix()
	}
	return obj
}

func (f *openAIFake) handleChat(w http.ResponseWriter, r *http.Request, rec *OpenAIRequest) {
	s := &f.script
	req := rec.Chat
	switch {
	case req == nil:
		writeOpenAIError(w, http.StatusBadRequest, openAIError{
			Message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
			Type:    "invalid_request_error",
		})
		return
	case req.Model == "":
		writeOpenAIError(w, http.StatusBadRequest, openAIError{
			Message: "you must provide a model parameter", Type: "invalid_request_error"})
		return
	case s.failStatus != 0:
		f.writeFailure(w)
		return
	case !f.lookup(req.Model):
		code, e := f.flavor.notFound(req.Model)
		writeOpenAIError(w, code, e)
		return
	case f.refuseWrongType(w, req.Model, true):
		return
	case len(req.Messages) == 0:
		writeOpenAIError(w, http.StatusBadRequest, openAIError{
			Message: "[] is too short - 'messages'", Type: "invalid_request_error",
			Param: pstr("messages"), Code: pstr("empty_array")})
		return
	}
	if req.Stream {
		f.stream(w, r, req)
		return
	}
	f.complete(w, req)
}

// writeFailure answers as WithStatus and its companions script.
func (f *openAIFake) writeFailure(w http.ResponseWriter) {
	s, oa := &f.script, f.oa
	e := openAIError{Message: s.failMsg, Type: openAIErrorType(s.failStatus)}
	if oa.errorCode != "" {
		e.Code = pstr(oa.errorCode)
	} else if s.failStatus == http.StatusTooManyRequests {
		e.Code = pstr("rate_limit_exceeded")
	}
	h := w.Header()
	if s.retryAfter > 0 {
		h.Set("retry-after", strconv.Itoa(s.retryAfter))
	}
	if oa.retryAfterMs > 0 {
		h.Set("retry-after-ms", strconv.Itoa(oa.retryAfterMs))
	}
	if s.failStatus == http.StatusTooManyRequests && f.flavor.extras {
		f.rateLimitHeaders(h, 0)
	}
	if oa.gatewayErrors {
		writeGatewayError(w, s.failStatus, s.failMsg)
		return
	}
	writeOpenAIError(w, s.failStatus, e)
}

// rateLimitHeaders sets OpenAI's x-ratelimit-* headers, with remaining
// requests left in the window.
func (f *openAIFake) rateLimitHeaders(h http.Header, remaining int) {
	h.Set("x-ratelimit-limit-requests", "500")
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(remaining))
	h.Set("x-ratelimit-reset-requests", f.oa.resetRequests.String())
	h.Set("x-ratelimit-limit-tokens", "200000")
	h.Set("x-ratelimit-remaining-tokens", "199000")
	h.Set("x-ratelimit-reset-tokens", f.oa.resetTokens.String())
}
