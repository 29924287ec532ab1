package main

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestUsageEmpty: with no requests recorded, usage says so for the period
// asked, in English.
func TestUsageEmpty(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for days, want := range map[string]string{"1": "No requests in the last day.\n", "7": "No requests in the last 7 days.\n"} {
		if out := s.mustRun("usage", "--days", days).stdout; out != want {
			t.Errorf("usage --days %s: %q, want %q", days, out, want)
		}
	}
}

// TestUsageTable: the total row sums requests and errors too, and no line
// ends in spaces.
func TestUsageTable(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"), providertest.WithUsage(10, 2))
	s := newSandbox(t, fake.URL())
	s.mustRun("ask", "-m", "tiny", "one")
	s.mustRun("ask", "-m", "tiny", "two")
	lines := strings.Split(strings.TrimSuffix(s.mustRun("usage").stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("usage: %q; want a header, one model's row and the total", lines)
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line ends in spaces: %q", l)
		}
	}
	if f := strings.Fields(lines[2]); len(f) != 6 || f[0] != "total" || f[1] != "2" || f[2] != "0" || f[3] != "20" || f[4] != "4" {
		t.Errorf("total row %q; want total, 2 requests, 0 errors, 20 and 4 tokens, the cost", lines[2])
	}
}
