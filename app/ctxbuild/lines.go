package ctxbuild

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// FormLines is a target named by PATH:LINE whose unit is too large to
// show whole, or without its doc text, for a task that only reads it: the
// lines around LINE that fit, after the unit's signature, comments
// marking the lines left out. The line asked about is never left out.
const FormLines = "lines"

// linesCut is a unit's code (full, its first line the file's start) cut
// to n lines around line, a line of the file within it, with the unit's
// signature first when the lines start after it and a comment marking
// each run of lines left out (in the file's language's comment syntax).
// first and last are the file's lines the cut keeps of the unit's body.
type linesCut struct {
	code        string
	first, last int
}

// cutToLines cuts full, a unit starting at the file's line start, to n of
// its lines around the lines line to last (clamped to the unit): from
// line on when they are more than n. Lines cut from the start
// of the body give way to the unit's head (its declaration up to the line
// opening its body, as a signature shows it) and a mark; lines cut from
// its end, to a mark and the unit's closing line ("}", ")", "end") if it has
// one, so that the excerpt reads as the unit does.
func cutToLines(full, file string, start, line, last, n int) linesCut {
	lines := strings.Split(full, "\n")
	at := min(max(line-start, 0), len(lines)-1)
	span := min(max(last-line, 0), len(lines)-1-at) + 1
	n = min(max(n, 1), len(lines))
	a := max(at-max(n-span, 0)/2, 0)
	b := a + n - 1
	if b >= len(lines) {
		b = len(lines) - 1
		a = max(b-n+1, 0)
	}
	head, body, decl := unitHead(lines)
	if !decl || body >= len(lines) {
		head, body = nil, 0
	}
	if a <= body {
		a = 0 // the head is as long as what it stands for
	}
	closing := ""
	if t := strings.TrimSpace(lines[len(lines)-1]); len(lines) > 1 && (t == "}" || t == ")" || t == "end") {
		closing = lines[len(lines)-1]
	}
	var out []string
	if a > 0 {
		out = append(out, head...)
		out = append(out, elided(lines[a], file))
	}
	out = append(out, lines[a:b+1]...)
	if b < len(lines)-1 {
		if b == len(lines)-2 && closing != "" {
			out = append(out, closing)
		} else {
			out = append(out, elided(lines[b], file))
			if closing != "" {
				out = append(out, closing)
			}
		}
	}
	return linesCut{code: strings.Join(out, "\n"), first: start + a, last: start + b}
}

// elided is the comment marking lines left out next to line, indented as
// it is: "// …" in Go, "# …" in Elixir, "…" otherwise.
func elided(line, file string) string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	switch path.Ext(file) {
	case ".go":
		return indent + "// …"
	case ".ex", ".exs":
		return indent + "# …"
	}
	return indent + "…"
}

// fitLines fits target, a unit named by PATH:LINE (target.line) too large
// to show whole, as the most lines around the line that leave the prompt
// within budget, found by halving: fits renders the prompt with a code
// and reports its tokens. ok is false when not even the line itself does.
func fitLines(target *Item, fits func(code string, first, last int) (int, error), budget int) (n int, ok bool, err error) {
	total := strings.Count(target.full, "\n") + 1
	lo, hi := 0, total // lo lines fit (0: none tried), hi+1 do not
	best := linesCut{}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		c := cutToLines(target.full, target.Path, target.StartLine, target.line, max(target.lineEnd, target.line), mid)
		tokens, err := fits(c.code, c.first, c.last)
		if err != nil {
			return 0, false, err
		}
		if tokens <= budget {
			lo, best, n = mid, c, tokens
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return 0, false, nil
	}
	// The last rendering may have been one that did not fit.
	if n, err = fits(best.code, best.first, best.last); err != nil {
		return 0, false, err
	}
	return n, true, nil
}

// linesReason is the reason a target cut to lines gives.
func linesReason(fullTokens, first, last, line, lineEnd int) string {
	around := fmt.Sprintf("line %d", line)
	if lineEnd > line {
		around = fmt.Sprintf("lines %d-%d", line, lineEnd)
	}
	return fmt.Sprintf("%d tokens in full; cut to lines %d-%d around %s", fullTokens, first, last, around)
}

// targetLines are the line a PATH:LINE target (or PATH:LINE:COL) names,
// or the first and last of a PATH:START-END, when PATH is a file of the
// project at root; 0, 0 otherwise. end is line when there is no range.
func targetLines(root, target string) (line, end int) {
	if p, text, ok := cutLine(target); ok {
		if s, e, isRange := strings.Cut(text, "-"); isRange && isDigits(s) && isDigits(e) {
			if _, isFile := targetFile(root, p); isFile {
				line, _ = strconv.Atoi(s)
				end, _ = strconv.Atoi(e)
				return line, max(end, line)
			}
			return 0, 0
		}
	}
	p, line := splitTarget(withoutColumn(root, target))
	if line == 0 {
		return 0, 0
	}
	if _, ok := targetFile(root, p); !ok {
		return 0, 0
	}
	return line, line
}

// inRange is the target of PATH:START-END, at (the unit chunkAtLine took
// for START) when the lines hold no other unit: as aiex prints a unit's
// lines, a range names one unit. A range over several units, or one
// ending before it starts, is a usage error saying what to give instead;
// a range over one unit from a line of none of them (a blank line inside
// a module) takes that unit, not the module. cs are p's chunks in the
// index; a file changed since is looked at as it is now.
func (f *fileCache) inRange(p string, cs []db.CodeChunk, at db.CodeChunk, start, end int) (db.CodeChunk, error) {
	if end < start {
		return db.CodeChunk{}, usererr.Usage("%s:%d-%d ends before it starts; give PATH:START-END with START ≤ END, or PATH:LINE", p, start, end)
	}
	list := cs
	if f.stale[p] {
		list = nil
		for _, c := range f.fresh[p] {
			list = append(list, db.CodeChunk{Path: p, Name: c.Name, Kind: c.Kind, StartLine: c.StartLine, EndLine: c.EndLine})
		}
	}
	var units []db.CodeChunk
	seen := map[string]bool{} // the pieces of a unit the chunker split are one
	for _, c := range list {
		name := c.Name
		if base, ok := chunk.PieceOf(name); ok {
			name = base
		}
		if c.StartLine <= end && c.EndLine >= start && !container(c.Kind) && c.Kind != chunk.KindHeader && !seen[name] {
			seen[name] = true
			c.Name = name
			units = append(units, c)
		}
	}
	switch {
	case len(units) > 1:
		names := make([]string, 0, min(len(units), maxAlso))
		for _, u := range units[:min(len(units), maxAlso)] {
			names = append(names, fmt.Sprintf("%s at %d", u.Name, u.StartLine))
		}
		if len(units) > maxAlso {
			names = append(names, fmt.Sprintf("%d more", len(units)-maxAlso))
		}
		return db.CodeChunk{}, usererr.Usage("lines %d-%d of %s hold %d units (%s); give PATH:LINE of one, or PATH for the whole file",
			start, end, p, len(units), strings.Join(names, ", "))
	case len(units) == 1 && container(at.Kind):
		return f.chunkAtLine(p, cs, units[0].StartLine, -1)
	}
	return at, nil
}
