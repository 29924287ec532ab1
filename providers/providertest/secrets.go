package providertest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
)

// BasicToken is the credentials part of the "Authorization: Basic …"
// header net/http sends for a URL with user information user:password,
// which a provider must hide as it hides the password.
func BasicToken(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// CheckNoSecrets fails the test if one of secrets shows in err: in the text
// of err or of anything it wraps, however it is printed (%v, %+v, %#v), or
// in the Message or Models of a *providers.Error among them.
func CheckNoSecrets(t testing.TB, err error, secrets ...string) {
	t.Helper()
	show := func(what, s string) {
		t.Helper()
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%s shows the secret %q: %s", what, secret, s)
			}
		}
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			show(fmt.Sprintf("the error %T printed with %s", e, verb), fmt.Sprintf(verb, e))
		}
		if pe, ok := e.(*providers.Error); ok {
			show("Message", pe.Message)
			show("Models", strings.Join(pe.Models, " "))
		}
	}
}

// BadBaseURLs are base URLs carrying password that a provider's New must
// refuse without showing it: a wrong scheme, no scheme, no host, and a
// port that does not parse.
func BadBaseURLs(password string) []string {
	return []string{
		"htps://user:" + password + "@gw.example.com/v1",
		"user:" + password + "@gw.example.com:8080/v1",
		"https://user:" + password + "@",
		"https://user:" + password + "@gw.example.com:x1",
	}
}

// WithPassword returns base with the user information user:password.
func WithPassword(t testing.TB, base, password string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("user", password)
	return u.String()
}

// CheckNewRefusesBadBaseURL runs newFn (a provider's New) on each of
// BadBaseURLs: each must fail, say the base URL is invalid, and not show
// the password.
func CheckNewRefusesBadBaseURL(t *testing.T, newFn func(base string) error) {
	const password = "s3cretpass"
	for _, base := range BadBaseURLs(password) {
		t.Run(base, func(t *testing.T) {
			err := newFn(base)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), "invalid BaseURL") {
				t.Errorf("err = %v, want it to say the BaseURL is invalid", err)
			}
			CheckNoSecrets(t, err, password)
		})
	}
}
