package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/httpapi"
)

// APIError is an error answer (HTTP status 400 or more) as the server
// gave it; a *providers.Error built from one holds it in Err. Its fields
// are those of OpenAI's error object, read also from the shapes other
// servers answer with (see errorFields), and empty where the answer has
// none. The API key and the base URL's credentials are taken out of every
// field and of Header, also where a server quoted them back, and it holds
// no request.
type APIError struct {
	StatusCode int
	// Code is OpenAI's error code ("invalid_api_key", "model_not_found",
	// "context_length_exceeded"); some gateways give the HTTP status.
	Code string
	// Type is the error's class ("invalid_request_error", "server_error").
	Type string
	// Param names the request parameter at fault, if any.
	Param   string
	Message string
	// Note, for an answer whose body is not an error object of a shape
	// read here (a proxy's web page, plain text, nothing), says in a few
	// words who sent it and why: providers.AnswerNote, e.g. "nginx: 502
	// Bad Gateway". It is "" for an error object.
	Note string
	// Header is the answer's header (Retry-After and OpenAI's rate-limit
	// headers).
	Header http.Header
}

// Error returns the status and the server's message, or the note on an
// answer without one.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	if e.Note != "" {
		msg += " (" + e.Note + ")"
	}
	return fmt.Sprintf("HTTP status %d: %s", e.StatusCode, msg)
}

// redacted returns a copy of e in which nothing shows what r takes out.
func (e *APIError) redacted(r *providers.Redactor) *APIError {
	c := *e
	c.Code, c.Type, c.Param, c.Message = r.Redact(e.Code), r.Redact(e.Type), r.Redact(e.Param), r.Redact(e.Message)
	c.Note = r.Redact(e.Note)
	c.Header = r.RedactHeader(e.Header)
	return &c
}

// StreamError is an error event in a streamed answer: the server failed
// after it had started the answer with 200, and sent, instead of a chunk,
// a JSON object with an "error" key.
type StreamError struct {
	// Data is the event's data, e.g. {"error": {"message": "…"}}.
	Data string
}

// Error returns the message the event carries.
func (e *StreamError) Error() string {
	msg, _ := streamErrorMessage([]byte(e.Data))
	return "error event in the stream: " + msg
}

// providerError maps err, scrubs the API key from it, and for a missing
// model lists what the server does have. model is "" when err is the
// model list's own; a 404 for the list (the server has no /models where
// the base URL points) says that the base URL is the likely mistake.
func (p *Provider) providerError(ctx context.Context, model string, err error) *providers.Error {
	pe := mapError(p.name, p.server, p.endpoint, err, time.Now())
	switch {
	case pe.Kind == providers.KindAuth && p.noKey != "":
		pe.Message += " (no API key configured: " + p.noKey + ")"
	case pe.StatusCode == http.StatusUnauthorized && p.keyAdvice != "":
		pe.Message += " (the API key was refused; to give another: " + p.keyAdvice + ")"
	}
	switch {
	case pe.Kind != providers.KindNotFound:
		return p.scrub(pe)
	case model == "":
		if pe.StatusCode == http.StatusNotFound {
			pe.Message = p.baseURLAdvice(said(pe))
		}
		return p.scrub(pe)
	}
	// Bounded: a server that hangs on its list must not hold the 404.
	lctx, cancel := providers.ListContext(ctx)
	defer cancel()
	_, list, lerr := p.listModels(lctx)
	var se *httpapi.StatusError
	switch {
	case errors.As(lerr, &se) && se.StatusCode == http.StatusNotFound:
		// Neither the call nor the list is there: not the model, the
		// address is wrong.
		pe.Message = p.baseURLAdvice(said(pe))
		return p.scrub(pe)
	case lerr != nil:
		// Keep the server's own message; the list is a courtesy.
		return p.scrub(pe)
	}
	if list.Data != nil {
		for _, m := range *list.Data {
			pe.Models = append(pe.Models, m.ID)
		}
	}
	return p.scrub(pe)
}

// said is what the server said in the error answer pe was mapped from,
// without the endpoint, which pe.Message names for an answer that is not
// an error object: the error's message, else the note on the answer, else
// pe.Message.
func said(pe *providers.Error) string {
	var ae *APIError
	switch {
	case !errors.As(pe.Err, &ae):
		return pe.Message
	case strings.TrimSpace(ae.Message) != "":
		return strings.TrimSpace(ae.Message)
	case ae.Note != "":
		return ae.Note
	}
	return pe.Message
}

// baseURLAdvice adds to msg, a server's 404 for a path under the base URL,
// that the base URL is probably wrong, and what it usually looks like.
func (p *Provider) baseURLAdvice(msg string) string {
	advice := fmt.Sprintf("%s at %s answered 404 (%s); is the base URL right?", p.server, p.endpoint, msg)
	if strings.HasSuffix(p.endpoint, "/v1") {
		return advice
	}
	return advice + fmt.Sprintf(" OpenAI-compatible servers usually serve their API under /v1, e.g. %s/v1", p.endpoint)
}

// scrub takes the API key and the base URL's credentials out of pe, which
// is about to leave the provider, wherever the server quoted them back (see
// providers.Redactor): this package's errors in Err, and the body of an
// answer that could not be decoded, are replaced by copies without them.
func (p *Provider) scrub(pe *providers.Error) *providers.Error {
	switch e := pe.Err.(type) {
	case *APIError:
		pe.Err = e.redacted(p.secrets)
	case *StreamError:
		pe.Err = &StreamError{Data: p.secrets.Redact(e.Data)}
	case *httpapi.DecodeError:
		if p.secrets.Shows(string(e.Body)) {
			pe.Err = &httpapi.DecodeError{Body: []byte(p.secrets.Redact(string(e.Body))), Err: e.Err}
		}
	}
	return p.secrets.RedactProviderError(pe)
}

// mapError converts an error from a request into a *providers.Error of
// provider; server names the server and endpoint is its URL, for messages.
// now is the time Retry-After dates are measured from. It is pure; callers
// handle context errors first.
//
// A request fails with
//   - *httpapi.StatusError for an HTTP status >= 400, which becomes an
//     *APIError (not yet redacted: see scrub);
//   - *url.Error when the request could not be sent or no answer came;
//   - other errors (*httpapi.DecodeError) when a successful answer could
//     not be decoded.
func mapError(provider, server, endpoint string, err error, now time.Time) *providers.Error {
	pe := &providers.Error{Provider: provider, Err: err}
	var (
		se *httpapi.StatusError
		ue *url.Error
	)
	switch {
	case errors.As(err, &se):
		ae := apiError(se)
		pe.StatusCode = ae.StatusCode
		pe.Message = strings.TrimSpace(ae.Message)
		switch {
		case pe.Message != "":
			pe.Kind = kindFor(ae.StatusCode, ae.Code, pe.Message)
		case ae.Note != "":
			// A proxy's or gateway's answer: say who answered and why.
			pe.Kind = kindFor(ae.StatusCode, ae.Code, ae.Note)
			pe.Message = providers.ErrorAnswerMessage(statusText(ae.StatusCode), endpoint, ae.Note)
		default:
			pe.Message = statusText(ae.StatusCode)
			pe.Kind = kindFor(ae.StatusCode, ae.Code, pe.Message)
		}
		if pe.Kind == providers.KindAuth && outOfCredit(ae.StatusCode, ae.Code) {
			pe.Message = providers.WithBillingAdvice(pe.Message)
		}
		pe.RetryAfter = retryAfter(ae.Header, now)
		providers.ApplyShouldRetry(pe, ae.Header)
		pe.Err = ae
	case errors.As(err, &ue):
		pe.Kind = providers.KindUnavailable
		pe.Message = fmt.Sprintf("cannot reach %s at %s: %s", server, endpoint, providers.DescribeNetError(ue.Err))
	default:
		pe.Kind = providers.KindUnavailable
		pe.Message = fmt.Sprintf("unexpected answer from %s at %s: %v", server, endpoint, err)
	}
	return pe
}

// apiError reads an error answer. One whose body is not an error object
// gets a note on who sent it and why instead of fields.
func apiError(se *httpapi.StatusError) *APIError {
	ae, ok := errorFields(se.Body)
	ae.StatusCode, ae.Header = se.StatusCode, se.Header
	if !ok {
		ae.Note = providers.AnswerNote(se.Header, se.Body)
	}
	return ae
}

// errorFields reads the fields of an error answer's body:
//
//   - OpenAI's {"error": {"message", "type", "param", "code"}};
//   - {"error": "text"} (LM Studio, Ollama's native errors): the message;
//   - {"message": "text", "type": …} without "error" (vLLM): the message,
//     the type and a code given as text.
//
// ok is false for any other body (a web page, plain text, other JSON),
// which gives no fields.
func errorFields(body []byte) (ae *APIError, ok bool) {
	ae = &APIError{}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ae, false
	}
	if raw, ok := top["error"]; ok {
		var obj errorObject
		switch {
		case json.Unmarshal(raw, &ae.Message) == nil:
		case json.Unmarshal(raw, &obj) == nil:
			ae.Message, ae.Type, ae.Param, ae.Code = jsonText(obj.Message), jsonText(obj.Type), jsonText(obj.Param), jsonText(obj.Code)
		}
		return ae, true
	}
	var flat struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"` // vLLM's is the HTTP status: only a text one is kept
	}
	if json.Unmarshal(body, &flat) != nil || flat.Message == "" {
		return ae, false
	}
	ae.Message, ae.Type = flat.Message, flat.Type
	ae.Code, _ = flat.Code.(string)
	return ae, true
}

// jsonText is a field of an error object as text: a string's value, a
// number or boolean as written, "" for null or a field left out. An object
// or array is kept as written.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// kindFor classifies an HTTP status, OpenAI's error code and the message.
// The code wins over the status: LM Studio answers an unknown model with
// 400 and code "model_not_found".
func kindFor(status int, code, msg string) providers.ErrorKind {
	switch {
	case code == "context_length_exceeded" ||
		(status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) && isContextLengthMessage(msg):
		return providers.KindContextTooLong
	case code == "model_not_found" || status == http.StatusNotFound:
		return providers.KindNotFound
	case outOfCredit(status, code):
		// Waiting does not cure it: the account has no credit. Like bad
		// credentials, it needs the user, so fail over.
		return providers.KindAuth
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.KindAuth
	case status == http.StatusTooManyRequests:
		return providers.KindRateLimited
	case status == http.StatusServiceUnavailable || status == 529:
		// OpenAI's "The engine is currently overloaded"; 529 is the
		// overloaded status some gateways copy from Anthropic.
		return providers.KindOverloaded
	case providers.TransientStatus(status) || status >= 500:
		return providers.KindUnavailable
	default:
		return providers.KindBadRequest
	}
}

// outOfCredit reports whether an error answer says the account cannot pay:
// OpenAI's 429 with code "insufficient_quota", or 402 Payment Required,
// which OpenAI-compatible gateways (OpenRouter and others) answer when the
// credit has run out or cannot cover the request.
func outOfCredit(status int, code string) bool {
	return code == "insufficient_quota" || status == http.StatusPaymentRequired
}

// isContextLengthMessage reports whether msg says the prompt did not fit,
// for servers that send no code (Ollama, llama.cpp, vLLM). llama.cpp says
// "the request exceeds the available context size".
func isContextLengthMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "context length") || strings.Contains(m, "context window") ||
		strings.Contains(m, "maximum context") || strings.Contains(m, "context_length") ||
		strings.Contains(m, "context size")
}

// statusText is Go's text for an HTTP status, with the number.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("HTTP status %d", code)
}

// retryAfter reads how long to wait from an answer's headers: retry-after-ms,
// then retry-after (seconds or an HTTP date), then OpenAI's
// x-ratelimit-reset-requests / -tokens (durations like "1s", "6m0s"),
// taking the budget that is exhausted, or the longer wait if the headers do
// not say. 0 means the answer did not say.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return providers.UntilDate(t, now)
		}
	}
	var exhausted, longest time.Duration
	for _, budget := range []string{"requests", "tokens"} {
		d, err := time.ParseDuration(h.Get("x-ratelimit-reset-" + budget))
		if err != nil || d <= 0 {
			continue
		}
		longest = max(longest, d)
		if h.Get("x-ratelimit-remaining-"+budget) == "0" {
			exhausted = max(exhausted, d)
		}
	}
	if exhausted > 0 {
		return exhausted
	}
	return longest
}

// mapStreamError converts the error that ended a stream after chunks
// pieces had been delivered. It is pure; callers handle context errors first.
//
// A stream ends early with
//   - *StreamError for an event with an "error" key (the server failed
//     after the answer had started with 200);
//   - a *json.SyntaxError (or other JSON error) for a malformed chunk;
//   - the body's read error (io.ErrUnexpectedEOF, a reset) for a
//     connection that broke, or the event parser's for an event too long.
func mapStreamError(provider, server, endpoint string, chunks int, err error) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindInterrupted, Err: err}
	var (
		se     *StreamError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		msg, code := streamErrorMessage([]byte(se.Data))
		if code == "context_length_exceeded" || isContextLengthMessage(msg) {
			pe.Kind = providers.KindContextTooLong
		}
		pe.Message = fmt.Sprintf("%s at %s stopped the answer after %d chunks: %s", server, endpoint, chunks, msg)
	case errors.As(err, &syntax), errors.As(err, &typ):
		pe.Message = fmt.Sprintf("the answer from %s at %s had a malformed chunk after %d chunks: %v", server, endpoint, chunks, err)
	default:
		pe.Message = fmt.Sprintf("the answer from %s at %s broke off after %d chunks: %s", server, endpoint, chunks, providers.DescribeNetError(err))
	}
	return pe
}

// streamErrorMessage reads the message and code of an error event's data:
// {"error": …}, or an error object without "error" around it (what
// llama.cpp's "error:" line carries), else the data as it is.
func streamErrorMessage(data []byte) (msg, code string) {
	if msg, code, ok := errorInBody(data); ok {
		return msg, code
	}
	if ae, _ := errorFields(data); ae.Message != "" {
		return ae.Message, ae.Code
	}
	return strings.TrimSpace(string(data)), ""
}

// errorInBody reads the message and code of a JSON object with an "error":
// {"error": {"message", "code", …}} or {"error": "…"}; ok is false if body
// is not one.
func errorInBody(body []byte) (msg, code string, ok bool) {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Error) == 0 || string(v.Error) == "null" {
		return "", "", false
	}
	ae, _ := errorFields(body)
	if ae.Message == "" {
		return strings.TrimSpace(string(v.Error)), ae.Code, true
	}
	return ae.Message, ae.Code, true
}

// badAnswer describes a successful (2xx) answer that is not what was asked
// for (want: "a stream", "a model list"). LM Studio, for one, answers an
// unknown path with 200 and {"error": "Unexpected endpoint or method. …"},
// which is what a wrong base URL gets. Retrying does not help, so it is
// KindBadRequest.
func badAnswer(provider, server, endpoint string, status int, want string, body []byte) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindBadRequest, StatusCode: status}
	if msg, _, ok := errorInBody(body); ok {
		pe.Message = fmt.Sprintf("%s at %s answered with an error instead of %s: %s", server, endpoint, want, msg)
	} else {
		pe.Message = fmt.Sprintf("%s at %s did not answer with %s; is the base URL right?", server, endpoint, want)
	}
	return pe
}

// interrupted describes a stream that ended cleanly but incomplete after
// chunks pieces: without [DONE] or, if done, without a finish_reason.
func interrupted(provider, server, endpoint string, chunks int, done bool) *providers.Error {
	what := `its end ("data: [DONE]")`
	if done {
		what = "a finish reason"
	}
	return &providers.Error{
		Provider: provider,
		Kind:     providers.KindInterrupted,
		Message:  fmt.Sprintf("the answer from %s at %s ended after %d chunks without %s", server, endpoint, chunks, what),
	}
}
