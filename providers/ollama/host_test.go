package ollama

import (
	"errors"
	"strings"
	"testing"

	"github.com/ollama/ollama/envconfig"
)

// TestOllamaHost: OLLAMA_HOST is read as Ollama reads it — a host, a
// host:port, a :port, with or without a scheme — and what Ollama would
// quietly turn into another address (a scheme it cannot speak, a port
// out of range, a broken IPv6 bracket) is refused with a one-line
// *HostError naming OLLAMA_HOST, which the caller can tell by ErrBadHost.
func TestOllamaHost(t *testing.T) {
	for _, host := range []string{
		"", "127.0.0.1", "127.0.0.1:11500", ":11500", "gpu-box", "gpu-box:8080", "http://gpu-box", "https://gpu-box",
		"http://gpu-box:8080/prefix", "[::1]", "[::1]:11500", "::1", "http://[::1]:8080", "ollama.com", " 10.0.0.5:11434 ",
	} {
		t.Run("accepts "+host, func(t *testing.T) {
			t.Setenv("OLLAMA_HOST", host)
			p, err := New(Config{})
			if err != nil {
				t.Fatalf("New with OLLAMA_HOST=%q: %v", host, err)
			}
			if want := trimAPIPath(envconfig.Host()).String(); p.Endpoint() != want {
				t.Errorf("OLLAMA_HOST=%q: endpoint %s; Ollama reads it as %s", host, p.Endpoint(), want)
			}
		})
	}
	for _, host := range []string{
		"ftp://x", "unix:///tmp/ollama.sock", "http://[::1", "[::1", "gpu-box:99999", "gpu-box:port", "http://gpu-box:-1",
		"http://a b", "http://user:secret@[::1",
	} {
		t.Run("refuses "+host, func(t *testing.T) {
			t.Setenv("OLLAMA_HOST", host)
			p, err := New(Config{})
			if err == nil {
				t.Fatalf("New with OLLAMA_HOST=%q: endpoint %s; want it refused", host, p.Endpoint())
			}
			var he *HostError
			if msg := err.Error(); !errors.Is(err, ErrBadHost) || !errors.As(err, &he) || !strings.HasPrefix(msg, "OLLAMA_HOST ") ||
				strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
				t.Errorf("OLLAMA_HOST=%q: %v; want a one-line *HostError naming OLLAMA_HOST", host, err)
			}
		})
	}
	// A base_url in the config is the address; OLLAMA_HOST is not read.
	t.Setenv("OLLAMA_HOST", "ftp://x")
	if _, err := New(Config{BaseURL: "http://127.0.0.1:11434"}); err != nil {
		t.Errorf("with a base_url, a bad OLLAMA_HOST: %v", err)
	}
}
