package testgen

import (
	"strings"
	"testing"
	"time"
)

const exHangs = `defmodule Calc.MathTest do
  use ExUnit.Case, async: true

  test "waits for ever" do
    Process.sleep(:infinity)
  end
end
`

// TestRunElixirHangingTest: a test that runs past the timeout compiled;
// the run reports it as timed out, not as a file that did not compile, as
// it does for Go.
func TestRunElixirHangingTest(t *testing.T) {
	needElixir(t)
	t.Parallel()
	root := exFixture(t)
	testPath, err := TestPath(root, "lib/calc/math.ex")
	if err != nil {
		t.Fatal(err)
	}
	target := unitOf(t, exMath, "  @doc \"\"\"", "  def distance(a, b), do: b - a")
	target.Path, target.Name = "lib/calc/math.ex", "Calc.Math.distance/2"
	r, err := Run(t.Context(), Spec{
		Root: root, TestPath: testPath, TestContent: []byte(exHangs),
		Target: target, Runner: Exec{}, Timeout: 10 * time.Second, TempDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, "hangs", r)
	if !r.Compiles || !r.TimedOut || r.Passed || !strings.HasPrefix(r.Summary, "timed out after") {
		t.Fatalf("a hanging test: compiles %v, timed out %v, passed %v, summary %q; want compiled and timed out",
			r.Compiles, r.TimedOut, r.Passed, r.Summary)
	}
}
