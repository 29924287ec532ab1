package ollama

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// mapError converts an error from the api client into a *providers.Error of
// provider, naming endpoint where the server could not be reached. It is pure;
// callers handle context errors and the caller's own callback errors first.
//
// The api client reports:
//   - api.StatusError for an HTTP status >= 400 with Ollama's {"error": …}
//     message (or the body's first line if it was not JSON);
//   - api.AuthorizationError for 401 (the server's message is dropped);
//   - *url.Error when the request could not be sent or no answer came;
//   - a plain error carrying the message of an {"error": …} line that the
//     server sent after the stream had started with 200 (its runner died or
//     the prompt did not fit), or of a line that was not JSON.
func mapError(provider, endpoint string, err error) *providers.Error {
	pe := &providers.Error{Provider: provider, Err: err}
	var (
		se api.StatusError
		ae api.AuthorizationError
		ue *url.Error
	)
	switch {
	case errors.As(err, &se):
		pe.StatusCode = se.StatusCode
		pe.Message = strings.TrimSpace(se.ErrorMessage)
		if pe.Message == "" {
			pe.Message = statusText(se.StatusCode, se.Status)
		}
		pe.Kind = kindForStatus(se.StatusCode, pe.Message)
		if se.StatusCode == http.StatusPaymentRequired {
			pe.Message = providers.WithBillingAdvice(pe.Message)
		}
	case errors.As(err, &ae):
		pe.StatusCode = ae.StatusCode
		pe.Kind = providers.KindAuth
		pe.Message = fmt.Sprintf("Ollama at %s refused the request: %s", endpoint, statusText(ae.StatusCode, ae.Status))
		if ae.SigninURL != "" {
			pe.Message += "; sign in at " + ae.SigninURL
		}
	case errors.As(err, &ue):
		pe.Kind = providers.KindUnavailable
		pe.Message = fmt.Sprintf("cannot reach Ollama at %s: %s", endpoint, providers.DescribeNetError(ue.Err))
	default:
		msg := strings.TrimSpace(err.Error())
		pe.Kind = providers.KindInterrupted
		if isContextLengthMessage(msg) {
			pe.Kind = providers.KindContextTooLong
		}
		pe.Message = "Ollama stopped the answer: " + msg
	}
	return pe
}

// kindForStatus classifies an HTTP status and the server's message.
func kindForStatus(code int, msg string) providers.ErrorKind {
	switch {
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return providers.KindAuth
	case code == http.StatusPaymentRequired:
		// A server that bills (ollama.com, a proxy) says the account
		// cannot pay: like bad credentials, it needs the user.
		return providers.KindAuth
	case code == http.StatusNotFound:
		return providers.KindNotFound
	case code == http.StatusTooManyRequests:
		return providers.KindRateLimited
	case code == http.StatusServiceUnavailable:
		// Ollama's scheduler answers 503 "server busy, please try again.
		// maximum pending requests exceeded" (OLLAMA_MAX_QUEUE).
		return providers.KindOverloaded
	case isContextLengthMessage(msg) && (code == http.StatusBadRequest || code == http.StatusInternalServerError):
		// The runner says 400 "the input length exceeds the context length";
		// the chat handler says 500 "input exceeds maximum context length …"
		// when truncation is off.
		return providers.KindContextTooLong
	case code >= 500, providers.TransientStatus(code):
		return providers.KindUnavailable
	case code >= 400:
		return providers.KindBadRequest
	default:
		return providers.KindUnavailable
	}
}

// isContextLengthMessage reports whether msg says the prompt did not fit.
func isContextLengthMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "context length") || strings.Contains(m, "context window")
}

// statusText prefers the response's status line, then Go's text for code.
func statusText(code int, status string) string {
	if status != "" {
		return status
	}
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("HTTP status %d", code)
}

// listed reports whether the server's list holds model, Ollama's default
// tag ":latest" given or not.
func listed(installed []string, model string) bool {
	full := model
	if !strings.Contains(full, ":") {
		full += ":latest"
	}
	for _, n := range installed {
		if n == model || n == full {
			return true
		}
	}
	return false
}

// notFoundMessage says that model is missing and what there is instead.
// Names are shown without Ollama's default ":latest" tag.
func notFoundMessage(model string, installed []string) string {
	if len(installed) == 0 {
		return fmt.Sprintf("model %q not found; no models installed; pull one with `ollama pull NAME`", model)
	}
	short := make([]string, len(installed))
	for i, n := range installed {
		short[i] = strings.TrimSuffix(n, ":latest")
	}
	return fmt.Sprintf("model %q not found; available: %s", model, strings.Join(short, ", "))
}
