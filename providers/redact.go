package providers

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
// A key's public prefix (see PublicPrefix), such as OpenAI's "sk-proj-" or
// Anthropic's "sk-ant-api03-", is no secret: every key of the kind starts
// with it, and questions and answers about keys quote it ("keys start with
// sk-proj-"). A run that lies wholly within it is left as it is; a run
// that holds even one byte of the key after it is taken out, together with
// the runs of the prefix it touches, so that a whole key still becomes one
// Redacted. Every FragmentLen-byte run with a byte of the secret part in
// it is thus taken out, as before.
//
// The zero Redactor, and a nil one, take nothing out. A Redactor does not
// change after NewRedactor and is safe for concurrent use.
//
// It looks at every byte of a text once per length of run it knows (one
// length, FragmentLen, unless a secret is shorter), through a bit filter
// that rules out almost every position before its set is asked: the
// coordinator passes whole answers of up to 4 MiB through it before they
// are stored, which a map lookup of a substring at every byte made cost
// tens of milliseconds.
type Redactor struct {
	// grams holds, by length, every substring of that length of a secret:
	// the FragmentLen-byte ones of the long secrets, the whole short ones.
	grams map[int]*gramSet
}

// A gramSet is the substrings of one length n (at most 8) of the secrets,
// each as its bytes read as a little-endian number.
type gramSet struct {
	n int
	// set says of each substring whether it is public: it lies wholly
	// within a secret's public prefix, and nowhere holds a secret byte.
	set map[uint64]bool
	// filter has the bit filterBit(k) set for every k in set: a position
	// whose bit is clear holds none of them.
	filter [filterWords]uint64
}

// The filter's size: 2^16 bits, 8 KiB, which keeps a few hundred grams
// (three keys and a URL's password) to under one false hit in a hundred
// positions.
const (
	filterShift = 64 - 16
	filterWords = 1 << 16 / 64
)

// filterBit is k's bit in a filter: the top bits of k times a large odd
// number (Fibonacci hashing), which spreads keys that differ in any byte.
func filterBit(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> filterShift }

// add puts k in the set and its bit in the filter; a k that is secret
// anywhere is secret, whatever else adds it as public.
func (g *gramSet) add(k uint64, public bool) {
	if was, ok := g.set[k]; !ok || was {
		g.set[k] = public
	}
	b := filterBit(k)
	g.filter[b/64] |= 1 << (b % 64)
}

// gramKey reads the n (≤ 8) bytes of s at i as a little-endian number.
func gramKey(s string, i, n int) uint64 {
	if i+8 <= len(s) {
		k := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if n < 8 {
			k &= 1<<(8*n) - 1
		}
		return k
	}
	var k uint64
	for j := n - 1; j >= 0; j-- {
		k = k<<8 | uint64(s[i+j])
	}
	return k
}

// NewRedactor returns a Redactor for secrets: API keys, passwords and the
// values of authorization headers as sent. Empty values and values shorter
// than MinSecretLen are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{grams: map[int]*gramSet{}}
	for _, s := range secrets {
		if len(s) < MinSecretLen {
			continue
		}
		n := min(len(s), FragmentLen)
		p := 0
		if n == FragmentLen {
			p = len(PublicPrefix(s))
		}
		g := r.set(n)
		for i := 0; i+n <= len(s); i++ {
			g.add(gramKey(s, i, n), i+n <= p)
		}
	}
	return r
}

// The shape of a public prefix; see PublicPrefix.
const (
	maxPrefixLen     = 16
	maxPrefixSegment = 5
	minAfterPrefix   = 2 * FragmentLen
)

// PublicPrefix returns the leading part of key that names its kind rather
// than hides anything: the longest run, of at most 16 bytes, of segments
// of one to five ASCII letters or digits each followed by '-' or '_', as in
// "sk-", "sk-proj-", "sk-ant-api03-", "gsk_" and "xai-". A key must have at
// least 16 bytes after it, else it has none: a short password with dashes
// in it ("hunter2-x-") is secret all through. Segments are short so that
// the words of a passphrase ("correct-horse-…") are not taken for one.
// The key's secret part may itself start with such a segment; the prefix
// then takes those few bytes in too, which leaves them readable only where
// they appear with nothing more of the key.
func PublicPrefix(key string) string {
	p, seg := 0, 0
scan:
	for i := 0; i < len(key) && i < maxPrefixLen; i++ {
		switch c := key[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			if seg++; seg > maxPrefixSegment {
				break scan
			}
		case (c == '-' || c == '_') && seg > 0:
			p, seg = i+1, 0
		default:
			break scan
		}
	}
	if len(key)-p < minAfterPrefix {
		return ""
	}
	return key[:p]
}

// JoinRedactors returns a Redactor that takes out what each of rs takes
// out: the credentials of several providers at once. Nil ones are skipped.
func JoinRedactors(rs ...*Redactor) *Redactor {
	out := &Redactor{grams: map[int]*gramSet{}}
	for _, r := range rs {
		if r == nil {
			continue
		}
		for n, g := range r.grams {
			o := out.set(n)
			for k, public := range g.set {
				o.add(k, public)
			}
		}
	}
	return out
}

// set returns r's set of grams of length n, made if need be.
func (r *Redactor) set(n int) *gramSet {
	g := r.grams[n]
	if g == nil {
		g = &gramSet{n: n, set: map[uint64]bool{}}
		r.grams[n] = g
	}
	return g
}

// Empty reports whether r takes nothing out: it knows no secret.
func (r *Redactor) Empty() bool { return r == nil || len(r.grams) == 0 }

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
// one that is not wholly within its public prefix, replaced by Redacted
// (see Redactor). It returns s itself when none shows.
func (r *Redactor) Redact(s string) string {
	runs := r.find(s, false)
	if runs == nil {
		return s
	}
	var b strings.Builder
	n := len(s)
	for _, run := range runs {
		n += len(Redacted) - (run.end - run.start)
	}
	b.Grow(n)
	at := 0
	for _, run := range runs {
		b.WriteString(s[at:run.start])
		b.WriteString(Redacted)
		at = run.end
	}
	b.WriteString(s[at:])
	return b.String()
}

// Shows reports whether s shows a secret or a FragmentLen-byte run of one
// that Redact would take out.
func (r *Redactor) Shows(s string) bool { return r.find(s, true) != nil }

// A span is the bytes [start, end) of a text; secret says whether it holds
// a run with a secret byte in it, or only runs of public prefixes.
type span struct {
	start, end int
	secret     bool
}

// find returns the runs of s that belong to a secret, in order, neither
// overlapping nor touching, or nil if there are none; with first, it stops
// at the first one found. A run of a public prefix belongs to a secret
// only when it overlaps or touches a run with a secret byte.
func (r *Redactor) find(s string, first bool) []span {
	if r == nil {
		return nil
	}
	var runs []span
	for _, g := range r.grams {
		n := g.n
		if len(s) < n {
			continue
		}
		// k is the n bytes at i, rolled on by a byte at a time; the
		// filter is asked first, the set only when it lets k through.
		k, top := gramKey(s, 0, n), uint(8*(n-1))
		own := len(runs) // the runs of this length start here
		for i := 0; ; i++ {
			if b := filterBit(k); g.filter[b/64]&(1<<(b%64)) != 0 {
				if public, ok := g.set[k]; ok {
					if first && !public {
						return []span{{i, i + n, true}}
					}
					if l := len(runs) - 1; l >= own && i <= runs[l].end {
						runs[l].end = i + n
						runs[l].secret = runs[l].secret || !public
					} else {
						runs = append(runs, span{i, i + n, !public})
					}
				}
			}
			if i+n >= len(s) {
				break
			}
			k = k>>8 | uint64(s[i+n])<<top
		}
	}
	if first || runs == nil {
		return nil // first: no run with a secret byte was found
	}
	// Widen each run to whole characters, so that what is left is valid
	// UTF-8 when s was: forward over a character the run ends in, back
	// over one it starts in.
	for i := range runs {
		for runs[i].end < len(s) && !utf8.RuneStart(s[runs[i].end]) {
			runs[i].end++
		}
		for runs[i].start > 0 && !utf8.RuneStart(s[runs[i].start]) {
			runs[i].start--
		}
	}
	// Runs of different lengths were found apart: sort and join them.
	if len(r.grams) > 1 {
		slices.SortFunc(runs, func(a, b span) int { return a.start - b.start })
	}
	out := runs[:1]
	for _, run := range runs[1:] {
		if l := len(out) - 1; run.start <= out[l].end {
			out[l].end = max(out[l].end, run.end)
			out[l].secret = out[l].secret || run.secret
			continue
		}
		out = append(out, run)
	}
	// Runs of public prefixes alone are not taken out.
	out = slices.DeleteFunc(out, func(run span) bool { return !run.secret })
	if len(out) == 0 {
		return nil
	}
	return out
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
	if r.Empty() {
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
