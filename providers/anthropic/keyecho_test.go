package anthropic

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestErrorsHideEchoedKey runs against a server that refuses the request
// and quotes back the key (and the base URL's password, sent as Basic
// authentication) in its error body and a header, as some gateways and
// proxies do: no error may pass them on, and the *APIError in the chain
// must not hold them in its fields either.
func TestErrorsHideEchoedKey(t *testing.T) {
	const user, password = "user", "s3cret-proxy-pass"
	secrets := []string{testKey, password, providertest.BasicToken(user, password)}
	for _, code := range []int{401, 403} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			a := providertest.NewAnthropic(t, providertest.WithCredentialEcho(code))
			u, err := url.Parse(a.URL())
			if err != nil {
				t.Fatal(err)
			}
			u.User = url.UserPassword(user, password)
			p := newProvider(t, u.String())

			_, _, err = chat(t.Context(), p, userRequest(testModel))
			pe := asProviderError(t, err)
			providertest.CheckNoSecrets(t, err, secrets...)
			if pe.Kind != providers.KindAuth || pe.StatusCode != code {
				t.Errorf("got %s %d, want %s %d", pe.Kind, pe.StatusCode, providers.KindAuth, code)
			}
			want := "Incorrect API key provided: x-api-key [redacted]; Authorization Basic [redacted]; user user password [redacted]"
			if code == 401 {
				want += " (the API key was refused; to give another: set ANTHROPIC_API_KEY)"
			}
			if pe.Message != want {
				t.Errorf("Message = %q, want %q", pe.Message, want)
			}
			checkAPIError(t, err, secrets)

			_, err = p.Models(t.Context())
			asProviderError(t, err)
			providertest.CheckNoSecrets(t, err, secrets...)
			checkAPIError(t, err, secrets)
		})
	}
}

// checkAPIError checks that the *APIError in err's chain holds none of
// secrets, yet still says what the API said.
func checkAPIError(t *testing.T, err error, secrets []string) {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("no *APIError in %v", err)
	}
	fields := map[string]string{
		"Message":         ae.Message,
		"Error":           ae.Error(),
		"fields":          fmt.Sprintf("%#v", *ae),
		"response header": fmt.Sprint(ae.Header),
	}
	for name, v := range fields {
		for _, s := range secrets {
			if strings.Contains(v, s) {
				t.Errorf("the API error's %s shows %q: %s", name, s, v)
			}
		}
	}
	if ae.Type == "" || RequestID(err) == "" || !strings.Contains(ae.Message, "[redacted]") ||
		!strings.Contains(ae.Header.Get("WWW-Authenticate"), "[redacted]") {
		t.Errorf("the API error lost what the API said: type %q, request ID %q, message %q, header %v", ae.Type, RequestID(err), ae.Message, ae.Header)
	}
}
