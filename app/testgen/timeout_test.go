package testgen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// hangRunner answers the unmutated run at once with a passing test. A
// mutant's run prints what mutantOutput says it prints before hanging,
// then blocks until its context ends, as a build or a test that never
// finishes would.
type hangRunner struct {
	mutantOutput []string
}

func (h hangRunner) Run(ctx context.Context, cmd Command) (int, error) {
	if !slices.Contains(cmd.Args, "-vet=off") {
		fmt.Fprintln(cmd.Output, `{"Action":"run","Package":"x","Test":"TestAdd"}`)
		fmt.Fprintln(cmd.Output, `{"Action":"pass","Package":"x","Test":"TestAdd"}`)
		fmt.Fprintln(cmd.Output, `{"Action":"pass","Package":"x"}`)
		return 0, nil
	}
	for _, l := range h.mutantOutput {
		fmt.Fprintln(cmd.Output, l)
	}
	<-ctx.Done()
	return -1, ctx.Err()
}

// TestMutantTimeout: a mutant whose run times out is killed only if its
// tests had started. One that timed out while it was still being built
// was never tested: it does not count, and the score does not drop.
func TestMutantTimeout(t *testing.T) {
	root := t.TempDir()
	src := "package x\n\nfunc Add(a, b int) int { return a + b }\n"
	writeFiles(t, root, map[string]string{"go.mod": "module x\n\ngo 1.22\n", "add.go": src})
	test := "package x\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\n"

	tests := []struct {
		name   string
		output []string
		killed bool
		score  float64
	}{
		{"hangs while building", []string{`{"ImportPath":"x","Action":"build-output","Output":"# x\n"}`}, false, 1},
		{"hangs in a test", []string{`{"Action":"run","Package":"x","Test":"TestAdd"}`}, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{
				Root: root, TestPath: "add_test.go", TestContent: []byte(test),
				Target:  Target{Path: "add.go", Name: "Add", Source: strings.TrimSpace(src[strings.Index(src, "func"):])},
				Runner:  hangRunner{mutantOutput: tc.output},
				Timeout: 200 * time.Millisecond, Mutants: 1, TempDir: t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Mutants) == 0 {
				t.Fatalf("no mutant was tried: %s", r.Summary)
			}
			m := r.Mutants[0]
			if m.Killed != tc.killed || m.Invalid == tc.killed {
				t.Errorf("mutant %s: killed %v, invalid %v; want killed %v, invalid %v (%s)",
					m.Description, m.Killed, m.Invalid, tc.killed, !tc.killed, m.Output)
			}
			if !near(r.Score, tc.score) {
				t.Errorf("score %.2f, want %.2f (%s)", r.Score, tc.score, r.Summary)
			}
		})
	}
}

// exHangRunner answers mix test's runs of the unmutated code with a
// passing test, compiling first (it writes the app's compile manifest, as
// mix does). A mutant's run hangs until its context ends: after compiling
// when compiles is set (a test that never ends), before it otherwise (a
// mutant that makes the compiler loop).
type exHangRunner struct{ compiles bool }

func (h exHangRunner) Run(ctx context.Context, cmd Command) (int, error) {
	build := ""
	for _, e := range cmd.Env {
		if v, ok := strings.CutPrefix(e, "MIX_BUILD_PATH="); ok {
			build = v
		}
	}
	compiled := func() error {
		dir := filepath.Join(build, "lib", "calc", ".mix")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "compile.elixir"), []byte("manifest"), 0o644)
	}
	if !slices.Contains(cmd.Args, "--max-failures") {
		if err := compiled(); err != nil {
			return 1, err
		}
		fmt.Fprintln(cmd.Output, "1 test, 0 failures")
		return 0, nil
	}
	if h.compiles {
		if err := compiled(); err != nil {
			return 1, err
		}
	}
	<-ctx.Done()
	return -1, ctx.Err()
}

// TestElixirMutantTimeout: as TestMutantTimeout, for mix, which says
// nothing when the tests start: a mutant that timed out before mix wrote
// its compile manifest was never tested, and is not counted as killed.
func TestElixirMutantTimeout(t *testing.T) {
	needElixir(t)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"mix.exs":          "defmodule Calc.MixProject do\n  use Mix.Project\nend\n",
		"lib/calc/math.ex": exMath,
	})
	test := "defmodule Calc.MathGenTest do\n  use ExUnit.Case\n  test \"x\", do: assert Calc.Math.distance(1, 2) == 1\nend\n"
	for _, tc := range []struct {
		name     string
		compiles bool
	}{{"hangs while compiling", false}, {"hangs in a test", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(t.Context(), Spec{
				Root: root, TestPath: "test/calc/math_gen_test.exs", TestContent: []byte(test),
				Target: Target{Path: "lib/calc/math.ex", Name: "Calc.Math.distance/2"}, Runner: exHangRunner{compiles: tc.compiles},
				Timeout: 300 * time.Millisecond, Mutants: 1, TempDir: t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Mutants) == 0 {
				t.Fatalf("no mutant was tried: %s", r.Summary)
			}
			m := r.Mutants[0]
			if m.Killed != tc.compiles || m.Invalid == tc.compiles {
				t.Errorf("mutant %s: killed %v, invalid %v; want killed %v (%s)", m.Description, m.Killed, m.Invalid, tc.compiles, m.Output)
			}
		})
	}
}
