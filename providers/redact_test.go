package providers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://gw.example.com/v1", "https://gw.example.com/v1"},
		{"https://user:s3cretpass@gw.example.com/v1?x=1", "https://gw.example.com/v1?x=[redacted]"},
		{"https://gw.example.com/v1?key=AIzaSecretKey123&api-version=2", "https://gw.example.com/v1?key=[redacted]&api-version=[redacted]"},
		{"htps://user:s3cretpass@gw.example.com/v1", "htps://gw.example.com/v1"},
		{"https://user@gw.example.com", "https://gw.example.com"},
		{"user:s3cretpass@gw.example.com:8080", "user:gw.example.com:8080"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.in, err)
		}
		if got := RedactURL(u); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://", "http://"},
		{"localhost:1234", "localhost:1234"},
		{"http://[::1", "http://[::1"},
		{"htps://user:s3cretpass@gw.example.com/v1", "htps://gw.example.com/v1"},
		{"http://user:s3cretpass@[::1", "[redacted]"},
		{"http://user:s3cret pass@gw.example.com", "[redacted]"},
		{"https://gw.example.com/v1?key=AIzaSecretKey123", "https://gw.example.com/v1?key=[redacted]"},
	}
	for _, tt := range tests {
		if got := RedactURLString(tt.in); got != tt.want {
			t.Errorf("RedactURLString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactorRedact(t *testing.T) {
	const key = "sk-ant-api03-Zq7xW2pLm9Kc4TvB8nR1yH6dF3gJ0sA5eU-Q999"
	r := NewRedactor(key, "hunter2", "abc", "")
	tests := []struct{ name, in, want string }{
		{"nothing", "Incorrect API key provided", "Incorrect API key provided"},
		{"whole key", "Incorrect API key provided: " + key + ".", "Incorrect API key provided: [redacted]."},
		{"twice", key + " and " + key, "[redacted] and [redacted]"},
		{"as a bearer token", "Authorization: Bearer " + key, "Authorization: Bearer [redacted]"},
		{"cut short", "key " + key[:20] + "... is invalid", "key [redacted]... is invalid"},
		{"its end", "key ending in " + key[len(key)-10:], "key ending in [redacted]"},
		{"its middle", "got …" + key[15:30] + "…", "got …[redacted]…"},
		{"eight bytes of it", "x" + key[20:28] + "x", "x[redacted]x"},
		{"seven bytes of it", "x" + key[20:27] + "x", "x" + key[20:27] + "x"},
		{"masked as OpenAI does", "Incorrect API key provided: sk-***********************Q999.", "Incorrect API key provided: sk-***********************Q999."},
		{"a short secret whole", "password hunter2 refused", "password [redacted] refused"},
		{"a short secret in part", "password hunter refused", "password hunter refused"},
		{"below the minimum", "abc abcdef", "abc abcdef"},
		{"a fragment next to the key", key[:10] + key, "[redacted]"},
		{"JSON", `{"error":{"message":"bad key ` + key + `"}}`, `{"error":{"message":"bad key [redacted]"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got, want := r.Shows(tt.in), tt.in != tt.want; got != want {
				t.Errorf("Shows(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
	// Runs of a secret that start or end inside a character take all of it.
	const umlauts = "pässwörter-über-alles"
	ru := NewRedactor(umlauts)
	for _, in := range []string{"ä" + umlauts[3:11] + "ö", "x" + umlauts[2:12] + "x", umlauts[:9] + "€"} {
		got := ru.Redact(in)
		if !utf8.ValidString(got) || strings.Contains(got, umlauts[3:11]) || !strings.Contains(got, Redacted) {
			t.Errorf("Redact(%q) = %q, want valid UTF-8 without the secret", in, got)
		}
	}
	for _, z := range []*Redactor{nil, {}, NewRedactor()} {
		if got := z.Redact("any " + key); got != "any "+key {
			t.Errorf("an empty Redactor changed the text to %q", got)
		}
	}
}

func TestURLSecrets(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://gw.example.com", nil},
		{"https://user:s3cretpass@gw.example.com", []string{"s3cretpass", "dXNlcjpzM2NyZXRwYXNz"}},
		{"https://tok3n-0123@gw.example.com", []string{"tok3n-0123", "dG9rM24tMDEyMzo="}},
		{"https://gw.example.com/v1?key=AIzaSecretKey123", []string{"AIzaSecretKey123"}},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := URLSecrets(u); !slices.Equal(got, tt.want) {
			t.Errorf("URLSecrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	const key = "sk-0123456789abcdef"
	r := NewRedactor(key)
	h := http.Header{"Www-Authenticate": {`Bearer error_description="bad key ` + key + `"`}, "Request-Id": {"req_1"}}
	got := r.RedactHeader(h)
	if v := got.Get("WWW-Authenticate"); v != `Bearer error_description="bad key [redacted]"` {
		t.Errorf("WWW-Authenticate = %q", v)
	}
	if got.Get("Request-Id") != "req_1" {
		t.Errorf("Request-Id = %q", got.Get("Request-Id"))
	}
	if !strings.Contains(h.Get("WWW-Authenticate"), key) {
		t.Error("RedactHeader changed the header it was given")
	}
	clean := http.Header{"A": {"b"}}
	if got := r.RedactHeader(clean); &got["A"][0] != &clean["A"][0] {
		t.Error("RedactHeader copied a header without secrets")
	}
}

// keyError is an error whose text shows nothing but whose %+v does.
type keyError struct{ key string }

func (e *keyError) Error() string { return "refused" }

func (e *keyError) Format(s fmt.State, verb rune) {
	if s.Flag('+') {
		fmt.Fprintf(s, "refused key %s", e.key)
		return
	}
	fmt.Fprint(s, e.Error())
}

func TestRedactError(t *testing.T) {
	const key = "sk-0123456789abcdef"
	r := NewRedactor(key)
	clean := fmt.Errorf("dial: %w", io.ErrUnexpectedEOF)
	if got := r.RedactError(clean); got != clean {
		t.Errorf("RedactError changed an error without secrets: %v", got)
	}
	for _, err := range []error{
		errors.New("bad key " + key),
		fmt.Errorf("chat: %w", errors.New("bad key "+key)),
		fmt.Errorf("chat: %w", &keyError{key}),
		errors.Join(io.EOF, errors.New("bad key "+key)),
	} {
		got := r.RedactError(err)
		for e := got; e != nil; e = errors.Unwrap(e) {
			for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
				if strings.Contains(s, key) {
					t.Errorf("RedactError(%v): %s", err, s)
				}
			}
		}
		if want := r.Redact(err.Error()); got.Error() != want {
			t.Errorf("RedactError(%v) = %q, want %q", err, got.Error(), want)
		}
	}
	if r.RedactError(nil) != nil {
		t.Error("RedactError(nil) is not nil")
	}
}

func TestRedactProviderError(t *testing.T) {
	const key = "sk-0123456789abcdef"
	r := NewRedactor(key)
	pe := r.RedactProviderError(&Error{
		Provider: "p", Kind: KindNotFound, StatusCode: 404,
		Message: "no model " + key, Models: []string{"m1", key},
		Err: errors.New("404: no model " + key),
	})
	want := &Error{Provider: "p", Kind: KindNotFound, StatusCode: 404,
		Message: "no model [redacted]", Models: []string{"m1", "[redacted]"}}
	if pe.Provider != want.Provider || pe.Kind != want.Kind || pe.StatusCode != want.StatusCode ||
		pe.Message != want.Message || !slices.Equal(pe.Models, want.Models) {
		t.Errorf("got %+v, want %+v", pe, want)
	}
	if pe.Err == nil || pe.Err.Error() != "404: no model [redacted]" {
		t.Errorf("Err = %v", pe.Err)
	}
	if r.RedactProviderError(nil) != nil {
		t.Error("RedactProviderError(nil) is not nil")
	}
}
