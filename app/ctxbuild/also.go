package ctxbuild

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/db"
)

// otherUnits returns the chunks of cs (a lookup's, the one taken first)
// that are other units than the first, all of them (alsoNamed lists
// maxAlso and counts the rest): a unit's other pieces are the same unit,
// but two units of one name in one file (Go's init functions) are two.
func otherUnits(cs []db.CodeChunk) []db.CodeChunk {
	unit := func(c db.CodeChunk) string {
		if u, ok := chunk.PieceOf(c.Name); ok {
			return c.Path + "\x00" + u
		}
		return fmt.Sprintf("%s\x00%s\x00%d", c.Path, c.Name, c.StartByte)
	}
	seen := map[string]bool{unit(cs[0]): true}
	var out []db.CodeChunk
	for _, c := range cs[1:] {
		if k := unit(c); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// alsoNamed lists the units a target's name named besides the one taken
// ("NAME (PATH:LINE)"), the first maxAlso of them, and says how to take
// one of them instead. A name in full takes a unit only when no other
// unit has it: units of the same name (two init functions, main.main of
// two commands, a function of name_linux.go and name_other.go) are taken
// by PATH:LINE, their path as the list shows it where that takes them
// from the current directory (see showPath). Of more than maxAlso — those
// of also beyond it, and unlisted, those the lookup did not fetch — the
// hint says how many more there are and how one of them is taken, so
// that a list cut short does not pass for the whole; more is that count,
// for those who read it as a number (--json).
func alsoNamed(root string, taken db.CodeChunk, also []db.CodeChunk, unlisted int) (list []string, hint string, more int) {
	if len(also) == 0 {
		return nil, "", 0
	}
	named := map[string]int{unitName(taken.Name): 1}
	for _, c := range also {
		named[unitName(c.Name)]++
	}
	more = max(0, len(also)-maxAlso)
	also = also[:len(also)-more]
	var targets []string
	byLine := false
	for _, c := range also {
		// The list and the hint are printed as they are: names from the
		// project's files are quoted when they hold what a terminal
		// would act on or not show as it is (sandbox.QuoteName).
		list = append(list, fmt.Sprintf("%s (%s:%d)", sandbox.QuoteName(c.Name), sandbox.QuoteName(c.Path), c.StartLine))
		t := unitName(c.Name)
		if named[t] > 1 {
			t, byLine = fmt.Sprintf("%s:%d", showPath(root, c.Path), c.StartLine), true
		}
		targets = append(targets, sandbox.QuoteName(t))
	}
	switch n := len(targets); {
	case !byLine:
		hint = "name one in full to take it"
	case n > 1:
		hint = "give " + strings.Join(targets[:n-1], ", ") + " or " + targets[n-1] + " to take one"
	default:
		hint = "give " + targets[0] + " to take it"
	}
	more += unlisted
	if more > 0 {
		// No command lists exactly the units of a name (search ranks at
		// most eight of them first and fills the rest with chunks that
		// hold the word, see search.Named), so the hint names none: it
		// says how one of those not listed is taken instead.
		hint += fmt.Sprintf("; %d more not listed (PATH:LINE or a fuller name takes one of them)", more)
	}
	return list, hint, more
}

// unitName is a chunk's name without its piece's number: the unit's.
func unitName(name string) string {
	if u, ok := chunk.PieceOf(name); ok {
		return u
	}
	return name
}

// showPath is p, a path of the project at root, as a target that takes
// it from the current directory: p itself, relative to the root, as the
// list beside the hint, search and context's table show it (a target
// takes a path relative to the root from any directory of the project,
// see targetFile); or, where the current directory has a file of that
// path, another one, relative to the current directory.
func showPath(root, p string) string {
	if rel, ok := targetFile(root, p); ok && rel == p {
		return p
	}
	cwd := workDir(root)
	if cwd == "" {
		return p
	}
	r, err := filepath.Rel(cwd, filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}
