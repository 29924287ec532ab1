package testgen

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goAssignSrc = `package p

// Sum's only operator is a compound assignment.
func Sum(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return
}

// Ops has one of each, and some left alone.
func Ops(xs []int, name string) (int, string) {
	p, n, bits := xs[0], 0, xs[1]
	for i := range xs {
		p *= xs[i]
		p /= len(xs)
		bits <<= 1
		bits &= p
		n++
	}
	for i := len(xs); i > 0; i-- {
		n--
	}
	for j := xs[0]; j < xs[1]; j += xs[2] {
		bits >>= j
		bits |= j
	}
	name += "!"
	p %= n
	return p * n, name
}
`

// TestGoAssignSites: assignment operators are flipped like the binary
// ones (+= ↔ -=, *= ↔ /=, <<= ↔ >>=, &= ↔ |=, ++ ↔ --), but not in a
// for clause's post statement, where the flip makes a loop that does not
// end (a mutant costing the whole timeout), nor += of a string literal.
func TestGoAssignSites(t *testing.T) {
	for name, tc := range map[string]struct {
		prefix string
		want   []string
	}{
		"Sum": {"// Sum's only", []string{"6: += → -="}},
		"Ops": {"// Ops has", []string{
			"15: *= → /=", "16: /= → *=", "17: <<= → >>=", "18: &= → |=", "19: ++ → --",
			"21: > → <=", "22: -- → ++", "24: < → >=", "25: >>= → <<=", "26: |= → &=",
			"13: 0 → 1", "13: 0 → 1", "13: 1 → 2", "17: 1 → 2", "21: 0 → 1", "24: 0 → 1", "24: 1 → 2", "24: 2 → 3",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			tg := unitOf(t, goAssignSrc, tc.prefix, "}")
			start, end, note := unitRange([]byte(goAssignSrc), tg)
			if note != "" {
				t.Fatal(note)
			}
			sites, err := goSites("p.go", []byte(goAssignSrc), start, end)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, sitesText(goAssignSrc, order(sites))); d != "" {
				t.Errorf("sites (-want +got):\n%s", d)
			}
		})
	}
}

// TestRunGoAssignMutant: a target whose only operator is a compound
// assignment gets a mutant, which a real test kills; a target with
// nothing to mutate says what was looked for.
func TestRunGoAssignMutant(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	src := goAssignSrc + "\n// Mul has an operator that is not mutated.\nfunc Mul(a, b int) int {\n\treturn a * b\n}\n"
	writeFiles(t, root, map[string]string{"go.mod": "module example.com/sum\n\ngo 1.22\n", "sum/p.go": src})
	sum := unitOf(t, src, "// Sum's only", "}")
	sum.Path, sum.Name = "sum/p.go", "Sum"
	mul := unitOf(t, src, "// Mul has", "}")
	mul.Path, mul.Name = "sum/p.go", "Mul"
	const tests = "package p\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif Sum([]int{1, 2}) != 3 || Mul(2, 3) != 6 {\n\t\tt.Fatal()\n\t}\n}\n"

	r, err := Run(t.Context(), Spec{Root: root, TestPath: "sum/p_test.go", TestContent: []byte(tests),
		Target: sum, Runner: Exec{}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, "Sum", r)
	if killed, valid := r.Killed(); killed != 1 || valid != 1 || r.Mutants[0].Description != "sum/p.go:6:5: `+=` → `-=`" {
		t.Errorf("mutants %+v; no mutants: %q", r.Mutants, r.NoMutants)
	}

	r, err = Run(t.Context(), Spec{Root: root, TestPath: "sum/p_test.go", TestContent: []byte(tests),
		Target: mul, Runner: Exec{}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Mutants) != 0 || !strings.HasPrefix(r.NoMutants, "the target has nothing to mutate: no ") || !strings.Contains(r.NoMutants, "+=") {
		t.Errorf("mutants %+v; no mutants: %q", r.Mutants, r.NoMutants)
	}
}
