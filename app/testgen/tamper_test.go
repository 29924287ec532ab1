package testgen

import (
	"strings"
	"testing"
)

// exTamper passes, then rewrites a file of the project's code in the
// directory it runs in: run as mix test runs it, in the project, it would
// change the user's code. In the check's copy, every run after it would
// see the rewritten code, and a mutant's run fail for it.
const exTamper = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance is an integer" do
    assert is_integer(Calc.Math.distance(5, 2))
    File.write!("lib/calc.ex", "defmodule Calc do\n  def broken(, do: 1\nend\n")
  end
end
`

// exTamperKills rewrites a module it asserts on: every run after the
// first fails, and each mutant would count as killed.
const exTamperKills = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance and hello" do
    assert Calc.hello() == :world
    assert is_integer(Calc.Math.distance(5, 2))
    File.write!("lib/calc.ex", "defmodule Calc do\n  def hello, do: :gone\nend\n")
  end
end
`

// exTamperOnMutant rewrites code only when the target misbehaves: the
// unmutated run changes nothing, a mutant's does.
const exTamperOnMutant = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance is an integer" do
    d = Calc.Math.distance(2, 5)
    if d != 3, do: File.write!("lib/calc.ex", "defmodule Calc do\n  def hello, do: :gone\nend\n")
    assert is_integer(d)
  end
end
`

// exTamperTarget rewrites the target's own file.
const exTamperTarget = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "distance is an integer" do
    assert is_integer(Calc.Math.distance(5, 2))
    File.write!("lib/calc/math.ex", "defmodule Calc.Math do\n  def distance(_, _), do: raise \"gone\"\nend\n")
  end
end
`

// exTamperCompiling rewrites code as its module is compiled, before any
// test runs.
const exTamperCompiling = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true
  File.write!("lib/calc.ex", "defmodule Calc do\n  def hello, do: :gone\nend\n")

  test "distance is an integer" do
    assert is_integer(Calc.Math.distance(5, 2))
  end
end
`

// TestRunElixirCompileOnlyChangesCode: --no-run compiles the file, which
// runs its module's body: one that writes the project's code says so.
func TestRunElixirCompileOnlyChangesCode(t *testing.T) {
	needElixir(t)
	t.Parallel()
	root := exFixture(t)
	target := Target{Path: "lib/calc/math.ex", Name: "Calc.Math.distance/2"}
	r, err := Run(t.Context(), Spec{Root: root, TestPath: "test/calc/math_test.exs", TestContent: []byte(exTamperCompiling),
		Target: target, Runner: Exec{}, TempDir: t.TempDir(), CompileOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changed) != 1 || r.Changed[0] != "lib/calc.ex" || !strings.Contains(r.Summary, "change the project's code: lib/calc.ex") {
		t.Errorf("changed %q, summary %q; want lib/calc.ex named", r.Changed, r.Summary)
	}
}

// TestRunElixirTestsChangeCode: tests that change the project's code as
// they run do not pass, score no mutant, and say which file they
// changed; the project is untouched.
func TestRunElixirTestsChangeCode(t *testing.T) {
	needElixir(t)
	t.Parallel()
	root := exFixture(t)
	before := treeHash(t, root)
	target := unitOf(t, exMath, "  @doc \"\"\"", "  def distance(a, b), do: b - a")
	target.Path, target.Name = "lib/calc/math.ex", "Calc.Math.distance/2"
	for _, tc := range []struct{ name, content, file string }{
		{"another file", exTamper, "lib/calc.ex"},
		{"a module it asserts on", exTamperKills, "lib/calc.ex"},
		{"the target", exTamperTarget, "lib/calc/math.ex"},
		{"on a mutant", exTamperOnMutant, "lib/calc.ex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{Root: root, TestPath: "test/calc/math_test.exs", TestContent: []byte(tc.content),
				Target: target, Runner: Exec{}, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			logReport(t, tc.name, r)
			unchanged(t, root, before)
			killed, _ := r.Killed()
			if r.Passed || killed > 0 || r.Score != 0 {
				t.Errorf("passed %v, %d mutants killed, score %.2f; want tests that change the code not to pass or score: %+v", r.Passed, killed, r.Score, r.Mutants)
			}
			if !strings.Contains(r.Summary, "change the project's code: "+tc.file) {
				t.Errorf("summary %q; want %s named", r.Summary, tc.file)
			}
		})
	}
}
