package openai

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestErrorsHideEchoedKey runs against servers that refuse the request and
// quote back the bearer key, or the base URL's password sent as Basic
// authentication, in their error body and a header, as some gateways and
// proxies do: no error may pass them on, and the *APIError in the chain
// must not hold them in its fields either.
func TestErrorsHideEchoedKey(t *testing.T) {
	const user, password = "user", "s3cret-proxy-pass"
	secrets := []string{testKey, password, providertest.BasicToken(user, password)}
	tests := []struct {
		name, kind string
		key        string
		password   bool
		want       string // the Message
	}{
		{"openai key", KindOpenAI, testKey, false,
			"Incorrect API key provided: Authorization Bearer [redacted]"},
		{"compatible key", KindCompatible, testKey, true,
			"Incorrect API key provided: Authorization Bearer [redacted]"},
		{"compatible password", KindCompatible, "", true,
			"Incorrect API key provided: Authorization Basic [redacted]; user user password [redacted]"},
	}
	for _, tt := range tests {
		for _, code := range []int{401, 403} {
			t.Run(fmt.Sprint(tt.name, " ", code), func(t *testing.T) {
				o := providertest.NewOpenAI(t, providertest.WithCredentialEcho(code))
				u, err := url.Parse(o.URL())
				if err != nil {
					t.Fatal(err)
				}
				if tt.password {
					u.User = url.UserPassword(user, password)
				}
				p := newProvider(t, Config{Kind: tt.kind, BaseURL: u.String(), APIKey: tt.key})

				_, _, _, err = chat(t.Context(), p, userRequest(providertest.DefaultOpenAIModel))
				pe := asProviderError(t, err)
				providertest.CheckNoSecrets(t, err, secrets...)
				want := tt.want
				if code == 401 && tt.kind == KindOpenAI && tt.key != "" {
					want += " (the API key was refused; to give another: set OPENAI_API_KEY)"
				}
				if pe.Kind != providers.KindAuth || pe.StatusCode != code || pe.Message != want {
					t.Errorf("got %s %d %q, want %s %d %q", pe.Kind, pe.StatusCode, pe.Message, providers.KindAuth, code, want)
				}
				checkAPIError(t, err, secrets)

				_, err = p.Models(t.Context())
				asProviderError(t, err)
				providertest.CheckNoSecrets(t, err, secrets...)
				checkAPIError(t, err, secrets)

				_, err = p.Embed(t.Context(), "text-embedding-3-small", []string{"x"})
				asProviderError(t, err)
				providertest.CheckNoSecrets(t, err, secrets...)
				checkAPIError(t, err, secrets)
			})
		}
	}
}

// checkAPIError checks that the *APIError in err's chain holds none of
// secrets, yet still says what the server said.
func checkAPIError(t *testing.T, err error, secrets []string) {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("no *APIError in %v", err)
	}
	if ae.Header.Get("WWW-Authenticate") == "" {
		t.Error("the APIError lost the answer's header")
	}
	fields := map[string]string{
		"Message": ae.Message,
		"Code":    ae.Code,
		"Type":    ae.Type,
		"Param":   ae.Param,
		"Error":   ae.Error(),
		"%#v":     fmt.Sprintf("%#v", ae),
		"header":  fmt.Sprint(ae.Header),
	}
	for name, v := range fields {
		for _, s := range secrets {
			if strings.Contains(v, s) {
				t.Errorf("the APIError's %s shows %q: %s", name, s, v)
			}
		}
	}
	if ae.Code != "invalid_api_key" || ae.Type != "invalid_request_error" || !strings.Contains(ae.Message, "[redacted]") ||
		!strings.Contains(ae.Header.Get("WWW-Authenticate"), "[redacted]") {
		t.Errorf("the APIError lost what the server said: code %q, type %q, message %q, header %v", ae.Code, ae.Type, ae.Message, ae.Header)
	}
}
