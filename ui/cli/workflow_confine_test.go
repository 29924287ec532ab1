package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// addTests is a model's answer to gen tests calc.go: a table test of Add.
const addTests = "```go\npackage calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n" +
	"\tfor _, c := range []struct{ a, b, want int }{{1, 2, 3}, {0, 0, 0}} {\n" +
	"\t\tif got := Add(c.a, c.b); got != c.want {\n\t\t\tt.Errorf(\"Add(%d, %d) = %d\", c.a, c.b, got)\n\t\t}\n\t}\n}\n```\n"

// noUsernsEnv marks the child process withoutNamespaces starts.
const noUsernsEnv = "AIEX_TEST_WITHOUT_USERNS"

// withoutNamespaces runs the calling test again in a child process (this
// test binary, for that test alone) in a user namespace of its own in
// which no other may be made (user.max_user_namespaces = 0), as on a
// system that disables unprivileged user namespaces: the sandbox cannot
// run commands in namespaces of their own there, and finds so as it does
// on such a system. It reports whether this is that child, which goes on
// with the test; the parent passes on the child's result.
func withoutNamespaces(t *testing.T) bool {
	t.Helper()
	if os.Getenv(noUsernsEnv) == "1" {
		if err := os.WriteFile("/proc/sys/user/max_user_namespaces", []byte("0\n"), 0); err != nil {
			t.Fatalf("cannot disable user namespaces: %v", err)
		}
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), noUsernsEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil {
		t.Skipf("no user namespace here to run the test in: %v", err)
	}
	t.Logf("the test without user namespaces:\n%s", out)
	if err != nil {
		t.Fatalf("it failed: %v", err)
	}
	if strings.Contains(string(out), "--- SKIP") {
		t.Skip("the run without user namespaces skipped (see its output above)")
	}
	return false
}

// TestGenTestsStrictWithoutNamespaces: where the sandbox cannot confine
// the tests (no user namespaces) gen tests, strict by default, does not
// run them, and says so as a failed check of the proposal it still shows
// — the diff, and with --json the proposal, session, interaction and
// error — in one line without the command line or scratch paths; exit 1.
func TestGenTestsStrictWithoutNamespaces(t *testing.T) {
	if !withoutNamespaces(t) {
		return
	}
	dir, _ := taskProject(t, addTests)
	const check = "✗ tests: refused: go cannot be confined: namespaces cannot be made here"
	r := runIn(nil, false, "--data-dir", dir, "gen", "tests", "calc.go", "-m", "tiny")
	if r.code != 1 || !strings.Contains(r.stdout, "+func TestAdd(t *testing.T) {") || !strings.Contains(r.stderr, check) ||
		!strings.Contains(r.stderr, "--sandbox auto runs them less confined, --no-build skips them") ||
		!strings.Contains(r.stderr, "aiex: the change failed its checks (tests: refused: go cannot be confined") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, internal := range []string{"testgen.Run", "overlay", "aiex-task-", "-count=1"} {
		if strings.Contains(r.stderr, internal) {
			t.Errorf("stderr shows %q: %s", internal, r.stderr)
		}
	}

	j := runIn(nil, false, "--data-dir", dir, "--json", "gen", "tests", "calc.go", "-m", "tiny")
	var out taskOut
	if err := json.Unmarshal([]byte(j.stdout), &out); err != nil {
		t.Fatalf("--json: exit %d, stdout %q (%v), stderr %q", j.code, j.stdout, err, j.stderr)
	}
	failed := false
	for _, c := range out.Proposal.Checks {
		failed = failed || c.Name == "tests" && c.Status == "failed"
	}
	if j.code != 1 || !failed || out.Session == "" || out.Interaction == "" || !strings.Contains(out.Error, "tests: refused: go cannot be confined") ||
		strings.TrimSpace(j.stderr) != "aiex: "+out.Error {
		t.Fatalf("--json: exit %d, %+v, stderr %q", j.code, out, j.stderr)
	}
}

// TestWeakerConfinementWarned: with --sandbox auto where commands cannot
// be wholly confined (no user namespaces), the build and the tests run
// anyway, and the command says so on stderr, once, with why (the audit
// alone used to); --json has it as confinement.
func TestWeakerConfinementWarned(t *testing.T) {
	if !withoutNamespaces(t) {
		return
	}
	const warning = "warning: the commands that build and run the code ran with the network open and their processes free to outlive them, " +
		"because namespaces cannot be made here"
	const refactor = "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn b + a\n }\n```\n"
	for _, tc := range []struct {
		name, reply string
		args        []string
	}{
		{"gen tests", addTests, []string{"gen", "tests", "calc.go"}},
		{"refactor", refactor, []string{"refactor", "calc.go", "--goal", "g"}}, // go build and go vet: two commands, one warning
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := taskProject(t, tc.reply)
			args := append([]string{"--data-dir", dir}, tc.args...)
			args = append(args, "-m", "tiny", "--sandbox", "auto")
			r := runIn(nil, false, args...)
			if r.code != 0 || strings.Count(r.stderr, warning) != 1 || !strings.Contains(r.stderr, "(--sandbox strict would refuse to run them)") {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			j := runIn(nil, false, append([]string{"--json"}, args...)...)
			var out struct {
				Confinement string `json:"confinement"`
			}
			if err := json.Unmarshal([]byte(j.stdout), &out); err != nil || j.code != 0 || !strings.HasPrefix("warning: "+out.Confinement, warning) ||
				strings.Contains(j.stderr, "warning") {
				t.Fatalf("--json: exit %d, stdout %q, stderr %q", j.code, j.stdout, j.stderr)
			}
		})
	}
}

// TestGenTestsNoBuildSaysSo: gen tests --no-build runs no test, and its
// checks say so rather than leaving it to be guessed.
func TestGenTestsNoBuildSaysSo(t *testing.T) {
	dir, _ := taskProject(t, addTests)
	r := runIn(nil, false, "--data-dir", dir, "gen", "tests", "calc.go", "-m", "tiny", "--no-build")
	if r.code != 0 || !strings.Contains(r.stderr, "- tests: not built or run (--no-build)") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	j := runIn(nil, false, "--data-dir", dir, "--json", "gen", "tests", "calc.go", "-m", "tiny", "--no-build")
	var out taskOut
	if err := json.Unmarshal([]byte(j.stdout), &out); err != nil || j.code != 0 {
		t.Fatalf("--json: exit %d, stdout %q, stderr %q", j.code, j.stdout, j.stderr)
	}
	skipped := false
	for _, c := range out.Proposal.Checks {
		skipped = skipped || c.Name == "tests" && c.Status == "skipped"
	}
	if !skipped {
		t.Errorf("checks %+v; want tests skipped", out.Proposal.Checks)
	}
}
