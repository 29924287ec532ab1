package ctxbuild

import "strings"

// maxHeadLines bounds the lines of a declaration a signature shows, up to
// the one that opens its body: a long Go const group, which has no body,
// is cut there.
const maxHeadLines = 6

// maxSpecLines bounds an Elixir @spec (@callback, …) a signature shows:
// one longer is left out whole, as half a type would mislead.
const maxSpecLines = 12

// unitHead reads lines, a unit's, as its signature shows them: its doc
// text and blank lines left out, each of its attributes whole (an Elixir
// @spec and the lines it runs on, indented more than it or closing its
// brackets; one over maxSpecLines left out whole), then its declaration up
// to the line that opens its body (a Go "{", an Elixir "do"), at most
// maxHeadLines. A signature must end with its def: an 8-line @spec
// counted against the declaration's lines left no room for it. next is
// the index of the first line after those read; decl is false when no
// line of a declaration was read (the unit is only attributes, or a piece
// of doc text).
func unitHead(lines []string) (head []string, next int, decl bool) {
	var doc docLines
	n := 0 // declaration lines kept
	i := 0
	for i < len(lines) {
		l := lines[i]
		t := strings.TrimSpace(l)
		if doc.is(t) || t == "" {
			i++
			continue
		}
		if n == 0 && strings.HasPrefix(t, "@") {
			// An attribute and the lines it runs on.
			end := attrEnd(lines, i)
			if end-i <= maxSpecLines {
				head = append(head, lines[i:end]...)
			}
			i = end
			continue
		}
		head = append(head, l)
		n++
		i++
		if strings.HasSuffix(t, "{") || strings.HasSuffix(t, " do") || strings.Contains(t, ", do:") || n >= maxHeadLines {
			break
		}
	}
	return head, i, n > 0
}

// attrEnd is the index of the line after the Elixir attribute that starts
// at lines[i]: the lines after it indented more than it, or closing a
// bracket at its indentation (a formatted multi-line @spec's ") ::").
func attrEnd(lines []string, i int) int {
	indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " \t"))
	j := i + 1
	for ; j < len(lines); j++ {
		l := lines[j]
		t := strings.TrimSpace(l)
		if t == "" {
			break
		}
		if in := len(l) - len(strings.TrimLeft(l, " \t")); in > indent || strings.IndexAny(t[:1], ")]}") == 0 {
			continue
		}
		break
	}
	return j
}
