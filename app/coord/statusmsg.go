package coord

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/aiex-dev/aiex/providers"
)

// attemptMessage is err's message as t's attempt records it: an error
// answer of t's server (an HTTP status of 400 or more) with its status and
// address, "HTTP 500 from http://127.0.0.1:8080/v1: internal error", "HTTP
// 429 from …: slow down". The server's own message alone ("openai:
// internal error") said neither that a server answered nor which.
func attemptMessage(t *target, err error) string {
	return answerMessage(t.Provider.Endpoint(), err)
}

// ProviderMessage is err, an error of provider p, as a message that says
// the HTTP status and address of an error answer of its server: "HTTP 500
// from http://127.0.0.1:11434: something went wrong", as a request's
// attempt records it.
func ProviderMessage(p providers.Provider, err error) string {
	return answerMessage(p.Endpoint(), err)
}

// answerMessage is err's message, of a provider whose server is at end,
// led by the HTTP status and end when a server answered it with an error
// status and the message does not say so already (a proxy's answer:
// providers.ErrorAnswerMessage, "502 Bad Gateway from URL (…)"; a message
// that names the address). A key the server refused (401, 403) is said so
// too, "HTTP 401 from URL: …", the provider's advice on the key after the
// server's message; a missing key, refused before anything was sent, has
// no status and is left as the provider says it.
func answerMessage(end string, err error) string {
	msg := errMessage(err)
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.StatusCode < 400 || end == "" {
		return msg
	}
	if mentionsURL(msg, end) || messageStatus(msg) == pe.StatusCode {
		return msg
	}
	return fmt.Sprintf("HTTP %d from %s: %s", pe.StatusCode, end, msg)
}

// leadingStatus matches the HTTP status a message begins with: "HTTP 500
// from …" (answerMessage), "HTTP status 599 …", "502 Bad Gateway from …".
var leadingStatus = regexp.MustCompile(`^(?:HTTP (?:status )?)?([1-5][0-9][0-9])\b`)

// messageStatus is the HTTP status msg, a recorded attempt's message,
// begins with, or 0.
func messageStatus(msg string) int {
	m := leadingStatus.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// message is err's message as the request says and records it: the
// attempt's (attemptMessage) when err is a provider's of this coordinator.
func (c *Coordinator) message(err error) string {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.StatusCode >= 400 {
		for _, t := range c.allTargets() {
			if t.name == pe.Provider {
				return attemptMessage(t, err)
			}
		}
	}
	return errMessage(err)
}

// rateLimitNote is what the record of a request a provider refused as
// rate limited adds to its message: "(rate limited; retry after 7s)", or
// "" for another error. The message says the status (429) but not always
// what it means, and the wait asked for was said to the user only.
func rateLimitNote(err error) string {
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindRateLimited || pe.StatusCode == 0 {
		return "" // not a server's refusal (a local rate limit says what it is)
	}
	if pe.RetryAfter > 0 {
		return fmt.Sprintf(" (rate limited; retry after %s)", ceilSecond(pe.RetryAfter))
	}
	return " (rate limited)"
}
