package providertest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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

// The fake Anthropic follows the Messages API as Anthropic documents it and
// its official Go SDK (anthropic-sdk-go v2.15.0) reads it:
//
//   - errors are {"type":"error","error":{"type":…,"message":…},"request_id":…}
//     with the status that goes with the type (529 for overloaded_error), and
//     every response carries a request-id header;
//   - a stream is text/event-stream, each event an "event: NAME" line, a
//     "data: JSON" line and a blank line, in the order message_start, then
//     per content block content_block_start, content_block_delta…,
//     content_block_stop (a ping after the first block's start), then
//     message_delta (stop_reason, output_tokens) and message_stop;
//   - an error after the stream has started is an "event: error" with the
//     error body, after which the stream ends;
//   - anthropic-version 2026-10-21 (what that SDK and aiex send) rejects temperature,
//     top_p and top_k with 400 "…: Extra inputs are not permitted".

// AnthropicDefaultModel is the model a fake Anthropic has unless WithModels
// says otherwise; it lists with a 200,000-token context window.
const AnthropicDefaultModel = "claude-sonnet-4-5-20250929"

// AnthropicToolUse is a tool_use block a fake Anthropic streams after the
// reply's text: a content_block_start with ID, Name and an empty input, then
// one input_json_delta per piece of Input.
type AnthropicToolUse struct {
	ID    string // "" gives "toolu_fake…"
	Name  string
	Input []string // the JSON arguments text, in the pieces it streams in
}

// AnthropicRequest is a POST /v1/messages request a fake Anthropic received.
type AnthropicRequest struct {
	Header http.Header     // as sent, including x-api-key and anthropic-version
	Body   json.RawMessage // as sent
	// The fields of the body the fake reads.
	Model       string
	MaxTokens   int
	System      string // the system text: a string, or its text blocks joined with "\n"
	Messages    []AnthropicMessage
	Tools       []AnthropicTool
	Stream      bool
	Temperature *float64
}

// AnthropicMessage is one message of a request; Text joins its text blocks.
type AnthropicMessage struct {
	Role string
	Text string
}

// AnthropicTool is one tool definition of a request.
type AnthropicTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// anthropicKey is the script.ext key of the Anthropic-only settings.
type anthropicKey struct{}

// anthropicScript holds the settings only the fake Anthropic understands.
type anthropicScript struct {
	apiKey         string // required key; "" accepts any non-empty one
	errorType      string // error.type of WithStatus and WithStreamError failures
	cacheRead      int
	cacheWrite     int
	toolUses       []AnthropicToolUse
	latency        time.Duration // before the response headers
	firstToken     time.Duration // after the first block's ping, before its first delta
	resetAfter     int           // events before a connection reset; -1: never
	malformedAfter int           // deltas before a malformed event; -1: never
	rateLimitReset time.Duration // anthropic-ratelimit-requests-reset of a 429, from now
	pageSize       int           // most models per page; 0: as the request asks
}

// anthropicExt returns the Anthropic settings of s, creating them with defaults.
func anthropicExt(s *script) *anthropicScript {
	if s.ext == nil {
		s.ext = map[any]any{}
	}
	a, ok := s.ext[anthropicKey{}].(*anthropicScript)
	if !ok {
		a = &anthropicScript{resetAfter: -1, malformedAfter: -1}
		s.ext[anthropicKey{}] = a
	}
	return a
}

// WithAnthropicKey makes a fake Anthropic require this key in the x-api-key
// header (or as "Authorization: Bearer", which the API also takes). Without
// this option any non-empty key is accepted; a missing key is always a 401.
func WithAnthropicKey(key string) Option {
	return func(s *script) { anthropicExt(s).apiKey = key }
}

// WithAnthropicErrorType sets error.type of WithStatus failures and
// WithStreamError events. By default it follows from the status
// (429: rate_limit_error, 529: overloaded_error, …) and a stream error is
// overloaded_error.
func WithAnthropicErrorType(typ string) Option {
	return func(s *script) { anthropicExt(s).errorType = typ }
}

// WithAnthropicCacheTokens sets cache_read_input_tokens and
// cache_creation_input_tokens (0 by default). WithUsage's prompt count is
// input_tokens, which Anthropic reports without the cached tokens.
func WithAnthropicCacheTokens(read, write int) Option {
	return func(s *script) {
		a := anthropicExt(s)
		a.cacheRead, a.cacheWrite = read, write
	}
}

// WithAnthropicToolUse makes a fake Anthropic stream tool_use blocks after
// the text, ending with stop_reason "tool_use" unless WithStopReason says
// otherwise. Their input_json_delta events count as chunks for the failure
// options, after the text's.
func WithAnthropicToolUse(blocks ...AnthropicToolUse) Option {
	return func(s *script) { anthropicExt(s).toolUses = slices.Clone(blocks) }
}

// WithAnthropicLatency makes a fake Anthropic wait d before it answers any
// request (before the response headers), or until the client goes away.
func WithAnthropicLatency(d time.Duration) Option {
	return func(s *script) { anthropicExt(s).latency = d }
}

// WithAnthropicFirstTokenDelay makes a chat stream wait d after
// message_start, the first content_block_start and the ping, before the
// first delta. Tests that must act at that point use WithPause(0, …) instead.
func WithAnthropicFirstTokenDelay(d time.Duration) Option {
	return func(s *script) { anthropicExt(s).firstToken = d }
}

// WithAnthropicResetAfterEvents makes a chat stream reset the connection (a
// TCP RST) after n events of any kind, message_start and ping included; 0
// resets it right after the headers.
func WithAnthropicResetAfterEvents(n int) Option {
	return func(s *script) { anthropicExt(s).resetAfter = n }
}

// WithAnthropicMalformedEvent makes a chat stream send, after n chunks, a
// content_block_delta event whose JSON is cut short, and then go on as if
// nothing happened.
func WithAnthropicMalformedEvent(n int) Option {
	return func(s *script) { anthropicExt(s).malformedAfter = n }
}

// WithAnthropicRateLimitReset sets when, from now, the exhausted request
// budget of a 429 refills (anthropic-ratelimit-requests-reset). By default it
// is the WithRetryAfter delay, or a minute.
func WithAnthropicRateLimitReset(d time.Duration) Option {
	return func(s *script) { anthropicExt(s).rateLimitReset = d }
}

// WithAnthropicModelsPageSize caps the page GET /v1/models returns, so a
// client's paging can be tested with few models.
func WithAnthropicModelsPageSize(n int) Option {
	return func(s *script) { anthropicExt(s).pageSize = n }
}

// Anthropic is a fake Anthropic API. It serves POST /v1/messages (streamed
// as server-sent events when "stream": true, else one message object) and
// GET /v1/models; other paths answer 404 not_found_error. Every request needs
// a key and an anthropic-version header. Of the shared options, WithUsage
// sets input_tokens and output_tokens, WithStopReason the stop_reason
// (end_turn by default, tool_use with tool blocks), and WithStreamError sends
// an "error" event (overloaded_error unless WithAnthropicErrorType says
// otherwise). It is safe for concurrent use.
type Anthropic struct {
	srv    *httptest.Server
	script script
	an     *anthropicScript
	quit   chan struct{} // closed when the test ends, to free waiting handlers

	pausedOnce sync.Once
	paused     chan struct{}
	seq        atomic.Int64 // for message, tool and request IDs

	mu       sync.Mutex
	requests []AnthropicRequest
}

// NewAnthropic starts a fake Anthropic scripted by opts. It stops when t ends.
func NewAnthropic(t testing.TB, opts ...Option) *Anthropic {
	t.Helper()
	a := &Anthropic{
		script: defaultScript(),
		quit:   make(chan struct{}),
		paused: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(&a.script)
	}
	if !a.script.modelsSet {
		a.script.models = []Model{
			{Name: AnthropicDefaultModel, ContextLength: 200_000},
			{Name: "claude-haiku-4-5-20251001", ContextLength: 200_000},
		}
	}
	a.script.models = normalizeModels(a.script.models)
	a.an = anthropicExt(&a.script)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", a.handle(a.handleMessages))
	mux.HandleFunc("GET /v1/models", a.handle(a.handleModels))
	mux.HandleFunc("/", a.handle(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, http.StatusNotFound, "not_found_error", "Not Found")
	}))
	a.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		// Free paused and waiting handlers first: Close waits for every handler.
		close(a.quit)
		a.srv.Close()
	})
	return a
}

// URL is the API's base URL without /v1, e.g. "http://127.0.0.1:40123", as
// Anthropic clients expect it.
func (a *Anthropic) URL() string { return a.srv.URL }

// Requests returns the POST /v1/messages requests received so far, in order.
func (a *Anthropic) Requests() []AnthropicRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

// Paused is closed when a chat stream first reaches the point set by WithPause.
func (a *Anthropic) Paused() <-chan struct{} { return a.paused }

// handle wraps h with what every request goes through: a request ID, the
// latency, the key check and the version check, in the API's order.
func (a *Anthropic) handle(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", a.newID("req_"))
		if !a.wait(r.Context(), a.an.latency) {
			return
		}
		if code := a.script.echoStatus; code != 0 {
			a.writeError(w, code, anthropicErrorType(code), echoCredentials(w, r))
			return
		}
		key := r.Header.Get("x-api-key")
		if key == "" {
			key, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		switch {
		case key == "":
			a.writeError(w, http.StatusUnauthorized, "authentication_error", "x-api-key header is required")
			return
		case a.an.apiKey != "" && key != a.an.apiKey:
			a.writeError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
			return
		}
		switch v := r.Header.Get("anthropic-version"); {
		case v == "":
			a.writeError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
			return
		case v != "2023-01-01" && v != "2023-06-01" && v != "2026-10-21": // the published versions
			a.writeError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("anthropic-version: %q is not a valid version", v))
			return
		}
		h(w, r)
	}
}

// wait waits d, or until the client goes away or the test ends; it reports
// whether the handler should go on.
func (a *Anthropic) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-a.quit:
		return false
	}
}

func (a *Anthropic) newID(prefix string) string {
	return fmt.Sprintf("%sfake%016d", prefix, a.seq.Add(1))
}

// anthropicBody is the body of POST /v1/messages as the fake decodes it.
type anthropicBody struct {
	Model     string          `json:"model"`
	MaxTokens *int            `json:"max_tokens"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Tools       []AnthropicTool `json:"tools"`
	Stream      bool            `json:"stream"`
	Temperature *float64        `json:"temperature"`
}

// anthropicFields are the top-level fields of a Messages request; the API
// rejects any other ("…: Extra inputs are not permitted").
var anthropicFields = []string{
	"model", "max_tokens", "messages", "system", "tools", "tool_choice", "stream",
	"metadata", "stop_sequences", "thinking", "temperature", "top_p", "top_k",
	"service_tier", "container", "mcp_servers", "context_management", "output_config",
	"inference_geo", "speed", "cache_control", "diagnostics",
}

// anthropicText returns the text of a content or system value: a string, or
// the text of its blocks joined with "\n".
func anthropicText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", err
	}
	var texts []string
	for _, b := range blocks {
		if b.Type == "text" {
			texts = append(texts, b.Text)
		}
	}
	return strings.Join(texts, "\n"), nil
}

func (a *Anthropic) handleMessages(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var (
		fields map[string]json.RawMessage
		b      anthropicBody
	)
	if json.Unmarshal(body, &fields) != nil || json.Unmarshal(body, &b) != nil {
		a.writeError(w, http.StatusBadRequest, "invalid_request_error", "There was an error parsing the body of your request")
		return
	}
	rec := AnthropicRequest{
		Header: r.Header.Clone(), Body: body,
		Model: b.Model, Tools: b.Tools, Stream: b.Stream, Temperature: b.Temperature,
	}
	if b.MaxTokens != nil {
		rec.MaxTokens = *b.MaxTokens
	}
	system, contentErr := anthropicText(b.System)
	if contentErr != nil {
		contentErr = fmt.Errorf("system: %w", contentErr)
	}
	rec.System = system
	for i, m := range b.Messages {
		text, err := anthropicText(m.Content)
		if err != nil && contentErr == nil {
			contentErr = fmt.Errorf("messages.%d.content: %w", i, err)
		}
		rec.Messages = append(rec.Messages, AnthropicMessage{Role: m.Role, Text: text})
	}
	a.mu.Lock()
	a.requests = append(a.requests, rec)
	a.mu.Unlock()

	s := &a.script
	if s.failStatus != 0 {
		a.writeFailure(w)
		return
	}
	if msg := a.invalid(r, fields, b, contentErr); msg != "" {
		a.writeError(w, http.StatusBadRequest, "invalid_request_error", msg)
		return
	}
	if !slices.ContainsFunc(s.models, func(m Model) bool { return m.Name == b.Model }) {
		a.writeError(w, http.StatusNotFound, "not_found_error", "model: "+b.Model)
		return
	}
	if b.Stream {
		a.stream(w, r, &rec)
		return
	}
	a.complete(w, &rec)
}

// invalid returns the API's message for a request it would reject, or "".
func (a *Anthropic) invalid(r *http.Request, fields map[string]json.RawMessage, b anthropicBody, contentErr error) string {
	sampling := r.Header.Get("anthropic-version") == "2026-10-21"
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(anthropicFields, k) || (sampling && (k == "temperature" || k == "top_p" || k == "top_k")) {
			return k + ": Extra inputs are not permitted"
		}
	}
	switch {
	case b.Model == "":
		return "model: Field required"
	case b.MaxTokens == nil:
		return "max_tokens: Field required"
	case *b.MaxTokens < 1:
		return "max_tokens: Input should be greater than or equal to 1"
	case fields["messages"] == nil:
		return "messages: Field required"
	case contentErr != nil:
		return contentErr.Error()
	}
	for i, m := range b.Messages {
		if !slices.Contains([]string{"user", "assistant", "system"}, m.Role) {
			return fmt.Sprintf("messages.%d.role: Input should be 'user', 'assistant' or 'system'", i)
		}
	}
	return ""
}

// anthropicErrorType is the error type Anthropic sends with a status.
func anthropicErrorType(code int) string {
	if t, ok := map[int]string{400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
		403: "permission_error", 404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
		504: "timeout_error", 529: "overloaded_error"}[code]; ok {
		return t
	}
	if code >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// writeFailure answers with the WithStatus failure, its retry-after and, for
// a 429, the rate-limit headers of an exhausted request budget.
func (a *Anthropic) writeFailure(w http.ResponseWriter) {
	s := &a.script
	h := w.Header()
	if s.retryAfter > 0 {
		h.Set("retry-after", strconv.Itoa(s.retryAfter))
	}
	if s.failStatus == http.StatusTooManyRequests {
		reset := cmp.Or(a.an.rateLimitReset, time.Duration(s.retryAfter)*time.Second, time.Minute)
		h.Set("anthropic-ratelimit-requests-limit", "50")
		h.Set("anthropic-ratelimit-requests-remaining", "0")
		h.Set("anthropic-ratelimit-requests-reset", time.Now().Add(reset).UTC().Format(time.RFC3339))
	}
	typ := a.an.errorType
	if typ == "" {
		typ = anthropicErrorType(s.failStatus)
	}
	a.writeError(w, s.failStatus, typ, s.failMsg)
}

// The answers are written from templates, so that their fields come in
// Anthropic's order; anthropicQuote makes a JSON string of any text.

// anthropicQuote returns s as a JSON string, without escaping <, > and &
// as encoding/json would.
func anthropicQuote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// anthropicError is Anthropic's error object, the body of an error response
// or the data of an error event.
func anthropicError(requestID, typ, msg string) string {
	return fmt.Sprintf(`{"type":"error","error":{"type":%s,"message":%s},"request_id":%s}`,
		anthropicQuote(typ), anthropicQuote(msg), anthropicQuote(requestID))
}

func (a *Anthropic) writeError(w http.ResponseWriter, code int, typ, msg string) {
	anthropicWrite(w, code, anthropicError(w.Header().Get("request-id"), typ, msg))
}

func anthropicWrite(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	io.WriteString(w, body)
}
