package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCredentialEcho checks that every fake, with WithCredentialEcho,
// refuses requests on any path in its vendor's error body, quoting the
// credentials it received there and in WWW-Authenticate.
func TestCredentialEcho(t *testing.T) {
	const (
		key      = "sk-echo-0123456789"
		password = "s3cret-proxy-pass"
	)
	basic := "Basic " + BasicToken("user", password)
	tests := []struct {
		name   string
		url    string // where to send the request
		header map[string]string
		want   func(msg string) any // the body, given the message
	}{
		{"anthropic", NewAnthropic(t, WithCredentialEcho(401)).URL() + "/v1/messages",
			map[string]string{"x-api-key": key, "Authorization": basic},
			func(msg string) any {
				return map[string]any{"type": "error", "request_id": "req_fake0000000000000001",
					"error": map[string]any{"type": "authentication_error", "message": msg}}
			}},
		{"openai", NewOpenAI(t, WithCredentialEcho(401)).URL() + "/models",
			map[string]string{"Authorization": "Bearer " + key},
			func(msg string) any {
				return map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error",
					"param": nil, "code": "invalid_api_key"}}
			}},
		{"lmstudio native", NewLMStudio(t, WithCredentialEcho(401)).URL() + "/api/v0/models",
			map[string]string{"Authorization": basic},
			func(msg string) any {
				return map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error",
					"param": nil, "code": "invalid_api_key"}}
			}},
		{"ollama", NewOllama(t, WithCredentialEcho(401)).URL() + "/api/tags",
			map[string]string{"Authorization": basic},
			func(msg string) any { return map[string]any{"error": msg} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			var got any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", body, err)
			}
			var seen []string
			if v := tt.header["x-api-key"]; v != "" {
				seen = append(seen, "x-api-key "+v)
			}
			seen = append(seen, "Authorization "+tt.header["Authorization"])
			if strings.HasPrefix(tt.header["Authorization"], "Basic ") {
				seen = append(seen, "user user password "+password)
			}
			msg := "Incorrect API key provided: " + strings.Join(seen, "; ")
			if diff := cmp.Diff(tt.want(msg), got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, strings.Join(seen, "; ")) {
				t.Errorf("WWW-Authenticate = %q, want it to quote %q", h, seen)
			}
		})
	}
}
