package providers

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
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

func TestJoinRedactors(t *testing.T) {
	const openaiKey, anthropicKey = "sk-proj-0123456789abcdefghij", "sk-ant-api03-ZYXWVUTSRQPONM"
	j := JoinRedactors(NewRedactor(openaiKey), nil, NewRedactor(anthropicKey, "hunter2"))
	in := "keys " + openaiKey + ", " + anthropicKey[4:20] + " and hunter2; hunter stays"
	if got, want := j.Redact(in), "keys [redacted], [redacted] and [redacted]; hunter stays"; got != want {
		t.Errorf("Redact(%q) = %q, want %q", in, got, want)
	}
	for _, z := range []*Redactor{JoinRedactors(), JoinRedactors(nil, NewRedactor("ab"))} {
		if !z.Empty() || z.Redact(in) != in {
			t.Errorf("a join of Redactors without secrets took something out: %q", z.Redact(in))
		}
	}
	if j.Empty() || !(*Redactor)(nil).Empty() {
		t.Error("Empty is wrong")
	}
}

// naiveRedact is Redact as the rule states it, one byte at a time:
// every FragmentLen-byte substring of a long secret, and every short
// secret, is hidden wherever it occurs; each run of hidden bytes, widened
// to whole characters, becomes one Redacted, unless all its substrings lie
// wholly within public prefixes.
func naiveRedact(secrets []string, s string) string {
	hidden := make([]bool, len(s))
	secret := make([]bool, len(s)) // hidden by a substring with a secret byte
	for _, sec := range secrets {
		if len(sec) < MinSecretLen {
			continue
		}
		n := min(len(sec), FragmentLen)
		public := ""
		if n == FragmentLen {
			public = PublicPrefix(sec)
		}
		for i := 0; i+n <= len(s); i++ {
			at := strings.Index(sec, s[i:i+n])
			if at < 0 {
				continue
			}
			// Secret if any occurrence of it in sec goes past the prefix.
			isSecret := false
			for j := at; j >= 0 && !isSecret; {
				isSecret = j+n > len(public)
				k := strings.Index(sec[j+1:], s[i:i+n])
				if k < 0 {
					break
				}
				j += 1 + k
			}
			for j := i; j < i+n; j++ {
				hidden[j] = true
				secret[j] = secret[j] || isSecret
			}
		}
	}
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
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hidden[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		start, isSecret := i, false
		for i < len(s) && hidden[i] {
			isSecret = isSecret || secret[i]
			i++
		}
		if isSecret {
			b.WriteString(Redacted)
		} else {
			b.WriteString(s[start:i])
		}
	}
	return b.String()
}

func TestPublicPrefix(t *testing.T) {
	tests := []struct{ key, want string }{
		{"sk-proj-Q7wLm2Xr9TzKa4Bn", "sk-proj-"},
		{"sk-ant-api03-Zq7xW2pLm9Kc4TvB8nR1yH6dF3gJ0sA5eU-Q999", "sk-ant-api03-"},
		{"gsk_Zq7xW2pLm9Kc4TvB8nR1", "gsk_"},
		{"xai-Zq7xW2pLm9Kc4TvB8nR1", "xai-"},
		{"sk-0123456789abcdef", "sk-"},
		{"sk-or-v1-ab-cd-ef-Zq7xW2pLm9Kc4TvB8nR1", "sk-or-v1-ab-cd-"}, // 16 bytes at most
		{"sk-proj-0123456789", ""},                                    // too little after it: all secret
		{"correct-horse-battery-staple", ""},                          // words, not segments
		{"hunter2-and-more", ""},                                      // 16 bytes, none left after a prefix
		{"AIzaSecretKey123AIzaSecretKey123", ""},                      // no separator
		{"-sk-Zq7xW2pLm9Kc4TvB8nR1", ""},                              // no segment before the '-'
		{"sk--Zq7xW2pLm9Kc4TvB8nR1", "sk-"},                           // an empty segment ends it
		{"pässwörter-über-alles-und-mehr", ""},                        // not ASCII
	}
	for _, tt := range tests {
		if got := PublicPrefix(tt.key); got != tt.want {
			t.Errorf("PublicPrefix(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// A key's public prefix, quoted in a question or an answer about keys, is
// not taken out; a run with any byte of the key after it is, and takes the
// prefix it touches with it.
func TestRedactorKeepsPublicPrefix(t *testing.T) {
	const openai, anthropic = "sk-proj-Q7wLm2Xr9TzKa4Bn", "sk-ant-api03-Zq7xW2pLm9Kc4TvB8nR1yH6dF3gJ0sA5eU-Q999"
	r := JoinRedactors(NewRedactor(openai), NewRedactor(anthropic))
	tests := []struct{ name, in, want string }{
		{"code about the prefix", `why does strings.HasPrefix(k, "sk-proj-") fail?`, `why does strings.HasPrefix(k, "sk-proj-") fail?`},
		{"an answer about it", "Keys start with sk-proj- or sk-ant-api03- and", "Keys start with sk-proj- or sk-ant-api03- and"},
		{"part of the prefix", "ant-api03-", "ant-api03-"},
		{"the whole key", "key " + openai + ".", "key [redacted]."},
		{"the prefix and one secret byte", "k " + openai[:9] + " k", "k [redacted] k"},
		{"the prefix and seven secret bytes", anthropic[:20] + "…", "[redacted]…"},
		{"the secret part alone", "…" + openai[8:] + "…", "…[redacted]…"},
		{"a prefix touching the key", "sk-ant-api03" + anthropic, "[redacted]"},
		{"a prefix apart from the key", "sk-proj- and " + openai, "sk-proj- and [redacted]"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if got, want := r.Shows(tt.in), tt.in != tt.want; got != want {
			t.Errorf("%s: Shows(%q) = %v, want %v", tt.name, tt.in, got, want)
		}
	}
}

// Redact finds runs through a filter and rolling keys; on texts made of
// pieces of secrets of every length, short ones and multi-byte characters
// included, it must hide exactly what the rule says.
func TestRedactMatchesRule(t *testing.T) {
	secrets := []string{"sk-proj-Ab3dEf9hIjKlMn0pQr", "pässwörter-über", "hunter2", "abcde", "tok3n"}
	r := NewRedactor(secrets...)
	rng := rand.New(rand.NewPCG(1, 2))
	filler := []string{"x", "é", "€", " ", "\n", "sk-", "hunt", "über", "abcd", "Ab3d"}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			if rng.IntN(3) == 0 {
				sec := secrets[rng.IntN(len(secrets))]
				i := rng.IntN(len(sec))
				b.WriteString(sec[i : i+rng.IntN(len(sec)-i+1)])
			} else {
				b.WriteString(filler[rng.IntN(len(filler))])
			}
		}
		s := b.String()
		if got, want := r.Redact(s), naiveRedact(secrets, s); got != want {
			t.Fatalf("Redact(%q) = %q, want %q", s, got, want)
		}
		if got, want := r.Shows(s), naiveRedact(secrets, s) != s; got != want {
			t.Fatalf("Shows(%q) = %v, want %v", s, got, want)
		}
	}
}

// BenchmarkRedactLarge passes a 4 MiB answer (Go source) through the
// Redactor of three providers: two API keys and a base URL's password with
// its Basic authorization value; without a secret in it, and with a key
// in it.
func BenchmarkRedactLarge(b *testing.B) {
	r := JoinRedactors(
		NewRedactor("sk-proj-"+strings.Repeat("Ab3dEf9hIj", 16)),
		NewRedactor("sk-ant-api03-"+strings.Repeat("Zq7xW2pLm9", 10)),
		NewRedactor(URLSecrets(&url.URL{User: url.UserPassword("user", "s3cretpass")})...))
	src, err := os.ReadFile("redact.go")
	if err != nil {
		b.Fatal(err)
	}
	clean := strings.Repeat(string(src), 4<<20/len(src))
	for _, tc := range []struct{ name, text string }{
		{"clean", clean},
		{"key", clean[:len(clean)/2] + "sk-proj-" + strings.Repeat("Ab3dEf9hIj", 16) + clean[len(clean)/2:]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				r.Redact(tc.text)
			}
		})
	}
}
