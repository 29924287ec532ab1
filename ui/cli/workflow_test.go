package cli_test

import (
	"strings"
	"testing"
)

// TestGenTestsTimeoutFlag: a --timeout that is not a duration, or not
// above 0, is a usage error (exit 2) of one line with an example, not
// the Go parser's message; nothing is asked of a model.
func TestGenTestsTimeoutFlag(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"--timeout=abc", `aiex: --timeout "abc" is not a duration like "90s", "10m", "30d", "2w" or "1d12h"`},
		{"--timeout=5", `aiex: --timeout "5" is not a duration like "90s", "10m", "30d", "2w" or "1d12h"`},
		{"--timeout=0s", "aiex: --timeout must be more than 0, such as --timeout 2m"},
		{"--timeout=0d", "aiex: --timeout must be more than 0, such as --timeout 2m"},
		{"--timeout=-2m", "aiex: --timeout must be more than 0, such as --timeout 2m"},
		// Longer than a time.Duration holds: it used to wrap around to a
		// negative duration and be refused as not more than 0.
		{"--timeout=200000d", `aiex: --timeout "200000d" is too long: at most 106751 days`},
		{"--timeout=106752d", `aiex: --timeout "106752d" is too long: at most 106751 days`},
		// Not a mode: the message offers the three there are, not "".
		{"--sandbox=bogus", `aiex: --sandbox "bogus": give auto, strict or off`},
	} {
		r := runCLI(t, false, nil, "--data-dir", t.TempDir(), "gen", "tests", "calc.Max", tc.arg)
		if r.code != 2 || strings.TrimSpace(r.stderr) != tc.want || strings.Contains(r.stderr, "time:") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2, %q", tc.arg, r.code, r.stderr, tc.want)
		}
	}
}
