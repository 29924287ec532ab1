package providers

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// RedactURL returns u as a string without its user name and password, and
// with its query's values replaced by Redacted (gateways take keys as
// "?key=…"), for messages, logs and Endpoint. A URL written without "//",
// such as "user:secret@host:8080", parses with "user" as its scheme and
// the rest as opaque data; the credentials are taken out of that too.
func RedactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if i := strings.LastIndex(c.Opaque, "@"); i >= 0 {
		c.Opaque = c.Opaque[i+1:]
	}
	if c.RawQuery != "" {
		params := strings.Split(c.RawQuery, "&")
		for i, p := range params {
			if k, _, ok := strings.Cut(p, "="); ok {
				params[i] = k + "=" + Redacted
			}
		}
		c.RawQuery = strings.Join(params, "&")
	}
	return c.String()
}

// RedactURLString returns s, a URL as configured, fit to quote in an error
// about it: s itself when it holds no user information, else s parsed and
// without it (see RedactURL), or "[redacted]" when it does not parse. A
// password in a base URL must not reach messages or logs.
func RedactURLString(s string) string {
	if !strings.ContainsAny(s, "@?") {
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Redacted
	}
	return RedactURL(u)
}

// Redacted is what stands in a message where a secret was.
const Redacted = "[redacted]"

// The lengths that decide what a Redactor takes out; see Redactor.
const (
	// MinSecretLen is the length below which a value is not treated as a
	// secret at all.
	MinSecretLen = 4
	// FragmentLen is the length from which a run of a secret's bytes is
	// taken out wherever it appears.
	FragmentLen = 8
)

// A Redactor takes the credentials a provider sends out of everything that
// leaves the provider: error messages, the parts of answers quoted in them,
// and the errors they wrap. Servers do echo credentials back: OpenAI names
// a masked key in "Incorrect API key provided: sk-…", and some gateways and
// proxies quote the whole key, or the Authorization header, they received.
//
// It takes out every run of at least FragmentLen bytes that also occurs in
// one of its secrets, not only whole secrets, so that a key echoed in part
// (cut short, or with its middle elided) goes too. Each such run, however
// long, becomes Redacted. A secret shorter than FragmentLen is taken out
// where it appears whole. A masked echo that shows fewer than FragmentLen
// bytes of the key in a row, such as OpenAI's "sk-…AbCd", stays readable:
// it tells the user which key was used without giving any of it away.
// Values shorter than MinSecretLen are not secrets worth the damage: a key
// "k" would take every k out of every message.
//
// The zero Redactor, and a nil one, take nothing out. A Redactor does not
// change after NewRedactor and is safe for concurrent use.
type Redactor struct {
	// grams holds, by length, every substring of that length of a secret:
	// the FragmentLen-byte ones of the long secrets, the whole short ones.
	grams map[int]map[string]struct{}
}

// NewRedactor returns a Redactor for secrets: API keys, passwords and the
// values of authorization headers as sent. Empty values and values shorter
// than MinSecretLen are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{grams: map[int]map[string]struct{}{}}
	for _, s := range secrets {
		if len(s) < MinSecretLen {
			continue
		}
		n := min(len(s), FragmentLen)
		set := r.grams[n]
		if set == nil {
			set = map[string]struct{}{}
			r.grams[n] = set
		}
		for i := 0; i+n <= len(s); i++ {
			set[s[i:i+n]] = struct{}{}
		}
	}
	return r
}

// URLSecrets returns the credentials in u: its query's values (a gateway's
// "?key=…"), and its user information, which net/http sends as Basic
// authentication when the request has no Authorization header of its own:
// the password and the header's value. A user name without a password is
// treated as a secret too, since it is then often a token.
func URLSecrets(u *url.URL) []string {
	if u == nil {
		return nil
	}
	// Query values: net/http quotes the whole URL in its errors.
	var out []string
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	if u.User == nil {
		return out
	}
	user := u.User.Username()
	pass, ok := u.User.Password()
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if !ok {
		return append(out, user, basic)
	}
	return append(out, pass, basic)
}

// Redact returns s with every secret, and every FragmentLen-byte run of
// one, replaced by Redacted.
func (r *Redactor) Redact(s string) string {
	hidden := r.find(s)
	if hidden == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hidden[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(Redacted)
		for i < len(s) && hidden[i] {
			i++
		}
	}
	return b.String()
}

// Shows reports whether s shows a secret or a FragmentLen-byte run of one.
func (r *Redactor) Shows(s string) bool { return r.find(s) != nil }

// find marks the bytes of s that belong to a secret's run, or returns nil
// if there are none.
func (r *Redactor) find(s string) []bool {
	if r == nil {
		return nil
	}
	var hidden []bool
	for n, set := range r.grams {
		for i := 0; i+n <= len(s); i++ {
			if _, ok := set[s[i:i+n]]; !ok {
				continue
			}
			if hidden == nil {
				hidden = make([]bool, len(s))
			}
			for j := i; j < i+n; j++ {
				hidden[j] = true
			}
		}
	}
	if hidden == nil {
		return nil
	}
	// Widen each run to whole characters, so that what is left is valid
	// UTF-8 when s was: forward over a character the run ends in, back
	// over one it starts in.
	for i := 1; i < len(s); i++ {
		if hidden[i-1] && !hidden[i] && !utf8.RuneStart(s[i]) {
			hidden[i] = true
		}
	}
	for i := len(s) - 1; i > 0; i-- {
		if hidden[i] && !hidden[i-1] && !utf8.RuneStart(s[i]) {
			hidden[i-1] = true
		}
	}
	return hidden
}

// RedactHeader returns a copy of h with the secrets taken out of its
// values, or h itself when none shows.
func (r *Redactor) RedactHeader(h http.Header) http.Header {
	var c http.Header
	for k, vs := range h {
		for i, v := range vs {
			if !r.Shows(v) {
				continue
			}
			if c == nil {
				c = h.Clone()
			}
			c[k][i] = r.Redact(v)
		}
	}
	if c == nil {
		return h
	}
	return c
}

// RedactError returns err unchanged when neither it nor any error it wraps
// shows a secret, however printed (%v, %+v, %#v). Otherwise it returns an
// error with err's text, the secrets taken out, that wraps nothing: what
// err wraps would show them again, so errors.Is and errors.As no longer
// see it. It cannot look into fields that are not printed, so provider
// packages first replace their own error types, whose fields hold what a
// server said, with copies without the secrets (which keeps errors.As
// working for them), then call RedactError for whatever is left.
func (r *Redactor) RedactError(err error) error {
	if err == nil || !r.showsIn(err) {
		return err
	}
	return &redactedError{msg: r.Redact(err.Error())}
}

// showsIn reports whether err or an error it wraps shows a secret.
func (r *Redactor) showsIn(err error) bool {
	if r == nil || len(r.grams) == 0 {
		return false
	}
	switch e := err.(type) {
	case nil:
		return false
	case interface{ Unwrap() []error }:
		for _, w := range e.Unwrap() {
			if r.showsIn(w) {
				return true
			}
		}
	case interface{ Unwrap() error }:
		if r.showsIn(e.Unwrap()) {
			return true
		}
	}
	// fmt, unlike a direct call of Error, survives a nil pointer in the chain.
	return r.Shows(fmt.Sprintf("%v", err)) || r.Shows(fmt.Sprintf("%+v", err)) || r.Shows(fmt.Sprintf("%#v", err))
}

// redactedError stands in for an error whose text showed a secret.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// RedactProviderError takes the secrets out of pe, in place, and returns
// it: out of Message and Models, and out of Err as RedactError does.
// Provider packages pass every *Error they build through it before
// returning it, after replacing an error of their own types in Err by a
// copy without the secrets.
func (r *Redactor) RedactProviderError(pe *Error) *Error {
	if pe == nil || r == nil {
		return pe
	}
	pe.Message = r.Redact(pe.Message)
	for i, m := range pe.Models {
		pe.Models[i] = r.Redact(m)
	}
	pe.Err = r.RedactError(pe.Err)
	return pe
}
