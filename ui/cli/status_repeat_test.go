package cli_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestStatusSaysProviderOnce: aiex status names a provider and its
// address once on its line, before its state; why it is down follows
// without naming them again ("srv (ollama) URL unreachable srv:
// unavailable: cannot reach Ollama at URL: …" said both twice).
func TestStatusSaysProviderOnce(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	failing := providertest.NewRaw(t, http.StatusInternalServerError, http.Header{"Content-Type": {"application/json"}},
		`{"error":{"message":"the runner crashed","type":"server_error"}}`, -1)
	for kind, base := range map[string]string{
		"ollama":            providertest.Unreachable(t),
		"openai-compatible": failing.URL + "/v1",
	} {
		t.Run(kind, func(t *testing.T) {
			config := fmt.Sprintf("[providers.srv]\nkind = %q\nbase_url = %q\n", kind, base)
			s := runConfigured(t, config, nil, "--data-dir", t.TempDir(), "status")
			if s.code != 0 {
				t.Fatalf("status: exit %d: %s", s.code, s.stderr)
			}
			var line string
			for _, l := range strings.Split(s.stdout, "\n") {
				if strings.Contains(l, "srv (") {
					line = l
				}
			}
			t.Logf("status:\n%s", s.stdout)
			addr := strings.TrimSuffix(base, "/v1")
			if line == "" || strings.Count(line, "srv") != 1 || strings.Count(line, addr) != 1 {
				t.Errorf("status line %q; want srv and %s named once", line, addr)
			}
		})
	}
}
