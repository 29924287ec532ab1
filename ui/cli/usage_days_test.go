package cli_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestUsageDaysAnyCount: --days larger than the days since 1970 covers
// every request recorded, however large, rather than wrapping around to a
// period that holds none.
func TestUsageDaysAnyCount(t *testing.T) {
	ol := providertest.NewOllama(t, providertest.WithReply("ok"), providertest.WithUsage(10, 2))
	config := "[providers.local]\nkind = \"ollama\"\nbase_url = \"" + ol.URL() + "\"\n"
	dir := t.TempDir()
	if r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "-m", "tiny", "hello"); r.code != 0 {
		t.Fatalf("ask: %d %s", r.code, r.stderr)
	}
	for _, days := range []string{"1", "30", "10000000000", "1000000000000", "9223372036854775807"} {
		r := runConfigured(t, config, nil, "--data-dir", dir, "usage", "--days", days)
		if r.code != 0 || !strings.Contains(r.stdout, "tiny") || strings.Contains(r.stdout, "No requests") {
			t.Errorf("usage --days %s: %d %q %s; want the request", days, r.code, r.stdout, r.stderr)
		}
	}
}
