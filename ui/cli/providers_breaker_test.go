package cli_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestProvidersShowOpenBreaker: a provider whose chats failed with HTTP
// 500 until its breaker opened, while its model list answers, is shown by
// aiex providers with the breaker's status and when it is tried again, and
// a line saying its last failure; aiex status says the breaker is open —
// "reachable, 1 model" alone hid it.
func TestProvidersShowOpenBreaker(t *testing.T) {
	t.Setenv("AIEX_MODEL", "") // the server's own model (the end-to-end suite sets tiny)
	const why = "llama runner process has terminated"
	for kind, url := range map[string]func(t *testing.T) string{
		"ollama":            func(t *testing.T) string { return providertest.NewOllama(t, providertest.WithStatus(500, why)).URL() },
		"openai-compatible": func(t *testing.T) string { return providertest.NewOpenAI(t, providertest.WithStatus(500, why)).URL() },
	} {
		t.Run(kind, func(t *testing.T) {
			base := url(t)
			config := fmt.Sprintf("[providers.srv]\nkind = %q\nbase_url = %q\n", kind, base)
			dir := t.TempDir()
			// Five failures in a row open the breaker; the asks after it
			// say so. Each ask's error is logged: a run where the breaker
			// never opened says why.
			opened := false
			for i := 0; i < 8 && !opened; i++ {
				r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "--no-code", "hello")
				if r.code == 0 {
					t.Fatalf("ask %d succeeded; want the server's 500", i+1)
				}
				t.Logf("ask %d: exit %d: %s", i+1, r.code, r.stderr)
				opened = strings.Contains(r.stderr, "circuit breaker open")
			}
			if !opened {
				t.Fatal("the breaker did not open after 8 failed asks")
			}
			p := runConfigured(t, config, nil, "--data-dir", dir, "providers")
			if p.code != 0 {
				t.Fatalf("providers: exit %d: %s", p.code, p.stderr)
			}
			if !regexp.MustCompile(`open \(HTTP 500\), tried again in \d+s`).MatchString(p.stdout) {
				t.Errorf("providers:\n%s\nwant the breaker shown with its status and when it is tried again", p.stdout)
			}
			lines := strings.Split(strings.TrimSpace(p.stdout), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "srv: ") || !strings.Contains(last, "HTTP 500 from ") || !strings.Contains(last, why) {
				t.Errorf("providers' last line %q; want srv's breaker's last failure", last)
			}
			t.Logf("providers:\n%s", p.stdout)
			s := runConfigured(t, config, nil, "--data-dir", dir, "status")
			t.Logf("status:\n%s", s.stdout)
			if s.code != 0 {
				t.Fatalf("status: exit %d: %s", s.code, s.stderr)
			}
			if !strings.Contains(s.stdout, "breaker open") || !strings.Contains(s.stdout, "HTTP 500") {
				t.Errorf("status:\n%s\nwant it to say srv's breaker is open, and why", s.stdout)
			}
		})
	}
}

// TestModelsFailureIsOneLine: aiex models with its one provider failing
// says so in one line on stderr, with the provider's status and address,
// and exits 1.
func TestModelsFailureIsOneLine(t *testing.T) {
	srv := providertest.NewRaw(t, 500, nil, `{"error":"something went wrong"}`, 0)
	config := fmt.Sprintf("[providers.ollama]\nbase_url = %q\n", srv.URL)
	r := runConfigured(t, config, nil, "--data-dir", t.TempDir(), "models")
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("models: exit %d, stderr %q; want exit 1, one line", r.code, r.stderr)
	}
	if want := "HTTP 500 from " + srv.URL + ": something went wrong"; !strings.Contains(r.stderr, want) {
		t.Errorf("models: stderr %q\nwant it to say %q", r.stderr, want)
	}
}
