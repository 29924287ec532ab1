package providers

import (
	"net/url"
	"strings"
)

// RedactURL returns u as a string without its user name and password, for
// messages, logs and Endpoint. A URL written without "//", such as
// "user:secret@host:8080", parses with "user" as its scheme and the rest as
// opaque data; the credentials are taken out of that too.
func RedactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if i := strings.LastIndex(c.Opaque, "@"); i >= 0 {
		c.Opaque = c.Opaque[i+1:]
	}
	return c.String()
}

// RedactURLString returns s, a URL as configured, fit to quote in an error
// about it: s itself when it holds no user information, else s parsed and
// without it (see RedactURL), or "[redacted]" when it does not parse. A
// password in a base URL must not reach messages or logs.
func RedactURLString(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "[redacted]"
	}
	return RedactURL(u)
}
