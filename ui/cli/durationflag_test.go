package cli_test

import (
	"strings"
	"testing"
)

// TestDurationFlagMessages: every duration flag is read by
// app.ParseDuration and says the same of the same mistake: the flag's
// name, then ParseDuration's own message, on one line, exit 2. --since
// also takes times, and says so.
func TestDurationFlagMessages(t *testing.T) {
	const notDuration = `"soon" is not a duration like "90s", "10m", "30d", "2w" or "1d12h"`
	const tooLong = `"106752d" is too long: at most 106751 days`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"checkpoint", "prune", "--older-than", "soon"}, "aiex: --older-than " + notDuration},
		{[]string{"checkpoint", "prune", "--older-than", "106752d"}, "aiex: --older-than " + tooLong},
		{[]string{"events", "prune", "--older-than", "soon"}, "aiex: --older-than " + notDuration},
		{[]string{"events", "prune", "--older-than", "106752d"}, "aiex: --older-than " + tooLong},
		{[]string{"gen", "tests", "calc.Max", "--timeout", "soon"}, "aiex: --timeout " + notDuration},
		{[]string{"gen", "tests", "calc.Max", "--timeout", "106752d"}, "aiex: --timeout " + tooLong},
		{[]string{"audit", "--since", "soon"}, "aiex: --since " + notDuration + `, nor a time (2026-01-02, "2026-01-02 15:04", 2026-01-02T15:04:05Z)`},
		{[]string{"audit", "--since", "106752d"}, "aiex: --since " + tooLong},
	} {
		r := runCLI(t, false, nil, append([]string{"--data-dir", t.TempDir()}, tc.args...)...)
		if r.code != 2 || r.stderr != tc.want+"\n" {
			t.Errorf("aiex %s: exit %d, stderr %q; want exit 2, %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
}
