package providers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAnswerNoteOfProxies checks the notes on the error answers of real
// proxies and gateways, read from a server as a client gets them.
func TestAnswerNoteOfProxies(t *testing.T) {
	for _, a := range providertest.ProxyAnswers {
		t.Run(a.Name, func(t *testing.T) {
			resp, err := http.Get(providertest.NewProxy(t, a))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got := providers.AnswerNote(resp.Header, body); got != a.Note {
				t.Errorf("AnswerNote = %q, want %q", got, a.Note)
			}
		})
	}
}

func TestAnswerNote(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   string
	}{
		{"nothing at all", nil, "", "empty body"},
		{"white space only", nil, " \r\n", "empty body"},
		{"server only", http.Header{"Server": {"openresty"}}, "<html><script>x()</script></html>", "openresty"},
		{"page names the server", http.Header{"Server": {"nginx"}, "Content-Type": {"text/html"}}, "<html><body>NGINX</body></html>", "nginx"},
		{"JSON of another shape", http.Header{"Server": {"uvicorn"}, "Content-Type": {"application/json"}}, "{\"detail\":\n  \"Not Found\"}", `uvicorn: {"detail": "Not Found"}`},
		{"long server name", http.Header{"Server": {"Microsoft-Azure-Application-Gateway/v2 with a very long build tag"}}, "", "Microsoft-Azure-Application-Gateway/v2…: empty body"},
		{"server with control characters", http.Header{"Server": {"evil\x1b[2Jproxy"}}, "no", "evilproxy: no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			if got := providers.AnswerNote(h, []byte(tt.body)); got != tt.want {
				t.Errorf("AnswerNote = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBodyExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name, contentType, body, want string
	}{
		{"title wins", "text/html", "<html><head><title> Sign in &amp; go </title></head><body><h1>Welcome</h1></body></html>", "Sign in & go"},
		{"text without a title", "text/html", "<html><body><h1>Bad</h1><p>gateway&nbsp;here</p></body></html>", "Bad gateway here"},
		{"HTML by its first tag", "", "\n<!DOCTYPE html><html><title>Access denied</title></html>", "Access denied"},
		{"head left open", "text/html", "<html><head><meta charset=utf-8><style>p{}</style><body>Service down</body></html>", "Service down"},
		{"scripts and comments left out", "text/html", "<html><body><!-- <b>hidden</b> --><script>var a = '<b>no</b>';</script><noscript>Enable JS</noscript>shown</body></html>", "shown"},
		{"plain text on one line", "text/plain", "line one\r\n\r\n\tline two\n", "line one line two"},
		{"escape sequences and controls", "", "\x1b]0;title\x07red\x1b[1;31m!\x1b[0m\x00\x7f done", "red! done"},
		{"invisible characters", "", "a\u202eb\u200bc\ufeff", "abc"},
		{"not UTF-8", "", "caf\xe9 \xff\xfeok", "caf ok"},
		{"bearer token", "text/plain", "bad header Authorization: Bearer abc.def-ghi_jkl", "bad header Authorization: Bearer [redacted]"},
		{"basic credentials", "text/plain", "got Basic dXNlcjpwYXNz=", "got Basic [redacted]"},
		{"prose after Basic stays", "text/plain", "Basic authentication required", "Basic authentication required"},
		{"cut at a space", "text/plain", long, strings.TrimSpace(strings.Repeat("word ", 39)) + "…"},
		{"cut inside a long word", "text/plain", strings.Repeat("x", 300), strings.Repeat("x", providers.MaxExcerpt-1) + "…"},
		{"no text", "text/html", "<html><style>a{}</style></html>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := providers.BodyExcerpt(tt.contentType, []byte(tt.body))
			if got != tt.want {
				t.Errorf("BodyExcerpt = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > providers.MaxExcerpt {
				t.Errorf("excerpt of %d characters, want at most %d", n, providers.MaxExcerpt)
			}
			for _, r := range got {
				if !unicode.IsPrint(r) && r != ' ' {
					t.Errorf("excerpt holds %U", r)
				}
			}
		})
	}
}

// TestBodyExcerptLongPage checks a page whose title comes after more than
// the part of the body that is looked at: the excerpt is bounded, and the
// page's first text stands in for the title.
func TestBodyExcerptLongPage(t *testing.T) {
	body := "<html><body><p>first words</p>" + strings.Repeat("<p>filler</p>", 20000) + "<title>late</title></body></html>"
	if got := providers.BodyExcerpt("text/html", []byte(body)); !strings.HasPrefix(got, "first words filler") || utf8.RuneCountInString(got) > providers.MaxExcerpt {
		t.Errorf("BodyExcerpt = %q", got)
	}
}

// TestAnswerNoteRedacted checks that a Redactor takes a provider's key out
// of a message that quotes a note on a page that echoes it, also where the
// excerpt was cut inside the key's line.
func TestAnswerNoteRedacted(t *testing.T) {
	const key = "sk-proj-0123456789abcdefghijklmnop"
	r := providers.NewRedactor(key)
	body := "<html><body><p>" + strings.Repeat("padding ", 22) + "your key " + key + " was refused</p></body></html>"
	note := providers.AnswerNote(http.Header{"Content-Type": {"text/html"}}, []byte(body))
	msg := r.Redact(providers.ErrorAnswerMessage("401 Unauthorized", "https://gw.example/v1", note))
	if strings.Contains(msg, key[:providers.FragmentLen]) || strings.Contains(msg, key[len(key)-providers.FragmentLen:]) {
		t.Errorf("message shows the key: %q", msg)
	}
	if !strings.HasPrefix(msg, "401 Unauthorized from https://gw.example/v1 (padding") {
		t.Errorf("message = %q", msg)
	}
}

func TestErrorAnswerMessage(t *testing.T) {
	for _, tt := range []struct{ status, endpoint, note, want string }{
		{"502 Bad Gateway", "https://gw.example/v1", "nginx: 502 Bad Gateway", "502 Bad Gateway from https://gw.example/v1 (nginx: 502 Bad Gateway)"},
		{"502 Bad Gateway", "https://gw.example/v1", "", "502 Bad Gateway from https://gw.example/v1"},
		{"502 Bad Gateway", "", "empty body", "502 Bad Gateway (empty body)"},
	} {
		if got := providers.ErrorAnswerMessage(tt.status, tt.endpoint, tt.note); got != tt.want {
			t.Errorf("ErrorAnswerMessage(%q, %q, %q) = %q, want %q", tt.status, tt.endpoint, tt.note, got, tt.want)
		}
	}
}
