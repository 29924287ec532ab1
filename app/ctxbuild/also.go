package ctxbuild

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// otherUnits returns the chunks of cs (a lookup's, the one taken first)
// that are other units than the first, at most maxAlso: a unit's other
// pieces are the same unit, but two units of one name in one file (Go's
// init functions) are two.
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
		if k := unit(c); !seen[k] && len(out) < maxAlso {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// alsoNamed lists the units a target's name named besides the one taken
// ("NAME (PATH:LINE)") and says how to take one of them instead. A name
// in full takes a unit only when no other unit has it: units of the same
// name (two init functions, main.main of two commands, a function of
// name_linux.go and name_other.go) are taken by PATH:LINE, their path as
// the user would type it (see showPath).
func alsoNamed(root string, taken db.CodeChunk, also []db.CodeChunk) (list []string, hint string) {
	if len(also) == 0 {
		return nil, ""
	}
	named := map[string]int{unitName(taken.Name): 1}
	for _, c := range also {
		named[unitName(c.Name)]++
	}
	var targets []string
	byLine := false
	for _, c := range also {
		list = append(list, fmt.Sprintf("%s (%s:%d)", c.Name, c.Path, c.StartLine))
		t := unitName(c.Name)
		if named[t] > 1 {
			t, byLine = fmt.Sprintf("%s:%d", showPath(root, c.Path), c.StartLine), true
		}
		targets = append(targets, t)
	}
	if !byLine {
		return list, "name one in full to take it"
	}
	if n := len(targets); n > 1 {
		return list, "give " + strings.Join(targets[:n-1], ", ") + " or " + targets[n-1] + " to take one"
	}
	return list, "give " + targets[0] + " to take it"
}

// unitName is a chunk's name without its piece's number: the unit's.
func unitName(name string) string {
	if u, ok := chunk.PieceOf(name); ok {
		return u
	}
	return name
}

// showPath is p, a path of the project at root, as the user would type
// it: relative to the current directory when it is in the project.
func showPath(root, p string) string {
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
