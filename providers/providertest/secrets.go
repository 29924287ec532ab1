package providertest

import (
	"encoding/base64"
	"errors"
	"fmt"
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
