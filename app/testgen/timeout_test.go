package testgen

import (
	"context"
	"fmt"
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
