package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenTestsUncheckedShowsNoScore: when the go command stops before it
// compiles the generated tests (here: the package's own tests do not
// compile), gen tests says so and gives no score, which would be of
// nothing measured.
func TestGenTestsUncheckedShowsNoScore(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal(err) // the tests run under go test: the toolchain is there
	}
	t.Setenv("AIEX_MODEL", "")
	reply := "```go calc_gen_test.go\npackage calc\n\nimport \"testing\"\n\nfunc TestAddZero(t *testing.T) {\n\tif Add(0, 0) != 0 {\n\t\tt.Fatal(\"0+0\")\n\t}\n}\n```\n"
	dir, root := taskProject(t, reply)
	if err := os.WriteFile(filepath.Join(root, "calc_test.go"), []byte("package calc\n\nfunc helper() int { return undefinedThing }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(nil, false, "--data-dir", dir, "gen", "tests", "calc.go", "-m", "tiny", "--sandbox", "off")
	if !strings.Contains(r.stderr, "could not check the tests") || strings.Contains(r.stderr, "score") {
		t.Errorf("exit %d, stderr %q; want the tests unchecked, with no score", r.code, r.stderr)
	}
}
