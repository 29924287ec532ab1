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

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/aiex-dev/aiex/providers"
)

// mapError converts an error from the SDK into a *providers.Error of
// provider, naming endpoint where the API could not be reached; now dates
// the retry-after headers. It is pure; callers handle context errors, their
// callback's errors and streams that broke off first.
//
// The SDK reports:
//   - *anthropic.Error for an HTTP status >= 400, with the body's
//     error.type and error.message and the request-id header, and for an
//     "error" event inside a stream (then StatusCode is the stream's 200);
//   - the HTTP client's *url.Error when no response came;
//   - a plain error when a 2xx body could not be read or decoded.
func mapError(provider, endpoint string, err error, now time.Time) *providers.Error {
	var (
		ae *anthropic.Error
		ue *url.Error
	)
	switch {
	case errors.As(err, &ae):
		return fromAPIError(provider, ae, now)
	case errors.As(err, &ue):
		return &providers.Error{Provider: provider, Kind: providers.KindUnavailable, Err: err,
			Message: fmt.Sprintf("cannot reach Anthropic at %s: %s", endpoint, providers.DescribeNetError(ue.Err))}
	}
	return &providers.Error{Provider: provider, Kind: providers.KindUnavailable, Err: err,
		Message: fmt.Sprintf("unreadable answer from Anthropic at %s: %s", endpoint, err)}
}

// fromAPIError converts an API error: the kind from its type (or status),
// the server's message, the status if it was an HTTP error, and the
// retry-after its headers ask for. Err keeps the SDK's error, with the
// request's credentials removed.
func fromAPIError(provider string, ae *anthropic.Error, now time.Time) *providers.Error {
	msg := strings.TrimSpace(ae.Message)
	pe := &providers.Error{
		Provider: provider,
		Kind:     kindFor(ae.StatusCode, string(ae.Type()), msg),
		Message:  msg,
		Err:      withoutCredentials(ae),
	}
	if ae.StatusCode >= 400 {
		pe.StatusCode = ae.StatusCode
	}
	if pe.Message == "" {
		pe.Message = statusText(ae.StatusCode)
	}
	if outOfCredit(ae.StatusCode, string(ae.Type()), msg) {
		pe.Message = providers.WithBillingAdvice(pe.Message)
	}
	if ae.Response != nil {
		pe.RetryAfter = retryAfter(ae.Response.Header, now)
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

// retryAfter reads how long to wait from the headers of an error response:
// retry-after (seconds or an HTTP date), else the anthropic-ratelimit-*-reset
// times (RFC 3339) — the latest among the limits with nothing remaining, or
// the earliest if none says so. It is 0 when they say nothing usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("retry-after")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
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

// interrupted describes a stream that ended without message_stop, having
// delivered chunks pieces; err is why it broke off, or nil when the body
// ended cleanly (which a healthy server never does).
func interrupted(provider, endpoint string, chunks int, err error) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindInterrupted, Err: err}
	var se *json.SyntaxError
	switch {
	case err == nil:
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s ended after %d chunks without message_stop", endpoint, chunks)
	case errors.As(err, &se):
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s broke off after %d chunks: an event was not valid JSON: %v", endpoint, chunks, err)
	default:
		pe.Message = fmt.Sprintf("the answer from Anthropic at %s broke off after %d chunks: %s", endpoint, chunks, providers.DescribeNetError(err))
	}
	return pe
}

// withoutCredentials returns a copy of ae that no longer holds the request's
// headers, where the API key is, or a password in its URL: Err of a
// providers.Error may be logged or printed in full. What ae.Error() says
// stays the same.
func withoutCredentials(ae *anthropic.Error) *anthropic.Error {
	c := *ae
	if ae.Request != nil {
		u := *ae.Request.URL
		u.User = nil
		c.Request = &http.Request{Method: ae.Request.Method, URL: &u, Header: http.Header{}}
	}
	if ae.Response != nil {
		r := *ae.Response
		r.Request = c.Request
		c.Response = &r
	}
	return &c
}

// scrub takes the API key and the base URL's credentials out of pe, which
// is about to leave the provider, wherever the server quoted them back (see
// providers.Redactor); an SDK error in Err is replaced by a copy without
// them.
func (p *Provider) scrub(pe *providers.Error) *providers.Error {
	if ae, ok := pe.Err.(*anthropic.Error); ok {
		pe.Err = redactAPIError(ae, p.secrets)
	}
	return p.secrets.RedactProviderError(pe)
}

// redactAPIError returns a copy of ae without the request's headers (see
// withoutCredentials) in which nothing shows what r takes out: not the
// message, the body it came from (what ae.Error() quotes), the request ID
// nor the response's headers. The response's body, already read into those
// fields, is not kept. Should the body no longer be JSON once redacted, the
// copy has no error type; callers classify ae before.
func redactAPIError(ae *anthropic.Error, r *providers.Redactor) *anthropic.Error {
	c := withoutCredentials(ae)
	if raw := ae.RawJSON(); r.Shows(raw) {
		var clean anthropic.Error
		_ = clean.UnmarshalJSON([]byte(r.Redact(raw))) // a body that is not JSON is kept as text
		clean.StatusCode, clean.Request, clean.Response = c.StatusCode, c.Request, c.Response
		clean.RequestID, clean.WorkspaceID = c.RequestID, c.WorkspaceID
		c = &clean
	}
	c.Message = r.Redact(ae.Message)
	c.RequestID, c.WorkspaceID = r.Redact(c.RequestID), r.Redact(c.WorkspaceID)
	if c.Response != nil {
		c.Response.Header = r.RedactHeader(c.Response.Header)
		c.Response.Body = http.NoBody
	}
	return c
}
