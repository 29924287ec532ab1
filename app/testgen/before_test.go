package testgen

import (
	"strings"
	"testing"
	"time"
)

// TestUncheckedWhenPackageBroken: a package that does not build before
// any test is added (here a dependency the go command cannot load, as a
// module missing from a read-only module cache is) stops the go command
// before it compiles the generated tests. The report does not blame the
// tests: it says they could not be checked, quoting the go command's
// error, not a progress line. Tests that do not compile in a package that
// builds still do not compile (TestCompileOnly).
func TestUncheckedWhenPackageBroken(t *testing.T) {
	if ok, why := Toolchain(LangGo); !ok {
		t.Fatal(why)
	}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":       "module example.com/b\n\ngo 1.22\n\nrequire example.com/missing v1.0.0\n\nreplace example.com/missing => ./nowhere\n",
		"dep/dep.go":   "package dep\n\nimport \"example.com/missing\"\n\n// X is x.\nvar X = missing.X\n",
		"calc/calc.go": "package calc\n\nimport \"example.com/b/dep\"\n\n// Add adds.\nfunc Add(a, b int) int {\n\t_ = dep.X\n\treturn a + b\n}\n",
	})
	before := treeHash(t, root)
	const tests = "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n"
	target := Target{Path: "calc/calc.go", Name: "Add", Source: "func Add(a, b int) int {\n\t_ = dep.X\n\treturn a + b\n}", StartLine: 6, EndLine: 9}
	for _, compileOnly := range []bool{true, false} {
		r, err := Run(t.Context(), Spec{Root: root, TestPath: "calc/calc_test.go", TestContent: []byte(tests),
			Target: target, Runner: Exec{}, TempDir: t.TempDir(), CompileOnly: compileOnly})
		if err != nil {
			t.Fatal(err)
		}
		logReport(t, "broken package", r)
		want := "could not check the tests: the package does not build without them either, so the go command stopped before it compiled them: ../dep/dep.go:3:8: example.com/missing@v1.0.0: replacement directory"
		if r.Compiles || !strings.Contains(r.Unchecked, want) || r.Summary != r.Unchecked {
			t.Errorf("compile only %v: compiles %v, unchecked %q, summary %q; want unchecked %q as the summary", compileOnly, r.Compiles, r.Unchecked, r.Summary, want)
		}
	}
	unchanged(t, root, before)
}

// TestUncheckedWhenOwnTestsBroken: a package whose own existing tests do
// not compile builds, but go test stops at those tests before it compiles
// the generated ones. The report says that — not that the package does
// not build — and shows no score for tests it could not check.
func TestUncheckedWhenOwnTestsBroken(t *testing.T) {
	if ok, why := Toolchain(LangGo); !ok {
		t.Fatal(why)
	}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":           "module example.com/b\n\ngo 1.22\n",
		"calc/calc.go":     "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
		"calc/old_test.go": "package calc\n\nimport \"testing\"\n\nfunc TestOld(t *testing.T) { _ = Missing }\n",
	})
	const tests = "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n"
	target := Target{Path: "calc/calc.go", Name: "Add", Source: "func Add(a, b int) int {\n\treturn a + b\n}", StartLine: 4, EndLine: 6}
	r, err := Run(t.Context(), Spec{Root: root, TestPath: "calc/calc_gen_test.go", TestContent: []byte(tests),
		Target: target, Runner: Exec{}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, "broken tests", r)
	const want = "could not check the tests: the package's existing tests do not compile, so the go command stopped before it compiled the new ones: ./old_test.go:5:34: undefined: Missing"
	if r.Compiles || !strings.Contains(r.Unchecked, want) {
		t.Errorf("unchecked %q; want %q", r.Unchecked, want)
	}
	if s := r.ScoredSummary(); s != r.Summary || strings.Contains(s, "score") {
		t.Errorf("scored summary %q; want the summary %q, with no score", s, r.Summary)
	}
}

// TestFailedTestsVerb: one failed test "fails", more "fail".
func TestFailedTestsVerb(t *testing.T) {
	for _, tc := range []struct {
		tests, failed int
		want          string
	}{{1, 1, "1 of 1 test fails"}, {3, 1, "1 of 3 tests fails"}, {3, 2, "2 of 3 tests fail"}} {
		r := &Report{Compiles: true, Tests: tc.tests, Failed: tc.failed}
		if got := r.summarize("", time.Minute); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%d of %d failed: %q; want it to start %q", tc.failed, tc.tests, got, tc.want)
		}
	}
}
