package testgen

import (
	"strings"
	"testing"
)

// TestCompileOnly: Spec.CompileOnly builds the generated tests without
// running any of them (aiex gen tests --no-run): tests that do not
// compile are caught, tests that would fail are not run, and nothing is
// scored; the project is left as it was.
func TestCompileOnly(t *testing.T) {
	t.Run("go", func(t *testing.T) {
		if ok, why := Toolchain(LangGo); !ok {
			t.Fatal(why)
		}
		t.Parallel()
		root := goFixture(t)
		before := treeHash(t, root)
		clamp := unitOf(t, goClamp, "// Clamp limits", "}")
		clamp.Path, clamp.Name = "mathx/clamp.go", "Clamp"
		redeclared := strings.Replace(goGood, "func TestClamp(", "func TestSign(", 1) // clamp_test.go has TestSign
		for _, tc := range []struct {
			name, content string
			compiles      bool
			summary       string
		}{
			{"compiles", goGood, true, "compiles; the tests were not run"},
			{"fails when run, not run", goFailing, true, "compiles; the tests were not run"},
			{"does not compile", goNoCompile, false, "does not compile: mathx/clamp_gen_test.go:6:17: cannot use"},
			{"declared twice", redeclared, false, "TestSign redeclared in this block"},
		} {
			r, err := Run(t.Context(), Spec{Root: root, TestPath: "mathx/clamp_gen_test.go", TestContent: []byte(tc.content),
				Target: clamp, Runner: Exec{}, TempDir: t.TempDir(), CompileOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			logReport(t, tc.name, r)
			if r.Compiles != tc.compiles || !r.NotRun || r.Tests != 0 || r.Passed || len(r.Mutants) != 0 || r.Score != 0 ||
				!strings.Contains(r.Summary, tc.summary) {
				t.Errorf("%s: compiles %v (want %v), not run %v, %d tests, %d mutants, score %.2f, summary %q (want %q)\n%s",
					tc.name, r.Compiles, tc.compiles, r.NotRun, r.Tests, len(r.Mutants), r.Score, r.Summary, tc.summary, r.Output)
			}
		}
		unchanged(t, root, before)
	})
	t.Run("elixir", func(t *testing.T) {
		needElixir(t)
		t.Parallel()
		root := exFixture(t)
		before := treeHash(t, root)
		target := unitOf(t, exMath, "  @doc \"\"\"", "  def distance(a, b), do: b - a")
		target.Path, target.Name = "lib/calc/math.ex", "Calc.Math.distance/2"
		for _, tc := range []struct {
			name, content string
			compiles      bool
			summary       string
		}{
			{"fails when run, not run", exFailing, true, "compiles; the tests were not run"},
			{"does not compile", exNoCompile, false, "does not compile: ** (CompileError) test/calc/math_test.exs:5: undefined function expected/0"},
		} {
			r, err := Run(t.Context(), Spec{Root: root, TestPath: "test/calc/math_test.exs", TestContent: []byte(tc.content),
				Target: target, Runner: Exec{}, TempDir: t.TempDir(), CompileOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			logReport(t, tc.name, r)
			if r.Compiles != tc.compiles || !r.NotRun || r.Failed != 0 || len(r.Mutants) != 0 || !strings.Contains(r.Summary, tc.summary) {
				t.Errorf("%s: compiles %v (want %v), %d failed, %d mutants, summary %q (want %q)\n%s",
					tc.name, r.Compiles, tc.compiles, r.Failed, len(r.Mutants), r.Summary, tc.summary, r.Output)
			}
		}
		unchanged(t, root, before)
	})
}
