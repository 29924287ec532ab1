package cli_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestContextTooLongNamesReserve: `aiex context` refuses a prompt that
// would fit if less were kept for the answer with the --reserve flag that
// keeps less (ctxbuild's message names no flag: the other commands have
// none), and the reserve it names is enough.
func TestContextTooLongNamesReserve(t *testing.T) {
	dir, _ := taskProject(t, "never asked")
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	question := strings.Repeat("why is the sky blue and the grass green? ", 150)
	r := runIn(nil, false, "--data-dir", dir, "context", "calc.go", question, "--window", "2048", "--reserve", "1024")
	m := regexp.MustCompile(`keep less for the answer \((\d+) tokens or less\): pass --reserve (\d+) or less\n$`).FindStringSubmatch(r.stderr)
	if r.code != 1 || m == nil || m[1] != m[2] || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want one line ending in the --reserve to pass", r.code, r.stderr)
	}
	if r := runIn(nil, false, "--data-dir", dir, "context", "calc.go", question, "--window", "2048", "--reserve", m[2]); r.code != 0 {
		t.Errorf("--reserve %s: exit %d, %s", m[2], r.code, r.stderr)
	}
}

// TestContextWithoutTarget: aiex context alone says what it needs, and
// where a question about no code in particular is shown (ask --dry-run
// --json), before the store is opened.
func TestContextWithoutTarget(t *testing.T) {
	dir := t.TempDir() + "/data"
	r := runIn(nil, false, "--data-dir", dir, "context")
	if r.code != 2 || !strings.Contains(r.stderr, "aiex context TARGET") || !strings.Contains(r.stderr, "aiex ask --dry-run --json QUESTION") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want one line naming TARGET and ask --dry-run", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the data dir was made for a usage mistake")
	}
}
