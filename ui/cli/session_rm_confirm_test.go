package cli_test

import (
	"strings"
	"testing"
)

// TestSessionRmAsks: session rm cannot be undone, so it names the session
// and asks on a terminal; elsewhere it wants --yes, and points to
// archive, which can be undone.
func TestSessionRmAsks(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	dir, id := oneTurnSession(t)
	exists := func() bool {
		t.Helper()
		r := runCLI(t, false, nil, "--data-dir", dir, "session", "show", id)
		return r.code == 0
	}
	r := runIn(nil, false, "--data-dir", dir, "session", "rm", id[:4])
	if r.code != 2 || !strings.Contains(r.stderr, "add --yes") || !strings.Contains(r.stderr, "aiex session archive "+id) ||
		!strings.Contains(r.stderr, "session "+id+" (hello, 1 turn)") || !exists() {
		t.Fatalf("rm off a terminal without --yes: %+v; want a usage error naming the session, and the session kept", r)
	}
	r = runIn(strings.NewReader("n\n"), true, "--data-dir", dir, "session", "rm", "last")
	if r.code == 0 || !strings.Contains(r.stderr, "Remove session "+id+" (hello, 1 turn) for good?") || !strings.Contains(r.stderr, "[y/N]") ||
		!strings.Contains(r.stderr, "not removed") || !exists() {
		t.Fatalf("rm answered no: %+v", r)
	}
	r = runIn(strings.NewReader("y\n"), true, "--data-dir", dir, "session", "rm", strings.ToUpper(id[:4]))
	if r.code != 0 || !strings.Contains(r.stdout, "removed session "+id) || exists() {
		t.Fatalf("rm answered yes: %+v", r)
	}
	dir2, id2 := oneTurnSession(t)
	r = runIn(nil, false, "--data-dir", dir2, "session", "rm", "--yes", id2)
	if r.code != 0 || !strings.Contains(r.stdout, "removed session "+id2) {
		t.Fatalf("rm --yes: %+v", r)
	}
}
