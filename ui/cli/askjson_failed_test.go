package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestFailedAskJSONAsHistoryShowsIt: a question that failed, or whose
// answer broke off, prints with --json the interaction exactly as history
// --json shows it, its error included — the error as recorded, while
// stderr has the sentence that says what to do — and besides only the
// turn of its session.
func TestFailedAskJSONAsHistoryShowsIt(t *testing.T) {
	for _, tc := range []struct {
		name string
		host func(t *testing.T) string
	}{
		{"no provider reachable", func(t *testing.T) string { return providertest.Unreachable(t) }},
		{"the answer broke off", func(t *testing.T) string {
			return providertest.NewOllama(t, providertest.WithReply("half", " more", " and more"), providertest.WithBrokenStream(2)).URL()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OLLAMA_HOST", tc.host(t))
			dir := t.TempDir()
			a := runCLI(t, false, nil, "--data-dir", dir, "--json", "ask", "-m", "tiny", "--no-code", "hello")
			h := runCLI(t, false, nil, "--data-dir", dir, "--json", "history")
			var ask map[string]any
			var hist []map[string]any
			if err := json.Unmarshal([]byte(a.stdout), &ask); err != nil || a.code != 1 || a.stderr == "" {
				t.Fatalf("ask --json: exit %d, %v: stdout %q, stderr %q", a.code, err, a.stdout, a.stderr)
			}
			if err := json.Unmarshal([]byte(h.stdout), &hist); err != nil || len(hist) != 1 {
				t.Fatalf("history --json: %v: %q", err, h.stdout)
			}
			if ask["error"] == "" || ask["error"] == nil {
				t.Fatalf("ask --json has no error: %v", ask)
			}
			delete(ask, "turn")
			if diff := cmp.Diff(hist[0], ask); diff != "" {
				t.Errorf("ask --json is not history --json's object (-history +ask):\n%s", diff)
			}
		})
	}
}
