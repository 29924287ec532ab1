package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainSaysWhatItsCodeWas: explain says on stderr, as aiex context
// does, that its target went cut to the lines around the line asked about
// for the model's window, and that a file new since the index was made
// was read as it is now.
func TestExplainSaysWhatItsCodeWas(t *testing.T) {
	dir, root := taskProject(t, "It adds.")
	var big strings.Builder
	big.WriteString("package calc\n\n// Huge adds up a lot.\nfunc Huge(base int) int {\n\tx := base\n")
	for i := range 400 {
		fmt.Fprintf(&big, "\tx += %d * len(\"literal number %d\")\n", i, i)
	}
	big.WriteString("\treturn x\n}\n")
	if err := os.WriteFile(filepath.Join(root, "big.go"), []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	r := runIn(nil, false, "--data-dir", dir, "explain", "big.go:200", "-m", "tiny")
	if r.code != 0 || !strings.Contains(r.stderr, "aiex: note: the target was reduced for this model's window (lines): ") ||
		!strings.Contains(r.stderr, "around line 200 (calc.Huge)") {
		t.Errorf("explain of a line of a huge function: exit %d, stderr %q; want a note that it went cut to lines", r.code, r.stderr)
	}
	if err := os.WriteFile(filepath.Join(root, "fresh.go"), []byte("package calc\n\n// Fresh is new.\nfunc Fresh() int { return 1 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runIn(nil, false, "--data-dir", dir, "explain", "fresh.go:4", "-m", "tiny")
	if r.code != 0 || !strings.Contains(r.stderr, "aiex: warning: fresh.go changed since it was indexed; its code was read as it is now (run aiex index)") {
		t.Errorf("explain of a new file: exit %d, stderr %q; want it said to be read as it is now", r.code, r.stderr)
	}
	r = runIn(nil, false, "--data-dir", dir, "explain", "calc.go", "-m", "tiny")
	if r.code != 0 || strings.Contains(r.stderr, "aiex: note: the target was reduced") || strings.Contains(r.stderr, "warning") {
		t.Errorf("explain of a file as indexed, whole: exit %d, stderr %q; want no note", r.code, r.stderr)
	}
}
