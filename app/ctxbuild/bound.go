package ctxbuild

import (
	"fmt"
	"path"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
)

// What one candidate may take, however much room is left: the room a
// large window leaves after the neighbours and hits is no reason to fill
// it with one piece of code. rqlite's testdata/chinook/db.go, a Go const
// of 15,000 lines of sample SQL found as a hit for db.DB, took 111,200 of
// a 123,904-token budget cut to its first 5,450 lines.
const (
	// maxWholeTokens bounds a candidate in full (~1,500 lines of code): a
	// larger one goes as its signature, then cut as any reduced one is.
	maxWholeTokens = 16384
	// maxCutTokens bounds a candidate cut to fit the room left (a few
	// hundred lines): more of its first lines say little more of it.
	maxCutTokens = 4096
	// maxCutShare bounds it to a share of the budget in a small window.
	maxCutShare = 2
	// dataTokens is the size from which a Go const or var that is mostly
	// a literal is data rather than code to read.
	dataTokens = 1024
)

// maxCut is the most a candidate cut to fit the room left may take in a
// budget.
func maxCut(budget int) int { return min(budget/maxCutShare, maxCutTokens) }

// bound sets why a candidate may not go in full, if it may not: a hit or
// a neighbour that is data (code under testdata, a large Go const or var
// that is mostly a literal) goes as its signature at most, and is not cut
// to fit the room left, unless the question or the target is about it —
// a gen-tests context's tests and helpers (a table's var) are chosen for
// the target and stay as they are; any other candidate larger than
// maxWholeTokens goes reduced, and may be cut to fit (maxCut).
func (it *Item) bound(target *Item, words map[string]bool) {
	it.bounded, it.noCut = "", false
	lookedUp := it.Role == RoleHit || it.Role == RoleCallee || it.Role == RoleCaller
	if why := it.data(); lookedUp && why != "" && !about(it, target, words) {
		it.bounded, it.noCut = why, true
		return
	}
	if it.cost > maxWholeTokens {
		it.bounded = fmt.Sprintf("more than the %d tokens one item may take in full", maxWholeTokens)
	}
}

// data says why it is data rather than code to read ("" if it is not):
// test data, or a Go const or var group that is mostly a literal (a table,
// a raw string of SQL).
func (it *Item) data() string {
	if inTestdata(it.Path) {
		return "test data: its signature at most"
	}
	if (it.Kind == chunk.KindConst || it.Kind == chunk.KindVar) && it.cost >= dataTokens && mostlyLiteral(it.full) {
		return "mostly data: its signature at most"
	}
	return ""
}

// inTestdata reports whether p is under a directory named testdata.
func inTestdata(p string) bool {
	return strings.HasPrefix(p, "testdata/") || strings.Contains(p, "/testdata/")
}

// about reports whether the question (words, lower case) or the target is
// about it, data: the target is test data too, or the question names it —
// test data by its package or a directory under testdata (chinook, not
// the DB every project has), other data by its own name.
func about(it, target *Item, words map[string]bool) bool {
	if target != nil && inTestdata(it.Path) && inTestdata(target.Path) {
		return true
	}
	name := it.Name
	if base, ok := chunk.PieceOf(name); ok {
		name = base
	}
	var names []string
	if inTestdata(it.Path) {
		if i := strings.IndexAny(name, ".("); i > 0 {
			names = append(names, name[:i]) // its package or module
		}
		_, under, _ := strings.Cut("/"+path.Dir(it.Path), "/testdata/")
		names = append(names, strings.Split(under, "/")...)
	} else {
		names = append(names, shortName(name))
	}
	for _, n := range names {
		if n != "" && words[strings.ToLower(n)] {
			return true
		}
	}
	return false
}

// lowerWords are the question's words in lower case (questionWords).
func lowerWords(q string) map[string]bool {
	out := map[string]bool{}
	for w := range questionWords(q) {
		out[strings.ToLower(w)] = true
	}
	return out
}

// mostlyLiteral reports whether three quarters of code's lines are
// literal: inside a raw string, or rows of a composite literal (starting
// with a quote, a brace, a bracket or a number).
func mostlyLiteral(code string) bool {
	lines := strings.Split(code, "\n")
	lit, raw := 0, false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case raw:
			lit++
		case t == "":
		case strings.IndexByte("\"'`{}[]-0123456789", t[0]) >= 0:
			lit++
		}
		if strings.Count(l, "`")%2 == 1 {
			raw = !raw
		}
	}
	return lit*4 >= len(lines)*3
}
