package ctxbuild

import (
	"cmp"
	"fmt"
	"path"
	"slices"
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
	// A gap of blank lines between two units left out is not shown: the
	// run of them is one marker.
	gaps     []string
	gapCosts []int
	blank    []bool // gaps[i] holds nothing but white space
	markCost int    // what a marker takes, at most
	// sigOrder is the order units keep their signatures in; fullOrder the
	// order they come back in full: those the question names first.
	sigOrder, fullOrder []*outlined
	cost                func(string) int
}

// outlined is one unit of an outline.
type outlined struct {
	unit
	full, sig         string // sig is full when it has nothing to leave out
	fullCost, sigCost int
	named             bool   // the question names it
	form              string // FormFull, FormSignature, or "" when left out
	i                 int    // its index in units
}

// newOutline prepares the outline of target, a file or a module whose
// units are known, for a question; cost counts a piece of code, ranks are
// the units' ranks in the symbol graph by name (db.Store.CodeRanks; nil
// when there are none).
func newOutline(target *Item, question string, cost func(string) int, ranks map[string]float64) *outline {
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
		// A module's opening line (defmodule … do) goes with the lines
		// between units, which always stay: its end is one of them.
		if u.kind == chunk.KindHeader {
			if nl := strings.IndexByte(src[start:end], '\n'); nl > 0 && strings.HasSuffix(strings.TrimSpace(src[start:start+nl]), " do") {
				start += nl + 1
				for start < end && strings.IndexByte(" \t\r\n", src[start]) >= 0 {
					start++
				}
			}
		}
		o.gaps = append(o.gaps, o.gap(src[at:start], at == 0))
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
		ou := &outlined{unit: u, full: full, sig: sig, fullCost: cost(full), named: words[shortName(u.name)], i: len(o.units)}
		ou.sigCost = ou.fullCost
		if sig != full {
			ou.sigCost = cost(sig)
		}
		o.units = append(o.units, ou)
		at = end
	}
	o.gaps = append(o.gaps, o.gap(src[at:], at == 0))
	for _, g := range o.gaps {
		o.gapCosts = append(o.gapCosts, cost(g))
		o.blank = append(o.blank, strings.TrimSpace(g) == "")
	}
	o.markCost = cost(o.mark(max(len(o.units), 2)))
	// Signatures: named units, then headers (what a module is), then the
	// public units, then the private ones, each most important first (see
	// byImportance); the outline shows them in file order. In full: named
	// units, then the others in that order too.
	byUse := byImportance(o.units, ranks)
	for _, pick := range []func(*outlined) bool{
		func(u *outlined) bool { return u.named },
		func(u *outlined) bool { return !u.named && u.kind == chunk.KindHeader },
		func(u *outlined) bool { return !u.named && u.kind != chunk.KindHeader && !u.private },
		func(u *outlined) bool { return !u.named && u.kind != chunk.KindHeader && u.private },
	} {
		for _, u := range byUse {
			if pick(u) {
				o.sigOrder = append(o.sigOrder, u)
			}
		}
	}
	for _, named := range []bool{true, false} {
		for _, u := range byUse {
			if u.named == named {
				o.fullOrder = append(o.fullOrder, u)
			}
		}
	}
	return o
}

// byImportance is units ordered most important first, by their rank in
// the symbol graph (ranks; a unit without one counts 0) weighed by their
// doc text — its authors' say of what a reader needs —, each
// docWeight bytes of it adding the rank once more; then, of units equally
// weighed (no ranks), those with the most doc text; then in file order. A
// file's first units are not its most important: net/http/server.go's 33
// first are helpers of its response writer, not Server, ServeMux nor
// (*Server).Serve; kernel.ex's are the is_* guards, not def and |>,
// whose callers the index does not resolve (a module's macros and a
// file's methods share the least rank, their doc text tells them apart).
func byImportance(units []*outlined, ranks map[string]float64) []*outlined {
	type keyed struct {
		u         *outlined
		weight    float64
		docLength int
	}
	ks := make([]keyed, len(units))
	for i, u := range units {
		// In steps of docStep: docs a few bytes apart ("statistic 9",
		// "statistic 10") say as much, and keep their file order.
		doc := (len(u.full) - len(dropDoc(u.full, true))) / docStep * docStep
		ks[i] = keyed{u, ranks[u.name] * (1 + float64(doc)/docWeight), doc}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(b.docLength, a.docLength))
	})
	out := make([]*outlined, len(ks))
	for i, k := range ks {
		out[i] = k.u
	}
	return out
}

// docWeight is how many bytes of doc text weigh as much as a unit's rank
// (byImportance). With it, of kernel.ex in a 2,048-token window, def/2,
// defmodule/2 and |>/2 come in beside the most called guards; of
// net/http/server.go, Handler, ServeMux and ListenAndServe first.
const docWeight = 1000

// docStep is the step doc text is measured in (byImportance): about two
// lines of it.
const docStep = 128

// plan chooses each unit's form within room tokens: signatures first, in
// sigOrder, then units back in full, in fullOrder. What each choice adds
// is reckoned as the outline is shown: a unit kept where units were left
// out splits their marker in two and shows the lines between them. It
// returns what the outline takes by the estimate: more than room when not
// even its smallest form (every unit left out) fits.
func (o *outline) plan(room int) int {
	for _, u := range o.units {
		u.form = ""
	}
	used := o.least()
	if used > room {
		return used
	}
	for _, u := range o.sigOrder {
		if n := o.keepCost(u.i) + u.sigCost; used+n <= room {
			u.form, used = u.reducedForm(), used+n
		}
	}
	for _, u := range o.fullOrder {
		if u.form == FormSignature && used-u.sigCost+u.fullCost <= room {
			u.form, used = FormFull, used-u.sigCost+u.fullCost
		}
	}
	return used
}

// least is what the outline takes with every unit left out: the lines
// between units that are code, and a marker for each run of units left
// out.
func (o *outline) least() int {
	n := o.gapCosts[len(o.units)]
	for i := range o.units {
		if i == 0 || !o.blank[i] {
			n += o.gapCosts[i]
		}
		if i+1 == len(o.units) || !o.blank[i+1] {
			n += o.markCost // the end of a run
		}
	}
	return n
}

// keepCost is what keeping unit i, left out so far, adds besides the unit
// itself: the lines before and after it that its run of left-out units
// hid, and a marker more or less as the run splits.
func (o *outline) keepCost(i int) int {
	n := -o.markCost
	if i > 0 && o.units[i-1].form == "" && o.blank[i] {
		n += o.gapCosts[i] + o.markCost
	}
	if i+1 < len(o.units) && o.units[i+1].form == "" && o.blank[i+1] {
		n += o.gapCosts[i+1] + o.markCost
	}
	return n
}

// forms and setForms save and restore the units' forms.
func (o *outline) forms() []string {
	out := make([]string, len(o.units))
	for i, u := range o.units {
		out[i] = u.form
	}
	return out
}

func (o *outline) setForms(forms []string) {
	for i, u := range o.units {
		u.form = forms[i]
	}
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

// reduced reports whether some unit of o (nil: no outline) went in less
// than in full.
func (o *outline) reduced() bool {
	if o == nil {
		return false
	}
	return slices.ContainsFunc(o.units, func(u *outlined) bool { return u.form != FormFull })
}

// report lists the units in file order, each in the form it went in.
func (o *outline) report() (units []Item, reduced, left int) {
	for _, u := range o.units {
		it := Item{Role: RoleTarget, Form: u.form, Path: cmp.Or(u.path, o.target.Path), Name: u.name, Kind: u.kind,
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

// gap is the text between two units as the outline shows it: reduced
// (reduceGap), unless its target keeps it (Item.keepGaps).
func (o *outline) gap(g string, first bool) string {
	if o.target.keepGaps {
		return g
	}
	return reduceGap(g, first)
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
