package ollama

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// secret is the password the tests put in base URLs; no error may show it.
const secret = "s3cretpass"

// assertNoSecret fails the test if secret shows in err or in anything it
// wraps, however it is printed.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(s, secret) {
				t.Errorf("the password shows in the error %T: %s", e, s)
			}
		}
	}
}

func TestNewHidesPassword(t *testing.T) {
	for _, base := range []string{
		"htps://user:" + secret + "@gw.example.com",       // wrong scheme
		"user:" + secret + "@gw.example.com:11434",        // no scheme
		"https://user:" + secret + "@",                    // no host
		"https://user:" + secret + "@gw.example.com:1x34", // does not parse
	} {
		t.Run(base, func(t *testing.T) {
			_, err := New(Config{BaseURL: base})
			if err == nil {
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), "invalid BaseURL") {
				t.Errorf("err = %v, want it to say the BaseURL is invalid", err)
			}
			assertNoSecret(t, err)
		})
	}
}

func TestErrorsHidePassword(t *testing.T) {
	servers := map[string]string{
		"unreachable":  providertest.Unreachable(t),
		"server error": providertest.NewOllama(t, providertest.WithStatus(500, "model runner has unexpectedly stopped")).URL(),
		"no such path": providertest.NewOllama(t).URL() + "/nothing",
	}
	for name, base := range servers {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			u.User = url.UserPassword("user", secret)
			p := newProvider(t, u.String())
			if strings.Contains(p.Endpoint(), secret) {
				t.Errorf("Endpoint = %q", p.Endpoint())
			}
			_, _, err = chat(t.Context(), p, userRequest("tiny"))
			if err == nil {
				t.Fatal("Chat succeeded")
			}
			assertNoSecret(t, err)
			_, _, err = generate(t.Context(), p, "tiny", "func main() {", "")
			assertNoSecret(t, err)
			_, err = p.Models(t.Context())
			assertNoSecret(t, err)
			_, err = p.Embed(t.Context(), "tiny", []string{"x"})
			assertNoSecret(t, err)
			_, err = p.ContextWindow(t.Context(), "tiny")
			assertNoSecret(t, err)
		})
	}
}
