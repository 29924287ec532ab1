package ctxbuild

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// An outline is a target — a file or a module — too large to show whole,
// shown as a repository map shows code: every unit as its signature (a
// header without its doc text), as many in full as fit, the lines between
// units (a defmodule line, an end) kept and comments between them left
// out. When even the signatures do not all fit, those of least use are
// left out, each run of them marked by a comment saying how many.
type outline struct {
	target  *Item
	comment string // the language's line comment: "//" or "#"
	units   []*outlined
	// gaps[i] is the text before units[i], reduced; the last one trails.
	gaps    []string
	gapCost int
	// sigOrder is the order units keep their signatures in; fullOrder the
	// order they come back in full: those the question names first.
	sigOrder, fullOrder []*outlined
	restored            []*outlined // brought back in full, in order
	cost                func(string) int
}

// outlined is one unit of an outline.
type outlined struct {
	unit
	full, sig         string // sig is full when it has nothing to leave out
	fullCost, sigCost int
	named             bool   // the question names it
	form              string // FormFull, FormSignature, or "" when left out
}

// newOutline prepares the outline of target, a file or a module whose
// units are known, for a question; cost counts a piece of code.
func newOutline(target *Item, question string, cost func(string) int) *outline {
	o := &outline{target: target, comment: "#", cost: cost}
	if path.Ext(target.Path) == ".go" {
		o.comment = "//"
	}
	src := target.full
	words := questionWords(question)
	at := 0 // in src
	for _, u := range target.units {
		start, end := u.start-target.start, u.end-target.start
		if start < at || end > len(src) {
			continue
		}
		o.gaps = append(o.gaps, reduceGap(src[at:start], at == 0))
		full := src[start:end]
		indent := src[strings.LastIndexByte(src[:start], '\n')+1 : start]
		if strings.TrimSpace(indent) != "" {
			indent = "" // the unit starts mid-line
		}
		sig := ""
		if u.kind == chunk.KindHeader {
			sig = dropDoc(full, false)
		} else {
			sig = signatureIn(full, indent, o.comment)
		}
		// The gap before holds the unit's indentation: a signature whose
		// first line was not the unit's (@doc left out) has its own.
		sig = strings.TrimLeft(sig, " \t")
		if sig == "" || len(sig) >= len(full) {
			sig = full
		}
		ou := &outlined{unit: u, full: full, sig: sig, fullCost: cost(full), named: words[shortName(u.name)]}
		ou.sigCost = ou.fullCost
		if sig != full {
			ou.sigCost = cost(sig)
		}
		o.units = append(o.units, ou)
		at = end
	}
	o.gaps = append(o.gaps, reduceGap(src[at:], at == 0))
	for _, g := range o.gaps {
		o.gapCost += cost(g)
	}
	// Signatures: named units, then headers (what a module is), then the
	// public units, then the private ones, each in file order. In full:
	// named units, then file order — the order the file reads in.
	for _, pick := range []func(*outlined) bool{
		func(u *outlined) bool { return u.named },
		func(u *outlined) bool { return !u.named && u.kind == chunk.KindHeader },
		func(u *outlined) bool { return !u.named && u.kind != chunk.KindHeader && !u.private },
		func(u *outlined) bool { return !u.named && u.kind != chunk.KindHeader && u.private },
	} {
		for _, u := range o.units {
			if pick(u) {
				o.sigOrder = append(o.sigOrder, u)
			}
		}
	}
	for _, u := range o.units {
		if u.named {
			o.fullOrder = append(o.fullOrder, u)
		}
	}
	for _, u := range o.units {
		if !u.named {
			o.fullOrder = append(o.fullOrder, u)
		}
	}
	return o
}

// plan chooses each unit's form within room tokens: signatures first, in
// sigOrder, then units back in full, in fullOrder. It returns what the
// outline takes by the estimate: more than room when not even its lines
// between units fit.
func (o *outline) plan(room int) int {
	o.restored = o.restored[:0]
	used := o.gapCost
	for _, u := range o.units {
		u.form = ""
	}
	for _, u := range o.sigOrder {
		if used+u.sigCost <= room {
			u.form, used = u.reducedForm(), used+u.sigCost
		}
	}
	// The markers of left-out units take room too: leave out more, from
	// the end of sigOrder, until they fit.
	for i := len(o.sigOrder) - 1; i >= 0 && used+o.markCost() > room; i-- {
		if u := o.sigOrder[i]; u.form != "" {
			u.form, used = "", used-u.sigCost
		}
	}
	used += o.markCost()
	for _, u := range o.fullOrder {
		if u.form == FormSignature && used-u.sigCost+u.fullCost <= room {
			u.form, used = FormFull, used-u.sigCost+u.fullCost
			o.restored = append(o.restored, u)
		}
	}
	return used
}

// sigCosts is what the units take as their signatures.
func (o *outline) sigCosts() int {
	n := 0
	for _, u := range o.units {
		n += u.sigCost
	}
	return n
}

// reducedForm is the form of a unit as its signature: FormFull when it
// has nothing to leave out.
func (u *outlined) reducedForm() string {
	if u.sig == u.full {
		return FormFull
	}
	return FormSignature
}

// shrink takes about over tokens off the outline: units brought back in
// full go back to their signatures, the last brought back first, then
// signatures are left out from the end of sigOrder. It reports whether
// anything was taken off.
func (o *outline) shrink(over int) bool {
	freed := 0
	for freed < over && len(o.restored) > 0 {
		u := o.restored[len(o.restored)-1]
		o.restored = o.restored[:len(o.restored)-1]
		u.form = FormSignature
		freed += u.fullCost - u.sigCost
	}
	for i := len(o.sigOrder) - 1; i >= 0 && freed < over; i-- {
		if u := o.sigOrder[i]; u.form != "" {
			freed += u.sigCost
			if u.form == FormFull && u.sig != u.full {
				freed += u.fullCost - u.sigCost
			}
			u.form = ""
		}
	}
	return freed > 0
}

// markCost is what the markers of left-out units take.
func (o *outline) markCost() int {
	n := 0
	for _, m := range o.marks() {
		n += o.cost(m)
	}
	return n
}

// marks are the markers the outline's left-out units get, one for each
// run of them with nothing but blank lines between.
func (o *outline) marks() []string {
	var out []string
	run := 0
	for i, u := range o.units {
		if u.form == "" {
			run++
		}
		next := i+1 < len(o.units) && o.units[i+1].form == "" && strings.TrimSpace(o.gaps[i+1]) == ""
		if run > 0 && !next {
			out = append(out, o.mark(run))
			run = 0
		}
	}
	return out
}

func (o *outline) mark(n int) string {
	if n == 1 {
		return o.comment + " … 1 definition left out"
	}
	return fmt.Sprintf("%s … %d definitions left out", o.comment, n)
}

// text is the outline as the prompt shows it.
func (o *outline) text() string {
	var b strings.Builder
	run := 0
	for i, u := range o.units {
		if run == 0 {
			b.WriteString(o.gaps[i])
		}
		switch u.form {
		case FormFull:
			b.WriteString(u.full)
		case FormSignature:
			b.WriteString(u.sig)
		default:
			run++
			next := i+1 < len(o.units) && o.units[i+1].form == "" && strings.TrimSpace(o.gaps[i+1]) == ""
			if !next {
				b.WriteString(o.mark(run))
				run = 0
			}
		}
	}
	b.WriteString(o.gaps[len(o.gaps)-1])
	return strings.TrimRight(b.String(), "\n")
}

// report lists the units in file order, each in the form it went in.
func (o *outline) report() (units []Item, reduced, left int) {
	for _, u := range o.units {
		it := Item{Role: RoleTarget, Form: u.form, Path: o.target.Path, Name: u.name, Kind: u.kind,
			StartLine: u.startLine, EndLine: u.endLine, Tokens: u.fullCost}
		switch u.form {
		case FormSignature:
			it.Tokens = u.sigCost
			it.Reason = fmt.Sprintf("%d tokens in full; reduced to its signature", u.fullCost)
			reduced++
		case "":
			it.Reason = fmt.Sprintf("%d tokens in full, %d as its signature; no room left", u.fullCost, u.sigCost)
			left++
		}
		units = append(units, it)
	}
	return units, reduced, left
}

// reduceGap is the text between two units as an outline shows it: the
// lines of code kept (a defmodule line, an end), comments left out, blank
// lines made one. Its first line (the end of the unit before, unless the
// gap is the text's first) and its last (the indentation of the unit
// after) are kept as they are.
func reduceGap(g string, first bool) string {
	lines := strings.Split(g, "\n")
	if len(lines) < 2 || (len(lines) < 3 && !first) {
		return g
	}
	var out []string
	from := 0
	if !first {
		out, from = []string{lines[0]}, 1
	}
	blank := false
	for _, l := range lines[from : len(lines)-1] {
		t := strings.TrimSpace(l)
		switch {
		case t == "" || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#"):
			blank = true
		default:
			if blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = false
			out = append(out, l)
		}
	}
	if blank && len(out) > 0 {
		out = append(out, "")
	}
	return strings.Join(append(out, lines[len(lines)-1]), "\n")
}

// questionWords are the identifiers in a question.
func questionWords(q string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '?' && r != '!'
	}) {
		out[strings.TrimRight(w, "?!")] = true
		out[w] = true
	}
	return out
}

// shortName is a unit's own name, without what qualifies it or its arity:
// "http.(*Server).Serve" → "Serve", "MapSet.new/2" → "new".
func shortName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i > 0 && isDigits(name[i+1:]) {
		name = name[:i]
	}
	if i := strings.LastIndexAny(name, ".)"); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	return name
}

// unitsFirst orders a file's or a module's chunks (in file order) for
// their neighbours to be asked: those the question names first.
func unitsFirst(cs []db.CodeChunk, question string) []db.CodeChunk {
	words := questionWords(question)
	out := make([]db.CodeChunk, 0, len(cs))
	for _, named := range []bool{true, false} {
		for _, c := range cs {
			name := c.Name
			if base, ok := chunk.PieceOf(name); ok {
				name = base
			}
			if words[shortName(name)] == named {
				out = append(out, c)
			}
		}
	}
	return out
}

// signatureIn is signature for a unit indented by indent, as it stands in
// its file: the markers of the body left out are indented as its own
// lines, and a declaration cut short without a body (a long const group)
// ends with a comment saying so.
func signatureIn(code, indent, comment string) string {
	sig, cut := signatureLines(code, indent)
	if cut {
		sig += "\n" + indent + comment + " …"
	}
	return sig
}

// dropDoc is code without its doc text: Go comments, Elixir comments and
// @moduledoc, @doc and @typedoc attributes (heredocs included). With
// leading, only the doc text before the code is dropped (a function's),
// else all of it (a header's).
func dropDoc(code string, leading bool) string {
	lines := strings.Split(code, "\n")
	var out []string
	var doc docLines
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if doc.is(t) || t == "" && (leading || len(out) == 0) {
			continue
		}
		if leading {
			return strings.Join(append(out, lines[i:]...), "\n")
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// docLines tells, line by line, doc text from code: comment lines, and
// Elixir's @moduledoc, @doc and @typedoc attributes with their heredocs.
type docLines struct{ inHeredoc bool }

// is reports whether t, the next line trimmed, is doc text.
func (d *docLines) is(t string) bool {
	heredocEnd := strings.HasSuffix(t, `"""`) || strings.HasSuffix(t, `'''`)
	switch {
	case d.inHeredoc:
		d.inHeredoc = !heredocEnd
		return true
	case strings.HasPrefix(t, "//"), strings.HasPrefix(t, "#"):
		return true
	case strings.HasPrefix(t, "@doc") || strings.HasPrefix(t, "@moduledoc") || strings.HasPrefix(t, "@typedoc"):
		d.inHeredoc = heredocEnd
		return true
	}
	return false
}
