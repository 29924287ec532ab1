package cli

import (
	"cmp"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/testgen"
)

// TestTestsLineSaysWhatTheScoreIs: gen tests' line gives the score with
// what it is made of — not a share of tests that pass, which "1 of 3
// tests fail; score 0.33" reads as — and --json's summary says the same,
// its other fields as they were.
func TestTestsLineSaysWhatTheScoreIs(t *testing.T) {
	mutants := func(killed, survived, invalid int) []testgen.Mutant {
		var ms []testgen.Mutant
		for range killed {
			ms = append(ms, testgen.Mutant{Description: "calc.go:5:11: `+` → `-`", Killed: true})
		}
		for range survived {
			ms = append(ms, testgen.Mutant{Description: "calc.go:5:11: `+` → `*`"})
		}
		for range invalid {
			ms = append(ms, testgen.Mutant{Description: "calc.go:5:2: `return` removed", Invalid: true})
		}
		return ms
	}
	for _, tc := range []struct {
		name string
		rep  testgen.Report
		want string // the tests line
	}{
		{"failing tests", testgen.Report{Compiles: true, Tests: 3, Failed: 2, Score: 1.0 / 3,
			Summary: "2 of 3 tests fail (TestAdd/zero, …); score 0.33"},
			"tests: 2 of 3 tests fail (TestAdd/zero, …); score 0.33 = (compiles 1 + passes 0 + mutants 0, not run) / 3"},
		{"mutants, an invalid one not counted", testgen.Report{Compiles: true, Passed: true, Tests: 2, Score: (1 + 1 + 1.0/2) / 3,
			Mutants: mutants(1, 1, 1), Summary: "2 tests pass; 1/2 mutants killed (the tests miss some breakages of the target); score 0.83"},
			"tests: 2 tests pass; 1/2 mutants killed (the tests miss some breakages of the target); score 0.83 = (compiles 1 + passes 1 + mutants killed 1/2) / 3"},
		{"no mutant", testgen.Report{Compiles: true, Passed: true, Tests: 2, Score: 1, NoMutants: "nothing to mutate",
			Summary: "2 tests pass; no mutants: nothing to mutate; score 1.00 (compiles and passes; not measured against mutants)"},
			"tests: 2 tests pass; no mutants: nothing to mutate; score 1.00 = (compiles 1 + passes 1) / 2, not measured against mutants"},
		{"does not compile", testgen.Report{Summary: "does not compile: calc_test.go:3:1: syntax error; score 0.00"},
			"tests: does not compile: calc_test.go:3:1: syntax error; score 0.00 = (compiles 0 + passes 0 + mutants 0, not run) / 3"},
		// Nothing of the tests was checked: no score is given, as none
		// was measured, and no tests line (the tests compile check says
		// why); --json's summary is testgen's.
		{"unchecked, no score", testgen.Report{Unchecked: "the package does not build without the tests either",
			Summary: "the package does not build without the tests either"},
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb strings.Builder
			printTests(&Context{Out: &Output{Err: &errb}}, &tc.rep)
			if first, _, _ := strings.Cut(errb.String(), "\n"); first != tc.want {
				t.Errorf("tests line\n%q\nwant\n%q", first, tc.want)
			}
			if n := strings.Count(errb.String(), "score"); n != strings.Count(tc.want, "score") {
				t.Errorf("the score is given %d times:\n%s", n, errb.String())
			}
			summary := tc.rep.Summary
			out := newTaskJSON(&app.TaskResult{Tests: &tc.rep})
			if want := cmp.Or(strings.TrimPrefix(tc.want, "tests: "), tc.rep.Unchecked); out.Tests.Summary != want {
				t.Errorf("--json summary %q; want %q", out.Tests.Summary, want)
			}
			if tc.rep.Summary != summary || out.Tests.Score != tc.rep.Score || len(out.Tests.Mutants) != len(tc.rep.Mutants) {
				t.Errorf("--json changed the report or lost its fields: %+v", out.Tests)
			}
		})
	}
}
