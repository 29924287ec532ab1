package app

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/testgen"
	"github.com/aiex-dev/aiex/app/workflow"
)

// TestTestChecksCodeChanged: tests that changed the project's code fail
// the proposal's "tests pass" check, whether they ran or were only
// compiled (--no-run: compiling runs a module's body), naming the files.
func TestTestChecksCodeChanged(t *testing.T) {
	for _, notRun := range []bool{false, true} {
		r := &testgen.Report{Compiles: true, NotRun: notRun, Changed: []string{"lib/calc.ex"},
			Summary: "the tests change the project's code: lib/calc.ex; score 0.00"}
		cs := testChecks(r)
		if len(cs) != 2 || cs[1].Status != workflow.Failed || !strings.Contains(cs[1].Detail, "lib/calc.ex") {
			t.Errorf("not run %v: checks %+v; want tests pass failed, naming lib/calc.ex", notRun, cs)
		}
	}
}
