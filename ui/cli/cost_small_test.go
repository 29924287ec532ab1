package cli_test

import (
	"strings"
	"testing"
)

// TestSmallCostIsNotFree: a paid request cheaper than the $0.0001 the
// tables show shows as "<$0.0001" in history, usage and session list, not
// as the "$0.0000" of a free local request beside it.
func TestSmallCostIsNotFree(t *testing.T) {
	// 10 tokens in at $3.50 and 2 out at $5.25 per million: $0.0000455.
	config := paidAndLocal(t, "[prices.\"oa/gpt-9\"]\ninput = 3.5\noutput = 5.25\n")
	dir := t.TempDir()
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"--provider", "oa", "-m", "gpt-9"}, {"--provider", "local", "-m", "tiny"}} {
		args = append(append([]string{"--data-dir", dir, "ask"}, args...), "hello")
		if r := runConfigured(t, config, nil, args...); r.code != 0 {
			t.Fatalf("ask %q: exit %d: %s", args, r.code, r.stderr)
		}
	}
	// Each table's rows: the paid one shows <$0.0001, the free one $0.0000.
	for _, cmd := range [][]string{{"history"}, {"usage"}, {"session", "list"}} {
		r := runConfigured(t, config, nil, append([]string{"--data-dir", dir}, cmd...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", cmd, r.code, r.stderr)
		}
		paid, free := 0, 0
		for _, l := range strings.Split(r.stdout, "\n") {
			f := strings.Fields(l)
			switch {
			case strings.Contains(l, "gpt-9") && !strings.HasPrefix(l, "total"):
				paid++
				if !containsField(f, "<$0.0001") {
					t.Errorf("%s: the paid request's row %q does not show <$0.0001", cmd, l)
				}
			case strings.Contains(l, "tiny"):
				free++
				if !containsField(f, "$0.0000") {
					t.Errorf("%s: the free request's row %q does not show $0.0000", cmd, l)
				}
			}
		}
		if paid != 1 || free != 1 {
			t.Errorf("%s: %d paid and %d free rows; want one of each:\n%s", cmd, paid, free, r.stdout)
		}
		if cmd[0] == "usage" && !strings.Contains(r.stdout, "total") {
			t.Errorf("usage: no total row:\n%s", r.stdout)
		}
	}
}

func containsField(fields []string, want string) bool {
	for _, f := range fields {
		if f == want {
			return true
		}
	}
	return false
}
