package anthropic

import (
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

// APIError is an error Anthropic's API answered with: a response with an
// HTTP status of 400 or more, or an "error" event in a stream that had begun
// with 200 (Anthropic sends overloaded_error that way). It holds what the
// API said and nothing of the request; a *providers.Error from this package
// holds it in Err with the credentials taken out, should the server have
// quoted them.
type APIError struct {
	// StatusCode is the response's status: 400 or more, or 200 for an
	// error event in a stream.
	StatusCode int
	// Type and Message are the body's error.type (such as
	// "overloaded_error") and error.message. Both are empty when the body is
	// not Anthropic's error object, as a proxy's answer may not be.
	Type, Message string
	// RequestID is the response's request-id header, else the body's
	// request_id. Anthropic's support asks for it.
	RequestID string
	// Note, for an HTTP error answer whose body is not Anthropic's error
	// object, says in a few words who sent it and why:
	// providers.AnswerNote, e.g. "cloudflare: 502: Bad gateway".
	Note string
	// Header holds the response's headers.
	Header http.Header
}

// Error says where the error came from and what the API said.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.StatusCode >= 400 {
		b.WriteString(statusText(e.StatusCode))
	} else {
		b.WriteString("error event in the stream")
	}
	if e.Type != "" {
		fmt.Fprintf(&b, ": %s", e.Type)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, " (%s)", e.Note)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	return b.String()
}

// newAPIError reads an error object from body, as much of it as is there:
// a body that is not JSON, or has fields of other types, leaves them empty.
func newAPIError(status int, h http.Header, body []byte) *APIError {
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // best effort; see above
	ae := &APIError{StatusCode: status, Type: eb.Error.Type, Message: eb.Error.Message, RequestID: h.Get("request-id"), Header: h}
	if ae.RequestID == "" {
		ae.RequestID = eb.RequestID
	}
	return ae
}

// statusAPIError is the API error an HTTP error answer carries. An answer
// whose body is not Anthropic's error object (a proxy's page) gets a note
// on who sent it and why.
func statusAPIError(se *httpapi.StatusError) *APIError {
	ae := newAPIError(se.StatusCode, se.Header, se.Body)
	if ae.Type == "" && ae.Message == "" {
		ae.Note = providers.AnswerNote(se.Header, se.Body)
	}
	return ae
}

// eventAPIError is the API error an "error" event of the stream resp
// carries in data.
func eventAPIError(resp *http.Response, data string) *APIError {
	return newAPIError(resp.StatusCode, resp.Header, []byte(data))
}

// mapError converts an error of a request into a *providers.Error of
// provider, naming endpoint where the API could not be reached; now dates
// the retry-after headers. It is pure; callers handle context errors, their
// callback's errors and streams that broke off first.
//
// A request fails with:
//   - an *httpapi.StatusError for an HTTP status >= 400, whose body holds
//     Anthropic's error object, or an *APIError made from one (or from an
//     "error" event inside a stream);
//   - the HTTP client's *url.Error when no response came;
//   - an *httpapi.DecodeError or a read error when a 2xx body could not be
//     read or decoded.
func mapError(provider, endpoint string, err error, now time.Time) *providers.Error {
	var (
		ae *APIError
		se *httpapi.StatusError
		ue *url.Error
		de *httpapi.DecodeError
	)
	switch {
	case errors.As(err, &ae):
		return fromAPIError(provider, endpoint, ae, now)
	case errors.As(err, &se):
		return fromAPIError(provider, endpoint, statusAPIError(se), now)
	case errors.As(err, &ue):
		return &providers.Error{Provider: provider, Kind: providers.KindUnavailable, Err: err,
			Message: fmt.Sprintf("cannot reach Anthropic at %s: %s", endpoint, providers.DescribeNetError(ue.Err))}
	case errors.As(err, &de):
		// Without the body, which may quote anything.
		return &providers.Error{Provider: provider, Kind: providers.KindUnavailable, Err: &httpapi.DecodeError{Err: de.Err},
			Message: fmt.Sprintf("unreadable answer from Anthropic at %s: %s", endpoint, de.Err)}
	}
	return &providers.Error{Provider: provider, Kind: providers.KindUnavailable, Err: err,
		Message: fmt.Sprintf("unreadable answer from Anthropic at %s: %s", endpoint, err)}
}

// fromAPIError converts an API error: the kind from its type (or status),
// the server's message, the status if it was an HTTP error, and the
// retry-after its headers ask for. endpoint is named in the message of an
// answer that is not Anthropic's error object, whose note says who sent it.
// Err is ae.
//
// An error event in a stream takes nothing from the headers: they are the
// 200's that began the stream, sent before the error happened. Their
// anthropic-ratelimit-* values say how much of the limits was left when
// the request was admitted, not when to try again after an overloaded_error
// or api_error mid-stream (Anthropic's SDKs read no wait from them either),
// and a wait set here holds back every request to the provider.
func fromAPIError(provider, endpoint string, ae *APIError, now time.Time) *providers.Error {
	msg := strings.TrimSpace(ae.Message)
	pe := &providers.Error{
		Provider: provider,
		Kind:     kindFor(ae.StatusCode, ae.Type, msg),
		Message:  msg,
		Err:      ae,
	}
	if ae.StatusCode >= 400 {
		pe.StatusCode = ae.StatusCode
	}
	switch {
	case pe.Message != "":
	case ae.StatusCode >= 400 && ae.Note != "":
		pe.Message = providers.ErrorAnswerMessage(statusText(ae.StatusCode), endpoint, ae.Note)
	case ae.StatusCode >= 400:
		pe.Message = statusText(ae.StatusCode)
	default:
		pe.Message = "the stream carried an error event without a message"
	}
	if outOfCredit(ae.StatusCode, ae.Type, msg) {
		pe.Message = providers.WithBillingAdvice(pe.Message)
	}
	if ae.StatusCode >= 400 {
		pe.RetryAfter = retryAfterHeader(ae.Header, now)
		if pe.Kind == providers.KindRateLimited {
			pe.RetryAfter = retryAfter(ae.Header, now)
		}
		providers.ApplyShouldRetry(pe, ae.Header)
	}
	return pe
}

// kindFor classifies an API error by its type, or by its status when the
// type is missing or new; msg tells a prompt that is too long from other bad
// requests. An unknown error inside a 200 stream is KindInterrupted.
func kindFor(status int, typ, msg string) providers.ErrorKind {
	switch {
	case outOfCredit(status, typ, msg):
		return providers.KindAuth
	case providers.TransientStatus(status):
		// Whatever the body's type says (a proxy's answer has none).
		return providers.KindUnavailable
	}
	switch typ {
	case "authentication_error", "permission_error", "billing_error":
		return providers.KindAuth
	case "rate_limit_error":
		return providers.KindRateLimited
	case "overloaded_error":
		return providers.KindOverloaded
	case "not_found_error":
		return providers.KindNotFound
	case "invalid_request_error", "request_too_large":
		if promptTooLong(msg) {
			return providers.KindContextTooLong
		}
		return providers.KindBadRequest
	case "api_error", "timeout_error":
		return providers.KindUnavailable
	}
	switch {
	case status == http.StatusUnauthorized, status == http.StatusPaymentRequired, status == http.StatusForbidden:
		return providers.KindAuth
	case status == http.StatusNotFound:
		return providers.KindNotFound
	case status == http.StatusTooManyRequests:
		return providers.KindRateLimited
	case status == statusOverloaded:
		return providers.KindOverloaded
	case status >= 500:
		return providers.KindUnavailable
	case status >= 400 && promptTooLong(msg):
		return providers.KindContextTooLong
	case status >= 400:
		return providers.KindBadRequest
	}
	return providers.KindInterrupted
}

// outOfCredit reports whether an API error says the account cannot pay:
// billing_error or 402 Payment Required, or the invalid_request_error (400)
// Anthropic answers an empty credit balance with, "Your credit balance is
// too low to access the Anthropic API. Please go to Plans & Billing to
// upgrade or purchase credits." The last is recognised by its wording, the
// only thing that tells it from a malformed request.
func outOfCredit(status int, typ, msg string) bool {
	switch {
	case typ == "billing_error", status == http.StatusPaymentRequired:
		return true
	case typ == "invalid_request_error", typ == "" && status == http.StatusBadRequest:
		return strings.Contains(strings.ToLower(msg), "credit balance is too low")
	}
	return false
}

// statusOverloaded is the status Anthropic answers with when it is
// overloaded; net/http has no name for it.
const statusOverloaded = 529

// promptTooLong reports whether an invalid_request_error says the input does
// not fit the model's context window, as in "prompt is too long: 210000
// tokens > 200000 maximum" or "input length and `max_tokens` exceed context
// limit: …".
func promptTooLong(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "prompt is too long") ||
		strings.Contains(m, "exceed context limit") ||
		strings.Contains(m, "context window") ||
		strings.Contains(m, "context length")
}

// statusText describes a status for an error body without a message.
func statusText(code int) string {
	switch t := http.StatusText(code); {
	case code == statusOverloaded:
		return "529 Overloaded"
	case t != "":
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("HTTP status %d", code)
}

// retryAfter reads how long to wait from the headers of a rate-limit error
// response: retry-after (see retryAfterHeader), else the
// anthropic-ratelimit-*-reset times (RFC 3339) — the latest among the
// limits with nothing remaining, or the earliest if none says so. It is 0
// when they say nothing usable. The reset times say when a limit refills,
// which is how long to wait only when a limit was what failed: other errors
// read retryAfterHeader alone.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d := retryAfterHeader(h, now); d > 0 {
		return d
	}
	var exhausted, earliest time.Time
	for _, name := range [...]string{"requests", "tokens", "input-tokens", "output-tokens"} {
		t, err := time.Parse(time.RFC3339, h.Get("anthropic-ratelimit-"+name+"-reset"))
		if err != nil {
			continue
		}
		if h.Get("anthropic-ratelimit-"+name+"-remaining") == "0" && t.After(exhausted) {
			exhausted = t
		}
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
	}
	reset := exhausted
	if reset.IsZero() {
		reset = earliest
	}
	if reset.After(now) {
		return reset.Sub(now)
	}
	return 0
}

// retryAfterHeader reads the retry-after header of an error response, in
// seconds or as an HTTP date; 0 when it is missing or says nothing usable.
func retryAfterHeader(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("retry-after"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return providers.UntilDate(t, now)
	}
	return 0
}

// interrupted describes a stream that ended without message_stop, having
// delivered chunks pieces; err is why it broke off, or nil when the body
// ended cleanly (which a healthy server never does).
func interrupted(provider, endpoint string, chunks int, err error) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindInterrupted, Err: err}
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s ended after %d chunks without message_stop", endpoint, chunks)
	case errors.As(err, &se):
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s broke off after %d chunks: an event was not valid JSON: %v", endpoint, chunks, err)
	case errors.As(err, &te):
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s broke off after %d chunks: an event was not a JSON object: %v", endpoint, chunks, err)
	default:
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s broke off after %d chunks: %s", endpoint, chunks, providers.DescribeNetError(err))
	}
	return pe
}

// scrub takes the API key and the base URL's credentials out of pe, which
// is about to leave the provider, wherever the server quoted them back (see
// providers.Redactor); an *APIError in Err is replaced by a copy without
// them.
func (p *Provider) scrub(pe *providers.Error) *providers.Error {
	if ae, ok := pe.Err.(*APIError); ok {
		pe.Err = redactAPIError(ae, p.secrets)
	}
	return p.secrets.RedactProviderError(pe)
}

// redactAPIError returns a copy of ae in which nothing shows what r takes
// out: not the type, the message, the request ID, the note nor the headers. Callers
// classify ae before.
func redactAPIError(ae *APIError, r *providers.Redactor) *APIError {
	c := *ae
	c.Type, c.Message, c.RequestID, c.Note = r.Redact(ae.Type), r.Redact(ae.Message), r.Redact(ae.RequestID), r.Redact(ae.Note)
	c.Header = r.RedactHeader(ae.Header)
	return &c
}
