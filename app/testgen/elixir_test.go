package testgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const exMath = `defmodule Calc.Math do
  @moduledoc "Small sums."

  @doc """
  The distance between ` + "`a` and `b`" + `.

      iex> Calc.Math.distance(2, 5)
      3
  """
  def distance(a, b) when a >= b, do: a - b
  def distance(a, b), do: b - a

  @doc false
  def parse(s) do
    case Integer.parse(s) do
      {n, ""} when n >= 0 -> {:ok, n}
      _ -> {:error, :invalid}
    end
  end
end
`

const exGood = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true
  doctest Calc.Math

  describe "distance/2" do
    test "a above b" do
      assert Calc.Math.distance(5, 2) == 3
    end

    test "a below b" do
      assert Calc.Math.distance(2, 5) == 3
    end

    test "equal" do
      assert Calc.Math.distance(4, 4) == 0
    end
  end
end
`

// exWeak passes whatever distance/2 computes.
const exWeak = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance is an integer" do
    assert is_integer(Calc.Math.distance(5, 2))
  end
end
`

// exBelow kills the first and third mutants but not the second: if mix
// missed the third (same size as the second, written within a second of
// its compile), the stale second would survive in its place.
const exBelow = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "a below b" do
    assert Calc.Math.distance(2, 5) == 3
  end
end
`

const exNoCompile = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance" do
    assert Calc.Math.distance(5, 2) == expected
  end
end
`

const exFailing = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance above" do
    assert Calc.Math.distance(5, 2) == 4
  end

  test "distance below" do
    assert Calc.Math.distance(2, 5) == 3
  end
end
`

// exFixture creates a project with mix new and compiles it for the test
// environment (as a project whose tests have run before has
// _build/test), so every Run copies compiled code.
func exFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mix := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("mix", args...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "MIX_ENV=test")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	mix(dir, "new", "calc", "--module", "Calc")
	root := filepath.Join(dir, "calc")
	writeFiles(t, root, map[string]string{"lib/calc/math.ex": exMath})
	mix(root, "compile")
	return root
}

func TestRunElixir(t *testing.T) {
	needElixir(t)
	t.Parallel()
	root := exFixture(t)
	before := treeHash(t, root)

	testPath, err := TestPath(root, "lib/calc/math.ex")
	if err != nil || testPath != "test/calc/math_test.exs" {
		t.Fatalf("TestPath = %q, %v", testPath, err)
	}
	target := unitOf(t, exMath, "  @doc \"\"\"", "  def distance(a, b), do: b - a")
	target.Path, target.Name = "lib/calc/math.ex", "Calc.Math.distance/2"

	tests := []struct {
		name     string
		content  string
		mutants  int
		compiles bool
		passed   bool
		tests    int
		failed   int
		killed   int
		valid    int
		score    float64
		summary  string
		output   string
		// killedEach, if set, says which mutants are killed.
		killedEach []bool
	}{
		// The second and third mutants (- → +) keep the file's size: mix
		// sees them only by mtime, within the second of the last compile.
		{name: "good", content: exGood, compiles: true, passed: true, tests: 4, killed: 3, valid: 3,
			score: 1, summary: "4 tests pass; 3/3 mutants killed", output: "1 doctest, 3 tests, 0 failures"},
		{name: "good without mutants", content: exGood, mutants: -1, compiles: true, passed: true, tests: 4,
			score: 1, summary: "mutants were turned off"},
		{name: "weak", content: exWeak, compiles: true, passed: true, tests: 1, valid: 3,
			score: 2.0 / 3, summary: "0/3 mutants killed"},
		{name: "partial", content: exBelow, compiles: true, passed: true, tests: 1, killed: 2, valid: 3,
			score: (2 + 2.0/3) / 3, summary: "2/3 mutants killed", killedEach: []bool{true, false, true}},
		{name: "does not compile", content: exNoCompile, score: 0,
			summary: "does not compile: ** (CompileError) test/calc/math_test.exs:5: undefined function expected/0",
			output:  "CompileError"},
		{name: "fails", content: exFailing, compiles: true, tests: 2, failed: 1, score: 1.0 / 3,
			summary: `1 of 2 tests fails (test distance above (Calc.MathTest))`, output: "2 tests, 1 failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{
				Root: root, TestPath: testPath, TestContent: []byte(tc.content),
				Target: target, Runner: Exec{}, Mutants: tc.mutants, TempDir: t.TempDir(),
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
			if killed != tc.killed || valid != tc.valid || len(r.Mutants) != valid {
				t.Errorf("mutants: %d killed of %d valid (%d tried); want %d of %d: %+v",
					killed, valid, len(r.Mutants), tc.killed, tc.valid, r.Mutants)
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
			if tc.valid > 0 {
				want := []string{
					"lib/calc/math.ex:10:29: `>=` → `<`",
					"lib/calc/math.ex:10:41: `-` → `+`",
					"lib/calc/math.ex:11:29: `-` → `+`",
				}
				for i, m := range r.Mutants {
					if m.Description != want[i] {
						t.Errorf("mutant %d is %q, want %q", i, m.Description, want[i])
					}
					if tc.killedEach != nil && m.Killed != tc.killedEach[i] {
						t.Errorf("mutant %q killed: %v, want %v", m.Description, m.Killed, tc.killedEach[i])
					}
				}
			}
		})
	}
}

// TestRunElixirUmbrella runs a test of an umbrella app in a project that
// was never compiled: the copy builds in the umbrella's _build.
func TestRunElixirUmbrella(t *testing.T) {
	needElixir(t)
	t.Parallel()
	dir := t.TempDir()
	mix := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("mix", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	mix(dir, "new", "umb", "--umbrella")
	root := filepath.Join(dir, "umb")
	mix(filepath.Join(root, "apps"), "new", "calc", "--module", "Calc")
	writeFiles(t, root, map[string]string{"apps/calc/lib/calc/math.ex": exMath})
	before := treeHash(t, root)

	testPath, err := TestPath(root, "apps/calc/lib/calc/math.ex")
	if err != nil || testPath != "apps/calc/test/calc/math_test.exs" {
		t.Fatalf("TestPath = %q, %v", testPath, err)
	}
	target := unitOf(t, exMath, "  @doc \"\"\"", "  def distance(a, b), do: b - a")
	target.Path = "apps/calc/lib/calc/math.ex"
	r, err := Run(t.Context(), Spec{Root: root, TestPath: testPath, TestContent: []byte(exGood),
		Target: target, Runner: Exec{}, Mutants: 1})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, "umbrella", r)
	unchanged(t, root, before)
	if killed, valid := r.Killed(); !r.Passed || r.Tests != 4 || killed != 1 || valid != 1 || !near(r.Score, 1) {
		t.Errorf("%+v", r)
	}
}

// needElixir stops a test that needs mix where it is missing: a failure in
// CI (which installs Debian's elixir package, .ci/run sets CI), a skip
// naming what is missing on a developer's machine without Elixir.
func needElixir(t *testing.T) {
	t.Helper()
	if ok, why := Toolchain(LangElixir); !ok {
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
}
