package cli_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskDryRunSaysHistoryLeftOut: in a session longer than the history's
// share of the window, ask --dry-run says how many earlier turns it
// carries and how many older ones it leaves out; together they are the
// session's answered turns.
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
	r := runIn(nil, false, "--data-dir", dir, "ask", "--dry-run", "-m", "tiny", "--no-code", "--session", "last", "and then?")
	if r.code != 0 {
		t.Fatalf("dry run: exit %d, %s", r.code, r.stderr)
	}
	carried := regexp.MustCompile(`session: (\d+) earlier turns?`).FindStringSubmatch(r.stdout)
	left := regexp.MustCompile(`left out of the session: (\d+) older turns?`).FindStringSubmatch(r.stdout)
	if carried == nil || left == nil {
		t.Fatalf("dry run says no history carried or left out:\n%s", r.stdout)
	}
	c, _ := strconv.Atoi(carried[1])
	l, _ := strconv.Atoi(left[1])
	if c < 1 || l < 1 || c+l != turns {
		t.Errorf("dry run carries %d turns and leaves out %d; want them to make the session's %d:\n%s", c, l, turns, r.stdout)
	}
}
