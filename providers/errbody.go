package providers

import (
	"bytes"
	"cmp"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxExcerpt bounds, in characters, the excerpt of an answer's body that
// BodyExcerpt returns.
const MaxExcerpt = 200

// maxServerName bounds the Server header's value as AnswerNote quotes it.
const maxServerName = 40

// maxExcerptScan bounds how much of a body BodyExcerpt looks at: an error
// page's title and first words come early.
const maxExcerptScan = 64 << 10

// ErrorAnswerMessage is the Message of an HTTP error answer whose body is
// not the provider's error object (a proxy's or gateway's own page, plain
// text, nothing): status as text ("502 Bad Gateway"), endpoint, the base
// URL the request went to, and note, AnswerNote's account of the answer, in
// parentheses unless it is empty:
//
//	502 Bad Gateway from https://gw.example/v1 (nginx: 502 Bad Gateway)
func ErrorAnswerMessage(status, endpoint, note string) string {
	msg := status
	if endpoint != "" {
		msg += " from " + endpoint
	}
	if note != "" {
		msg += " (" + note + ")"
	}
	return msg
}

// AnswerNote says in a few words who sent an HTTP error answer whose body
// is not the provider's error object, and why: the Server header's value
// (the proxy, gateway or CDN that answered, shortened), then BodyExcerpt of
// the body, or "empty body" when it has none. It is "" when the answer says
// nothing of either.
//
//	nginx: 502 Bad Gateway
//	envoy: upstream connect error or disconnect/reset before headers. reset reason: connection failure
//	cloudflare: empty body
//
// Its text is safe to show: one line, without control characters or escape
// sequences, and without a token that follows "Bearer" or "Basic". The
// provider's own credentials are not known here: callers pass the message
// that quotes it through their Redactor.
func AnswerNote(h http.Header, body []byte) string {
	server := truncate(sanitize(h.Get("Server")), maxServerName)
	what := BodyExcerpt(h.Get("Content-Type"), body)
	if what == "" && len(bytes.TrimSpace(body)) == 0 {
		what = "empty body"
	}
	switch {
	case server == "":
		return what
	case what == "", strings.EqualFold(what, server):
		return server
	}
	return server + ": " + what
}

// BodyExcerpt returns the text of an answer's body, with contentType its
// Content-Type header, fit to quote in a one-line message: at most
// MaxExcerpt characters (cut at a space where it can be, and marked "…"),
// white space collapsed, control characters, terminal escape sequences and
// invisible formatting characters taken out, and a token after "Bearer" or
// "Basic" replaced by Redacted. Of a web page (HTML, by its type or its
// first tag) it is the title, which names the error and often who sent it
// ("example.com | 502: Bad gateway"), or the page's visible text when the
// title is missing; the rest of a body is taken as text. It is "" when the
// body holds no text.
func BodyExcerpt(contentType string, body []byte) string {
	if len(body) > maxExcerptScan {
		body = body[:maxExcerptScan]
	}
	var text string
	if isHTML(contentType, body) {
		title, visible := htmlText(string(body))
		text = cmp.Or(sanitize(title), sanitize(visible))
	} else {
		text = sanitize(string(body))
	}
	return truncate(maskAuthTokens(text), MaxExcerpt)
}

// isHTML reports whether a body is a web page: its type says so, or it
// begins with a tag that only HTML begins with.
func isHTML(contentType string, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := strings.ToLower(string(b[:min(len(b), 16)]))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<title", "<!--", "<?xml"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// htmlText returns the text of page's first <title>, and the text a
// browser would show of the rest: the text between tags, with comments and
// the content of <script>, <style>, <noscript> and <template> left out,
// and character references decoded.
func htmlText(page string) (title, visible string) {
	var (
		vis, tb strings.Builder
		skip    int // depth inside elements whose content is left out
		inTitle bool
		titled  bool
	)
	z := xhtml.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case xhtml.ErrorToken: // the end of the page, or of what was read
			if inTitle && !titled {
				title = tb.String()
			}
			return title, vis.String()
		case xhtml.TextToken:
			switch {
			case inTitle:
				tb.Write(z.Text())
			case skip == 0:
				vis.Write(z.Text())
				vis.WriteByte(' ')
			}
		case xhtml.StartTagToken:
			switch a, _ := z.TagName(); atom.Lookup(a) {
			case atom.Title:
				inTitle = !titled
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				skip++
			}
		case xhtml.EndTagToken:
			switch a, _ := z.TagName(); atom.Lookup(a) {
			case atom.Title:
				if inTitle {
					inTitle, titled, title = false, true, tb.String()
				}
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				skip = max(0, skip-1)
			}
		}
	}
}

// sanitize returns s on one line: invalid UTF-8, control and formatting
// characters and terminal escape sequences taken out, white space runs as
// one space, trimmed.
func sanitize(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			// Not UTF-8: dropped.
		case r == 0x1b:
			n += escapeLen(s[i+n:])
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsPrint(r):
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// escapeLen returns the length of the rest of a terminal escape sequence
// whose ESC came just before s: a CSI sequence ("[31m") runs to its final
// byte, an OSC one ("]0;title") to BEL or ESC \, any other is one byte.
func escapeLen(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		for i := 1; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 1; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 1
}

// maskAuthTokens replaces the word after each "Bearer" or "Basic" (any
// case) in s, one line of text, with Redacted when it looks like a
// credential: an error page that echoes the request's Authorization header
// shows one there. A word is taken for a credential when it has a digit or
// one of "-_.+/=", or is 20 characters long, so that prose ("Basic
// authentication required") stays.
func maskAuthTokens(s string) string {
	words := strings.Split(s, " ")
	for i := 1; i < len(words); i++ {
		prev := strings.ToLower(strings.TrimRight(words[i-1], ":=\"'"))
		if (prev == "bearer" || prev == "basic") && looksLikeToken(words[i]) {
			words[i] = Redacted
		}
	}
	return strings.Join(words, " ")
}

// looksLikeToken reports whether w, one word, may be a credential; see
// maskAuthTokens.
func looksLikeToken(w string) bool {
	return len(w) >= MinSecretLen && (len(w) >= 20 || strings.ContainsAny(w, "0123456789-_.+/="))
}

// truncate returns s cut to at most n characters, "…" included, at the
// last space in its second half if there is one, so that a word (a token
// that a Redactor would recognise whole) is not cut in two.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := len(r)
	for i := len(r) - 1; i >= len(r)/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ") + "…"
}
