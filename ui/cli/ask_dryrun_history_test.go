package cli_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskDryRunSaysHistoryLeftOut: in a session longer than the history's
// share of the window, ask --dry-run says how many earlier turns it
// carries and how many older ones it leaves out, once; together they are
// the session's answered turns. --json gives the same as history_turns
// and history_left_out.
func TestAskDryRunSaysHistoryLeftOut(t *testing.T) {
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
	dryRun := func(json ...string) run {
		t.Helper()
		args := append(append([]string{"--data-dir", dir}, json...), "ask", "--dry-run", "-m", "tiny", "--no-code", "--session", "last", "and then?")
		r := runIn(nil, false, args...)
		if r.code != 0 {
			t.Fatalf("dry run %v: exit %d, %s", json, r.code, r.stderr)
		}
		return r
	}

	r := dryRun()
	carried := regexp.MustCompile(`session: (\d+) earlier turns?`).FindStringSubmatch(r.stdout)
	left := regexp.MustCompile(`left out of the session: (\d+) older turns?`).FindStringSubmatch(r.stdout)
	if carried == nil || left == nil || strings.Count(r.stdout, "older turn") != 1 {
		t.Fatalf("dry run does not say once the history carried and left out:\n%s", r.stdout)
	}
	c, _ := strconv.Atoi(carried[1])
	l, _ := strconv.Atoi(left[1])
	if c < 1 || l < 1 || c+l != turns {
		t.Errorf("dry run carries %d turns and leaves out %d; want them to make the session's %d:\n%s", c, l, turns, r.stdout)
	}

	var out struct {
		HistoryTurns   int  `json:"history_turns"`
		HistoryLeftOut *int `json:"history_left_out"`
	}
	r = dryRun("--json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if out.HistoryLeftOut == nil || out.HistoryTurns != c || *out.HistoryLeftOut != l {
		t.Errorf("--json: history_turns %d, history_left_out %v; want %d and %d, as the text says", out.HistoryTurns, out.HistoryLeftOut, c, l)
	}
}
