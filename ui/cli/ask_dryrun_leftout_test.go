package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskDryRunJSONSaysHistoryLeftOut: ask --dry-run --json in a session
// longer than the history's share of the window gives how many older
// turns it leaves out beside how many it carries, and the text output
// says the same number once.
func TestAskDryRunJSONSaysHistoryLeftOut(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	long := strings.Repeat("the answer goes on and on about it ", 12)
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "tiny", ContextLength: 1024}), providertest.WithReply(long))
	t.Setenv("OLLAMA_HOST", fake.URL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	const turns = 8
	for i := range turns {
		session := "last"
		if i == 0 {
			session = "new"
		}
		if r := runIn(nil, false, "--data-dir", dir, "ask", "-m", "tiny", "--no-code", "--session", session, fmt.Sprintf("question %d", i+1)); r.code != 0 {
			t.Fatalf("ask %d: exit %d, %s", i+1, r.code, r.stderr)
		}
	}
	r := runIn(nil, false, "--data-dir", dir, "--json", "ask", "--dry-run", "-m", "tiny", "--no-code", "--session", "last", "and then?")
	if r.code != 0 {
		t.Fatalf("dry run: exit %d, %s", r.code, r.stderr)
	}
	var out struct {
		HistoryTurns   int  `json:"history_turns"`
		HistoryLeftOut *int `json:"history_left_out"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if out.HistoryLeftOut == nil || out.HistoryTurns < 1 || *out.HistoryLeftOut < 1 || out.HistoryTurns+*out.HistoryLeftOut != turns {
		t.Fatalf("history_turns %d, history_left_out %v; want them to make the session's %d:\n%s", out.HistoryTurns, out.HistoryLeftOut, turns, r.stdout)
	}
	text := runIn(nil, false, "--data-dir", dir, "ask", "--dry-run", "-m", "tiny", "--no-code", "--session", "last", "and then?")
	if text.code != 0 {
		t.Fatalf("dry run: exit %d, %s", text.code, text.stderr)
	}
	if n := strings.Count(text.stdout, "older turn"); n != 1 || !strings.Contains(text.stdout, fmt.Sprintf("left out of the session: %d older turn", *out.HistoryLeftOut)) {
		t.Errorf("the text output says the left-out turns %d times, want once as %d:\n%s", n, *out.HistoryLeftOut, text.stdout)
	}
}
