package anthropic

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestNew(t *testing.T) {
	t.Setenv("ANTHROPIC_BASE_URL", "")
	t.Setenv("ANTHROPIC_API_KEY", "")
	tests := []struct {
		name         string
		cfg          Config
		wantName     string
		wantEndpoint string
		wantErr      string
	}{
		{"zero value", Config{}, "anthropic", "https://api.anthropic.com", ""},
		{"named proxy", Config{Name: "work", BaseURL: "http://127.0.0.1:8080/anthropic/"}, "work", "http://127.0.0.1:8080/anthropic", ""},
		{"credentials hidden", Config{BaseURL: "https://user:pw@proxy.example:8443?token=x"}, "anthropic", "https://proxy.example:8443", ""},
		{"not http", Config{BaseURL: "unix:///tmp/sock"}, "", "", `anthropic: invalid BaseURL "unix:///tmp/sock": want http:// or https://`},
		{"no host", Config{BaseURL: "http://"}, "", "", `anthropic: invalid BaseURL "http:": no host`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("New: %v, want %s…", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if p.Name() != tt.wantName || p.Kind() != "anthropic" || p.Endpoint() != tt.wantEndpoint {
				t.Errorf("got %q %q %q, want %q anthropic %q", p.Name(), p.Kind(), p.Endpoint(), tt.wantName, tt.wantEndpoint)
			}
		})
	}
}

func TestEnvironment(t *testing.T) {
	a := providertest.NewAnthropic(t, providertest.WithAnthropicKey(testKey))
	t.Setenv("ANTHROPIC_BASE_URL", a.URL())
	t.Setenv("ANTHROPIC_API_KEY", testKey)
	// Variables Anthropic's SDKs read; this package must not.
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "tok-SECRET")
	t.Setenv("ANTHROPIC_CUSTOM_HEADERS", "X-Extra: 1")
	t.Setenv("ANTHROPIC_PROFILE", "nonexistent")

	p, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Endpoint() != a.URL() {
		t.Errorf("Endpoint() = %q, want %q", p.Endpoint(), a.URL())
	}
	if _, _, err := chat(t.Context(), p, userRequest(testModel)); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	h := a.Requests()[0].Header
	if h.Get("x-api-key") != testKey || h.Get("Authorization") != "" || h.Get("X-Extra") != "" {
		t.Errorf("headers = %v, want the key in x-api-key only", h)
	}

	// Config wins over the environment.
	p, err = New(Config{BaseURL: providertest.Unreachable(t), APIKey: "sk-config"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = chat(t.Context(), p, userRequest(testModel))
	if providers.KindOf(err) != providers.KindUnavailable {
		t.Errorf("err = %v, want the configured (unreachable) URL used", err)
	}
}

func TestNoRetries(t *testing.T) {
	for _, code := range []int{429, 500, 529} {
		a, p := startFake(t, providertest.WithStatus(code, "busy"), providertest.WithRetryAfter(1))
		if _, _, err := chat(t.Context(), p, userRequest(testModel)); err == nil {
			t.Fatalf("%d: Chat succeeded", code)
		}
		if n := len(a.Requests()); n != 1 {
			t.Errorf("%d: server got %d requests, want 1 (no retries)", code, n)
		}
	}
}
