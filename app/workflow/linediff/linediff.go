// Package linediff computes line-by-line differences between texts, as
// go-udiff edits and unified diffs.
//
// go-udiff's own Strings and Unified diff characters and then widen each
// edit to whole lines, so a line the change leaves alone but whose
// characters the character diff matched differently (an inserted
// function that starts like the one after it) shows as removed and added
// again. Here whole lines are the units compared: a line is shown as
// changed only if it is.
package linediff

import (
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/aymanbagabas/go-udiff/lcs"
)

// Edits are the edits from old to new, each spanning whole lines of old
// (the last line may lack its newline: then it differs from the same
// text with one), in order.
func Edits(old, new string) []udiff.Edit {
	if old == new {
		return nil
	}
	a, b := lines(old), lines(new)
	// Each distinct line becomes one symbol; the lines are compared as
	// sequences of them.
	ids := make(map[string]rune, len(a)+len(b))
	symbols := func(ls []string) []rune {
		out := make([]rune, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = rune(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	sa, sb := symbols(a), symbols(b)
	offset := make([]int, len(a)+1) // byte offset of each line of old
	for i, l := range a {
		offset[i+1] = offset[i] + len(l)
	}
	diffs := lcs.DiffRunes(sa, sb)
	edits := make([]udiff.Edit, len(diffs))
	for i, d := range diffs {
		edits[i] = udiff.Edit{Start: offset[d.Start], End: offset[d.End], New: strings.Join(b[d.ReplStart:d.ReplEnd], "")}
	}
	return edits
}

// Unified is the unified diff from old to new with the header names
// oldLabel and newLabel and three lines of context, as git prints it
// ("\ No newline at end of file" included); "" when they are equal.
func Unified(oldLabel, newLabel, old, new string) string {
	if old == new {
		return ""
	}
	u, err := udiff.ToUnified(oldLabel, newLabel, old, Edits(old, new), udiff.DefaultContextLines)
	if err != nil {
		// Cannot happen: the edits are old's own lines, in order.
		panic("linediff: " + err.Error())
	}
	return u
}

// lines splits s after each newline; a last line without one is a line.
func lines(s string) []string {
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}
