package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskSaysFailover: an answer that came from another provider because
// the configured one failed says so in one line on stderr — which failed,
// why, and which answered — and in --json's note, never on stdout beside
// the answer; once the failures have opened the failing provider's
// breaker, the answers that pass it over say that too.
func TestAskSaysFailover(t *testing.T) {
	const why = "llama runner process has terminated"
	bad := providertest.NewOllama(t, providertest.WithStatus(500, why))
	good := providertest.NewOllama(t, providertest.WithReply("fine"))
	config := fmt.Sprintf("provider = \"bad\"\n[providers.bad]\nkind = \"ollama\"\nbase_url = %q\n[providers.good]\nkind = \"ollama\"\nbase_url = %q\n",
		bad.URL(), good.URL())
	dir := t.TempDir()
	for i := range 3 {
		r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "--no-code", "hello")
		if r.code != 0 || r.stdout != "fine\n" {
			t.Fatalf("ask %d: exit %d, stdout %q, stderr %q; want good's answer alone on stdout", i+1, r.code, r.stdout, r.stderr)
		}
		t.Logf("ask %d: stderr %q", i+1, r.stderr)
		var notes []string
		for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if strings.Contains(l, "bad") {
				notes = append(notes, l)
			}
		}
		if len(notes) != 1 || !strings.HasPrefix(notes[0], "aiex: note: ") || !strings.Contains(notes[0], "good") {
			t.Fatalf("ask %d: stderr %q; want one note saying bad failed and good answered", i+1, r.stderr)
		}
		want := "HTTP 500 from " + bad.URL()
		if i == 2 {
			want = "breaker open"
		}
		if !strings.Contains(notes[0], want) {
			t.Errorf("ask %d: note %q; want it to say %q", i+1, notes[0], want)
		}
	}
	r := runConfigured(t, config, nil, "--data-dir", dir, "--json", "ask", "--no-code", "hello")
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil || r.code != 0 {
		t.Fatalf("ask --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	if note, _ := obj["note"].(string); !strings.Contains(note, "bad") || !strings.Contains(note, "good") {
		t.Errorf("ask --json: note %q; want it to say that bad failed and good answered", note)
	}
}
