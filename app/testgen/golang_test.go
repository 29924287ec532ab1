package testgen

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const goClamp = `package mathx

// Clamp limits x to [lo, hi]; it swaps lo and hi when lo > hi.
func Clamp(x, lo, hi int) int {
	if lo > hi {
		lo, hi = hi, lo
	}
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// Sign is not the target: its operators must not be mutated.
func Sign(x int) int {
	if x < 0 {
		return -1
	}
	if x > 0 {
		return 1
	}
	return 0
}

// Join's only operator is string concatenation.
func Join(a, b string) string {
	return a + b
}
`

// The project's own test: the generated file's name must not clash with
// it, and go test must not run it.
const goExisting = `package mathx

import "testing"

func TestSign(t *testing.T) {
	if Sign(-3) != -1 || Sign(0) != 0 || Sign(2) != 1 {
		t.Error("Sign")
	}
}
`

const goGood = `package mathx

import "testing"

func TestClamp(t *testing.T) {
	tests := []struct {
		name            string
		x, lo, hi, want int
	}{
		{"inside", 5, 0, 10, 5},
		{"below", -1, 0, 10, 0},
		{"above", 11, 0, 10, 10},
		{"swapped bounds", 5, 10, 0, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clamp(tc.x, tc.lo, tc.hi); got != tc.want {
				t.Errorf("Clamp(%d, %d, %d) = %d, want %d", tc.x, tc.lo, tc.hi, got, tc.want)
			}
		})
	}
}
`

// goWeak passes but checks nothing a mutant changes.
const goWeak = `package mathx

import "testing"

func TestClampRuns(t *testing.T) {
	if got := Clamp(5, 0, 10); got < 0 {
		t.Errorf("Clamp = %d", got)
	}
}
`

const goNoCompile = `package mathx

import "testing"

func TestClampType(t *testing.T) {
	var s string = Clamp(1, 2, 3)
	t.Log(s)
}
`

const goFailing = `package mathx

import "testing"

func TestClampAbove(t *testing.T) {
	if got := Clamp(11, 0, 10); got != 11 {
		t.Errorf("Clamp(11, 0, 10) = %d, want 11", got)
	}
}

func TestClampInside(t *testing.T) {
	if Clamp(5, 0, 10) != 5 {
		t.Error("inside")
	}
}
`

const goJoinTest = `package mathx

import "testing"

func TestJoin(t *testing.T) {
	if got := Join("a", "b"); got != "ab" {
		t.Errorf("Join = %q", got)
	}
}
`

// goFixture is a module with the package mathx in a subdirectory.
func goFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":              "module example.com/fixture\n\ngo 1.22\n",
		"mathx/clamp.go":      goClamp,
		"mathx/clamp_test.go": goExisting,
	})
	return root
}

func TestRunGo(t *testing.T) {
	if ok, why := Toolchain(LangGo); !ok {
		t.Fatal(why) // the go command runs this test: it is in PATH
	}
	t.Parallel()
	root := goFixture(t)
	before := treeHash(t, root)

	testPath, err := TestPath(root, "mathx/clamp.go")
	if err != nil || testPath != "mathx/clamp_gen_test.go" {
		t.Fatalf("TestPath = %q, %v; want mathx/clamp_gen_test.go (clamp_test.go exists)", testPath, err)
	}
	clamp := unitOf(t, goClamp, "// Clamp limits", "}")
	clamp.Path, clamp.Name = "mathx/clamp.go", "Clamp"
	join := unitOf(t, goClamp, "// Join's only", "}")
	join.Path, join.Name = "mathx/clamp.go", "Join"

	tests := []struct {
		name     string
		content  string
		target   Target
		mutants  int
		compiles bool
		passed   bool
		tests    int
		failed   int
		killed   int
		valid    int
		invalid  int
		score    float64
		summary  string // in Summary
		output   string // in Output
	}{
		{name: "good", content: goGood, target: clamp, compiles: true, passed: true, tests: 4,
			killed: 3, valid: 3, score: 1, summary: "4 tests pass; 3/3 mutants killed"},
		{name: "good without mutants", content: goGood, target: clamp, mutants: -1, compiles: true,
			passed: true, tests: 4, score: 1, summary: "mutants were turned off; score 1.00 (compiles and passes; not measured against mutants)"},
		{name: "weak", content: goWeak, target: clamp, compiles: true, passed: true, tests: 1,
			killed: 0, valid: 3, score: 2.0 / 3, summary: "0/3 mutants killed"},
		{name: "does not compile", content: goNoCompile, target: clamp, score: 0,
			summary: "does not compile: mathx/clamp_gen_test.go:6:17: cannot use",
			output:  "mathx/clamp_gen_test.go:6:17"},
		{name: "syntax error", content: "package mathx\n\nfunc TestX(t *testing.T) {\n", target: clamp,
			summary: "does not compile: mathx/clamp_gen_test.go:3:28: expected '}', found 'EOF'", output: "expected '}'"},
		{name: "fails", content: goFailing, target: clamp, compiles: true, tests: 2, failed: 1,
			score: 1.0 / 3, summary: "1 of 2 tests fails (TestClampAbove)", output: "want 11"},
		{name: "invalid mutant", content: goJoinTest, target: join, compiles: true, passed: true,
			tests: 1, invalid: 1, score: 1, summary: "no mutant of the target compiled (in time); score 1.00 (compiles and passes; not measured against mutants)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{
				Root: root, TestPath: testPath, TestContent: []byte(tc.content),
				Target: tc.target, Runner: Exec{}, Mutants: tc.mutants, TempDir: t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			logReport(t, tc.name, r)
			unchanged(t, root, before)
			if r.Compiles != tc.compiles || r.Passed != tc.passed || r.Tests != tc.tests || r.Failed != tc.failed {
				t.Errorf("compiles %v passed %v tests %d failed %d; want %v %v %d %d\n%s",
					r.Compiles, r.Passed, r.Tests, r.Failed, tc.compiles, tc.passed, tc.tests, tc.failed, r.Output)
			}
			killed, valid := r.Killed()
			if killed != tc.killed || valid != tc.valid || len(r.Mutants)-valid != tc.invalid {
				t.Errorf("mutants: %d killed, %d valid, %d invalid; want %d, %d, %d: %+v",
					killed, valid, len(r.Mutants)-valid, tc.killed, tc.valid, tc.invalid, r.Mutants)
			}
			if !near(r.Score, tc.score) {
				t.Errorf("score %.3f, want %.3f", r.Score, tc.score)
			}
			if !strings.Contains(r.Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", r.Summary, tc.summary)
			}
			if !strings.Contains(r.Output, tc.output) || strings.Contains(r.Output, "aiex-testgen-") {
				t.Errorf("output lacks %q or names the scratch dir:\n%s", tc.output, r.Output)
			}
			for _, m := range r.Mutants {
				// Only Clamp (lines 4-15) and Join (lines 29-31) are mutated.
				if !strings.HasPrefix(m.Description, "mathx/clamp.go:") {
					t.Errorf("mutant %q", m.Description)
				}
			}
		})
	}
}

// TestRunGoMutantsInOrder checks which mutants the good test saw.
func TestRunGoMutantsInOrder(t *testing.T) {
	t.Parallel()
	root := goFixture(t)
	clamp := unitOf(t, goClamp, "// Clamp limits", "}")
	clamp.Path = "mathx/clamp.go"
	r, err := Run(t.Context(), Spec{Root: root, TestPath: "mathx/clamp_gen_test.go",
		TestContent: []byte(goGood), Target: clamp, Runner: Exec{}, Mutants: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range r.Mutants {
		got = append(got, m.Description)
		if !m.Killed || !strings.Contains(m.Output, "FAIL") {
			t.Errorf("mutant %q not killed, or its output does not say which test failed:\n%s", m.Description, m.Output)
		}
	}
	want := []string{"mathx/clamp.go:5:8: `>` → `<=`", "mathx/clamp.go:8:7: `<` → `>=`"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mutants %q, want %q", got, want)
	}
}

// TestRunGoTimeout: a test that never ends is stopped and reported.
func TestRunGoTimeout(t *testing.T) {
	t.Parallel()
	root := goFixture(t)
	before := treeHash(t, root)
	hang := "package mathx\n\nimport \"testing\"\n\nfunc TestHang(t *testing.T) {\n\tselect {}\n}\n"
	r, err := Run(t.Context(), Spec{Root: root, TestPath: "mathx/clamp_gen_test.go", TestContent: []byte(hang),
		Target: Target{Path: "mathx/clamp.go"}, Runner: Exec{}, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	unchanged(t, root, before)
	if r.Passed || !r.TimedOut || len(r.Mutants) != 0 || !strings.Contains(r.Summary, "timed out") {
		t.Errorf("a hanging test: %+v", r)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	root := goFixture(t)
	ok := Spec{Root: root, TestPath: "mathx/x_test.go", TestContent: []byte("package mathx\n"),
		Target: Target{Path: "mathx/clamp.go"}, Runner: Exec{}}
	tests := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"no runner", func(s *Spec) { s.Runner = nil }, "Runner is nil"},
		{"no root", func(s *Spec) { s.Root = "" }, "Root is empty"},
		{"escaping test path", func(s *Spec) { s.TestPath = "../x_test.go" }, "not a file inside the project"},
		{"absolute target", func(s *Spec) { s.Target.Path = "/etc/passwd" }, "absolute"},
		{"not a test file name", func(s *Spec) { s.TestPath = "mathx/x.go" }, "ends in _test.go"},
		{"languages differ", func(s *Spec) { s.Target.Path = "lib/x.ex" }, "not a go file"},
		{"unknown language", func(s *Spec) { s.TestPath = "x_test.py" }, "only go and elixir"},
		{"no content", func(s *Spec) { s.TestContent = nil }, "TestContent is empty"},
		{"temp dir in the project", func(s *Spec) { s.TempDir = root + "/mathx" }, "inside the project"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			_, err := Run(t.Context(), s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("context ended", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		s := ok
		s.TestContent = []byte(goGood)
		if _, err := Run(ctx, s); err == nil {
			t.Error("Run with an ended context succeeded")
		}
	})
}

func TestExec(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatal(err)
	}
	out := newSink(10, nil)
	code, err := Exec{}.Run(t.Context(), Command{Dir: t.TempDir(), Name: "sh",
		Args: []string{"-c", `echo "$TESTGEN_X"; echo err >&2; exit 3`}, Env: []string{"TESTGEN_X=hello"}, Output: out})
	out.close()
	if err != nil || code != 3 || out.text(10) != "hello\nerr" {
		t.Errorf("code %d, err %v, output %q", code, err, out.text(10))
	}

	// A context that ends kills the whole process group, promptly.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	code, err = Exec{}.Run(ctx, Command{Dir: t.TempDir(), Name: "sh", Args: []string{"-c", "sleep 60 & sleep 60; wait"}})
	if err == nil || code != -1 || time.Since(began) > 10*time.Second {
		t.Errorf("code %d, err %v after %s", code, err, time.Since(began))
	}
	if _, err := (Exec{}).Run(t.Context(), Command{Dir: t.TempDir(), Name: "testgen-no-such-program"}); err == nil {
		t.Error("a missing program ran")
	}
}
