package ctxbuild

import (
	"fmt"
	"strings"
)

// moduledocShare is the most of the budget, as a fraction (1/16), that
// the @moduledoc of the target's module header may take: in a 2,048-token
// window 96 tokens, in a 4,096-token one 192, in a 32k one 1,792. The doc
// is prose about the whole module; the code around the target (what it
// calls, what calls it) says more about the target, and in a small window
// the two compete for the same room.
const moduledocShare = 16

// hitModuledocShare is the most of the budget, as a fraction (1/8), that
// the @moduledoc of a module header found by the search may take: twice
// the target's header's share, as the doc may be what the question is
// about, but bounded still — a hit is one of a dozen, and a long doc in
// whole (1,505 tokens of a 3,072-token budget, all prose) leaves the code
// around the target nothing. A question about the module itself gets its
// doc whole by naming the module as the target.
const hitModuledocShare = 8

// moduledocForms returns header, an Elixir module's header chunk, with its
// @moduledoc cut to its first paragraph (para: the heredoc's first run of
// non-blank lines, then a line saying how many more there were; "" when
// the doc is one paragraph or not a heredoc, so there is nothing to cut),
// and without it (none: the @moduledoc expression replaced by a "# …"
// line, as elixirHeaderCut marks what it leaves out). ok is false when
// the header has no @moduledoc.
func moduledocForms(header string) (para, none string, ok bool) {
	lines := strings.Split(header, "\n")
	first, last, heredoc := moduledocLines(lines)
	if first < 0 {
		return "", "", false
	}
	l := lines[first]
	pad := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
	var out []string
	out = append(out, lines[:first]...)
	if !marked(out) {
		out = append(out, pad+"# …")
	}
	rest := lines[last+1:]
	if len(rest) > 0 && marked(out) && strings.TrimSpace(rest[0]) == "# …" {
		rest = rest[1:]
	}
	none = strings.Join(append(out, rest...), "\n")
	if !heredoc {
		return "", none, true
	}
	// The first paragraph: from the first non-blank line of the doc to the
	// next blank one.
	start := first + 1
	for start < last && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	end := start
	for end < last && strings.TrimSpace(lines[end]) != "" {
		end++
	}
	// What is left out: the doc's lines after the paragraph, blank lines
	// at either end of them aside.
	from, to := end, last-1
	for from <= to && strings.TrimSpace(lines[from]) == "" {
		from++
	}
	for to >= from && strings.TrimSpace(lines[to]) == "" {
		to--
	}
	more := to - from + 1
	if more <= 0 {
		return "", none, true
	}
	closing := lines[last]
	docPad := closing[:len(closing)-len(strings.TrimLeft(closing, " \t"))]
	out = append(append([]string(nil), lines[:end]...), fmt.Sprintf("%s… (%d more lines)", docPad, more))
	para = strings.Join(append(out, lines[last:]...), "\n")
	return para, none, true
}

// moduledocLines finds the @moduledoc expression among lines, a module
// header's: the indexes of its first and last lines, and whether it is a
// heredoc (three double or single quotes, a sigil's ~S""" too); first is
// -1 when there is none. The heredocs of other attributes (@query """)
// are skipped: a "@moduledoc" line in one is their text.
func moduledocLines(lines []string) (first, last int, heredoc bool) {
	quotes := func(t string) int { return strings.Count(t, `"""`) + strings.Count(t, "'''") }
	in := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if in {
			in = quotes(t)%2 == 0
			continue
		}
		rest, ok := strings.CutPrefix(t, "@moduledoc")
		if !ok || rest != "" && !strings.ContainsAny(rest[:1], " (") {
			in = quotes(t)%2 == 1
			continue
		}
		if quotes(t)%2 == 1 {
			for j := i + 1; j < len(lines); j++ {
				if quotes(strings.TrimSpace(lines[j]))%2 == 1 {
					return i, j, true
				}
			}
			// Not closed in the header: the rest is doc, with no closing
			// line to keep after a paragraph.
			return i, len(lines) - 1, false
		}
		// A string on one line, or one whose quotes close lines below.
		j := i
		for open := strings.Count(t, `"`) - strings.Count(t, `\"`); open%2 == 1 && j+1 < len(lines); {
			j++
			n := strings.TrimSpace(lines[j])
			open += strings.Count(n, `"`) - strings.Count(n, `\"`)
		}
		return i, j, false
	}
	return -1, -1, false
}

// fitModuledoc makes it, a candidate module header (the target's
// module's, or a search hit), go with less of its @moduledoc when the doc
// would take more than 1/part of budget (by cost, the estimate the
// candidates are planned with): with its first paragraph if that is
// within the share, else without the doc. Its aliases, imports and
// attributes stay. The header's largest form is then FormCut when its
// first paragraph is left (docCut), else FormNoDoc, with the reason
// (noDoc); the target's header's reduced form, cut to what the target
// uses, has no doc text anyway.
func (it *Item) fitModuledoc(budget, part int, cost func(string) int) {
	para, none, ok := moduledocForms(it.full)
	if !ok {
		return
	}
	share := budget / part
	base := cost(none)
	doc := cost(it.full) - base
	if doc <= share {
		return
	}
	if para != "" && cost(para)-base <= share {
		it.full, it.docCut = para, true
		it.noDoc = fmt.Sprintf("its @moduledoc (%d tokens, more than 1/%d of the budget) cut to its first paragraph", doc, part)
		return
	}
	it.full = none
	it.noDoc = fmt.Sprintf("its @moduledoc (%d tokens, more than 1/%d of the budget) left out", doc, part)
}

// whole is the form a candidate goes in with its largest code (full), and
// why: FormFull; for a header whose @moduledoc fitModuledoc cut, FormCut
// when its first paragraph is left, else FormNoDoc.
func (it *Item) whole() (form, reason string) {
	if it.noDoc != "" {
		if it.docCut {
			return FormCut, it.noDoc
		}
		return FormNoDoc, it.noDoc
	}
	return FormFull, ""
}
