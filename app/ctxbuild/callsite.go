package ctxbuild

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// targetWords are the names a caller of target calls it by: its own name
// without what qualifies it (TrimSpace, get_user), the name of a const or
// var group it was named by, or, of a file or a module, its units'.
func targetWords(target *Item) map[string]bool {
	words := map[string]bool{}
	if target == nil {
		return words
	}
	add := func(name string) {
		if base, ok := chunk.PieceOf(name); ok {
			name = base
		}
		if w := shortName(name); w != "" {
			words[w] = true
		}
	}
	switch {
	case len(target.units) > 0:
		for _, u := range target.units {
			if u.kind != chunk.KindHeader && u.kind != chunk.KindCode {
				add(u.name)
			}
		}
	case target.member != "":
		add(target.member)
	default:
		add(target.Name)
	}
	return words
}

// callSite is code, a caller of the target, cut to fit room (by cost):
// its signature, its doc text left out, then the lines around its first
// line that names one of words (the target's names, targetWords), as
// many as fit, each run of lines left out marked with how many. A caller
// is there for how it calls the target: its first lines, its doc
// comment, seldom show that. from and to are the lines of code kept
// around the call (0-based, to exclusive); code is "" when no line of the
// body names the target, or not even that line fits.
func callSite(code string, words map[string]bool, cost func(string) int, room int) (cut string, from, to int) {
	lines := strings.Split(code, "\n")
	// The signature: its @spec and the lines up to the one that opens
	// the body.
	sig, head, decl := unitHead(lines)
	if !decl {
		return "", 0, 0
	}
	call := -1
	for i := head; i < len(lines) && call < 0; i++ {
		if namesAny(lines[i], words) {
			call = i
		}
	}
	if call < 0 {
		return "", 0, 0
	}
	render := func(lo, hi int) string {
		out := append([]string(nil), sig...)
		if lo > head {
			out = append(out, fmt.Sprintf("… (%d lines)", lo-head))
		}
		out = append(out, lines[lo:hi]...)
		if hi < len(lines) {
			out = append(out, fmt.Sprintf("… (%d more lines)", len(lines)-hi))
		}
		return strings.Join(out, "\n")
	}
	around := func(r int) (int, int) { return max(head, call-r), min(len(lines), call+1+r) }
	// The most lines around the call that fit: the cost grows with r.
	r := sort.Search(len(lines), func(r int) bool {
		lo, hi := around(r)
		return cost(render(lo, hi)) > room
	}) - 1
	if r < 0 {
		return "", 0, 0
	}
	from, to = around(r)
	return render(from, to), from, to
}

// namesAny reports whether line holds one of words as a whole identifier
// (an Elixir name may end with ? or !).
func namesAny(line string, words map[string]bool) bool {
	for _, w := range strings.FieldsFunc(line, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '?' && r != '!'
	}) {
		if words[w] || words[strings.TrimRight(w, "?!")] {
			return true
		}
	}
	return false
}

// beside reports whether c is code beside the project's own — examples,
// test data, vendored code, tests (db.CodeAside), or Go code in a
// directory the go tool ignores (a generator's _gen) — while the
// target's, at targetPath ("" for none), is not: a neighbour there says
// less of how the project uses the target than its own code does.
func beside(c db.CodeChunk, targetPath string) bool {
	aside := func(p, lang string) bool {
		return db.CodeAside(p, lang) || lang == "go" && goIgnoredDir(path.Dir(p))
	}
	return aside(c.Path, c.Lang) && (targetPath == "" || !aside(targetPath, chunk.Lang(targetPath)))
}
