package providers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrorKind classifies a provider failure so callers can decide whether to
// retry, fail over or tell the user.
type ErrorKind string

// The kinds of provider error.
const (
	KindAuth           ErrorKind = "auth"             // bad or missing credentials
	KindRateLimited    ErrorKind = "rate_limited"     // slow down; see RetryAfter
	KindOverloaded     ErrorKind = "overloaded"       // the server is busy; retry later
	KindBadRequest     ErrorKind = "bad_request"      // the request itself is wrong
	KindContextTooLong ErrorKind = "context_too_long" // the prompt exceeds the model's window
	KindNotFound       ErrorKind = "not_found"        // no such model
	KindUnavailable    ErrorKind = "unavailable"      // the server cannot be reached
	KindInterrupted    ErrorKind = "interrupted"      // the stream broke off before its end
)

// Error is the one error type providers return.
type Error struct {
	Provider   string    // configured provider name
	Kind       ErrorKind // what went wrong
	StatusCode int       // HTTP status, when there was one
	Message    string    // the provider's own message, or ours
	RetryAfter time.Duration
	// NoRetry says the server asked that this request not be sent to it
	// again (OpenAI's and Anthropic's "x-should-retry: false"): a fault of
	// a retryable kind then fails over at once. See ApplyShouldRetry.
	NoRetry bool
	// Models lists the models the provider does serve, for KindNotFound.
	Models []string
	Err    error // the underlying error, if any
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("%s: %s: %s", e.Provider, e.Kind, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// NoKeyError is the error of a request not sent: provider has no API key,
// and its API is one that refuses every request without one. advice says
// how to supply a key ("set OPENAI_API_KEY").
func NoKeyError(provider, advice string) *Error {
	return &Error{Provider: provider, Kind: KindAuth, Message: "no API key configured: " + advice}
}

// KindOf reports the kind of a provider error in err's chain, or "" if there is none.
func KindOf(err error) ErrorKind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

// TransientStatus reports whether an HTTP error status says that the same
// request may well succeed if sent again, though it is not a server error:
// 408 Request Timeout (a proxy or load balancer gave up waiting) and 409
// Conflict (the API's lock timed out). OpenAI's and Anthropic's official SDKs
// retry both; they are KindUnavailable, not the caller's bad request.
func TransientStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusConflict
}

// ApplyShouldRetry adjusts pe, mapped from an HTTP error answer with
// headers h, to what the server says of sending the request again in its
// "x-should-retry" header (OpenAI and Anthropic send it on errors; their
// SDKs follow it over their own rules): "false" marks a fault of a kind
// otherwise retried NoRetry, and "true" makes a bad request, which would
// end the request, KindUnavailable, which is retried and fails over.
// Without the header pe is left as it is.
func ApplyShouldRetry(pe *Error, h http.Header) {
	switch strings.ToLower(strings.TrimSpace(h.Get("x-should-retry"))) {
	case "false":
		pe.NoRetry = true
	case "true":
		if pe.Kind == KindBadRequest {
			pe.Kind = KindUnavailable
		}
	}
}

// WithBillingAdvice returns msg, a server's message saying that the account
// cannot pay for the request (no credit, an unpaid plan), with what the user
// can do about it added unless msg already points to the billing settings.
// Such errors are KindAuth: like bad credentials they need the user, and
// another provider may still answer.
func WithBillingAdvice(msg string) string {
	const advice = "the account is out of credit: add credit or check its billing settings"
	if strings.Contains(strings.ToLower(msg), "billing") {
		return msg
	}
	if strings.HasSuffix(msg, ")") {
		// A note in parentheses ends it already (ErrorAnswerMessage): one
		// pair holds both.
		return strings.TrimSuffix(msg, ")") + "; " + advice + ")"
	}
	return msg + " (" + advice + ")"
}
