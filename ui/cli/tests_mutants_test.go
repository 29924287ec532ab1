package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/testgen"
)

// TestTestsMutantLines: each mutant's line says what it counted as: an
// invalid one (it did not build) is not counted, not "survived"; tests
// that changed the project's code list no mutant at all, as none of them
// is scored.
func TestTestsMutantLines(t *testing.T) {
	ms := []testgen.Mutant{{Description: "a: `+` → `-`", Killed: true}, {Description: "b: `+` → `*`"}, {Description: "c: `1` → `2`", Invalid: true}}
	var errb strings.Builder
	printTests(&Context{Out: &Output{Err: &errb}}, &testgen.Report{Compiles: true, Passed: true, Tests: 1, Mutants: ms, Summary: "1 test passes; score 0.83"})
	for _, want := range []string{"mutant a: `+` → `-`: killed", "mutant b: `+` → `*`: survived", "mutant c: `1` → `2`: not counted"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("no %q in:\n%s", want, errb.String())
		}
	}
	errb.Reset()
	printTests(&Context{Out: &Output{Err: &errb}}, &testgen.Report{Compiles: true, Tests: 1, Mutants: ms[:1], Changed: []string{"lib/x.ex"},
		Summary: "the tests change the project's code: lib/x.ex; score 0.00"})
	if strings.Contains(errb.String(), "mutant") || !strings.Contains(errb.String(), "lib/x.ex") {
		t.Errorf("tests that change the code:\n%s", errb.String())
	}
}
