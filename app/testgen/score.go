package testgen

import (
	"fmt"
	"strings"
)

// ScoredSummary is r's summary with its score told as what it is made of
// (scoreParts), in place of the bare number testgen ends it with: "2 of 3
// tests fail; score 0.33" reads as a share of tests that pass. Of tests
// that could not be checked (Unchecked) it is the summary as it is:
// nothing was measured to score.
func (r *Report) ScoredSummary() string {
	if r.Unchecked != "" {
		return r.Summary
	}
	bare := fmt.Sprintf("; score %.2f", r.Score)
	s := r.Summary
	if i := strings.LastIndex(s, bare); i >= 0 {
		// What follows the number says only what scoreParts says.
		s = s[:i]
	}
	return s + "; " + scoreParts(r)
}

// scoreParts is r's score as Score computes it: the mean
// of compiles, passes (1 or 0 each) and the share of the mutants tried
// that the tests killed, or of the first two alone when the tests pass
// and no mutant could be tried.
func scoreParts(r *Report) string {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	killed, valid := r.Killed()
	switch {
	case len(r.Changed) > 0:
		return fmt.Sprintf("score %.2f: tests that change the project's code are not scored", r.Score)
	case valid > 0:
		return fmt.Sprintf("score %.2f = (compiles %d + passes %d + mutants killed %d/%d) / 3", r.Score, b(r.Compiles), b(r.Passed), killed, valid)
	case r.Passed:
		return fmt.Sprintf("score %.2f = (compiles %d + passes 1) / 2, not measured against mutants", r.Score, b(r.Compiles))
	}
	return fmt.Sprintf("score %.2f = (compiles %d + passes 0 + mutants 0, not run) / 3", r.Score, b(r.Compiles))
}
