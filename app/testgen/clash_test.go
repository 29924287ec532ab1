package testgen

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// passRunner answers every mix test run with one passing test.
type passRunner struct{}

func (passRunner) Run(_ context.Context, cmd Command) (int, error) {
	fmt.Fprintln(cmd.Output, "1 test, 0 failures")
	return 0, nil
}

// TestElixirModuleClash: a generated test file that defines the module an
// existing test file defines passes on its own, but would break the
// project's mix test; it is reported as not compiling, built or run.
func TestElixirModuleClash(t *testing.T) {
	needElixir(t)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"mix.exs":                  "defmodule Calc.MixProject do\n  use Mix.Project\nend\n",
		"lib/calc/math.ex":         exMath,
		"test/calc/math_test.exs":  "defmodule Calc.MathTest do\n  use ExUnit.Case\nend\n",
		"test/support/helpers.exs": "defmodule Calc.Helpers do\nend\n",
	})
	testPath, err := TestPath(root, "lib/calc/math.ex")
	if err != nil || testPath != "test/calc/math_gen_test.exs" {
		t.Fatalf("TestPath = %q, %v; want test/calc/math_gen_test.exs", testPath, err)
	}
	test := func(module string) string {
		return "defmodule " + module + " do\n  use ExUnit.Case\n  test \"x\", do: assert Calc.Math.distance(1, 2) == 1\nend\n"
	}
	tests := []struct {
		name, content string
		compileOnly   bool
		clash         string // "" when none
	}{
		{"same module as the existing tests", test("Calc.MathTest"), false, "test/calc/math_test.exs already defines Calc.MathTest"},
		{"built only", test("Calc.MathTest"), true, "test/calc/math_test.exs already defines Calc.MathTest"},
		{"same as a support module", "defmodule Calc.Helpers do\nend\n" + test("Calc.MathGenTest"), false, "test/support/helpers.exs already defines Calc.Helpers"},
		{"a module of its own", test("Calc.MathGenTest"), false, ""},
		{"same name nested", "defmodule Calc.MathGenTest do\n  defmodule Calc.MathTest do\n  end\nend\n", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{
				Root: root, TestPath: testPath, TestContent: []byte(tc.content),
				Target: Target{Path: "lib/calc/math.ex"}, Runner: passRunner{}, Mutants: -1,
				TempDir: t.TempDir(), CompileOnly: tc.compileOnly,
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.clash == "" {
				if !r.Compiles {
					t.Errorf("does not compile: %s", r.Summary)
				}
				return
			}
			if r.Compiles || r.Passed || r.Score != 0 {
				t.Errorf("compiles %v, passed %v, score %.2f; want false, false, 0", r.Compiles, r.Passed, r.Score)
			}
			if !strings.Contains(r.Summary, tc.clash) || !strings.Contains(r.Output, tc.clash) {
				t.Errorf("summary %q, output %q; want both to say %q", r.Summary, r.Output, tc.clash)
			}
		})
	}
}
