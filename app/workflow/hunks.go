package workflow

import (
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/aiex-dev/aiex/app/workflow/linediff"
)

// HunkContext is how many unchanged lines a hunk shows around a change.
const HunkContext = 3

// Hunks cuts the change from old to new into hunks (a line diff, with
// HunkContext lines of context), for a user to keep or drop one by one.
func Hunks(old, new string) ([]*udiff.Hunk, error) {
	if old == new {
		return nil, nil
	}
	u, err := udiff.ToUnifiedDiff("a", "b", old, linediff.Edits(old, new), HunkContext)
	if err != nil {
		return nil, err
	}
	return u.Hunks, nil
}

// Pick returns old with only the hunks whose keep is true applied: kept
// hunks' lines go in and their deleted lines out; dropped hunks leave
// their lines as they were. hunks must be Hunks(old, …), in order. With
// every hunk kept the result is the new text; with none, old.
func Pick(old string, hunks []*udiff.Hunk, keep []bool) string {
	lines := strings.SplitAfter(old, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	b.Grow(len(old))
	next := 0 // the first old line not yet written
	for i, h := range hunks {
		for ; next < h.FromLine-1 && next < len(lines); next++ {
			b.WriteString(lines[next])
		}
		for _, l := range h.Lines {
			switch {
			case l.Kind == udiff.Insert:
				if keep[i] {
					b.WriteString(l.Content)
				}
			case l.Kind == udiff.Delete && keep[i]:
				next++
			default: // an unchanged line, or a deletion dropped
				if next < len(lines) {
					b.WriteString(lines[next])
				}
				next++
			}
		}
	}
	for ; next < len(lines); next++ {
		b.WriteString(lines[next])
	}
	return b.String()
}
