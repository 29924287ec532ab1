package ctxbuild

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
)

// cutToMembers returns code, a Go const or var group, cut to the specs
// that declare any of names — each with its doc and line comment, a spec
// that repeats the expression before it (B after A = iota) shown after
// the spec that has it —, between the group's opening line and its
// closing parenthesis, a "// …" line for each run of lines left out; kept
// are the names of the group kept, in its order. ok is false when code is
// no group, declares none of names, or would be kept whole.
func cutToMembers(code string, names []string) (cut string, kept []string, ok bool) {
	const pkg = "package p\n" // line 1: code's line n is the file's n+1
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", pkg+code, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return "", nil, false
	}
	d, isGen := f.Decls[0].(*ast.GenDecl)
	if !isGen || !d.Lparen.IsValid() || !d.Rparen.IsValid() {
		return "", nil, false
	}
	line := func(p token.Pos) int { return fset.Position(p).Line - 2 } // code's, from 0
	lines := strings.Split(code, "\n")
	open, closing := line(d.Lparen), line(d.Rparen)
	out := []string{lines[open]}
	at := open + 1 // the next line not shown
	indent := ""
	show := func(s *ast.ValueSpec, doc bool) bool {
		from, to := line(s.Pos()), line(s.End())
		if doc && s.Doc != nil {
			from = line(s.Doc.Pos())
		}
		if s.Comment != nil {
			to = line(s.Comment.End())
		}
		if from <= open || to >= closing {
			return false // on the group's first or last line: nothing to cut
		}
		if to < at {
			return true // shown already: the expression of a spec before
		}
		if indent == "" {
			l := lines[line(s.Pos())]
			indent = l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		}
		if from > at {
			out = append(out, indent+"// …")
		}
		out = append(out, lines[from:to+1]...)
		at = to + 1
		return true
	}
	var source *ast.ValueSpec // the last spec with an expression or a type
	all := 0
	for _, s := range d.Specs {
		vs, isValue := s.(*ast.ValueSpec)
		if !isValue {
			return "", nil, false
		}
		all += len(vs.Names)
		var these []string
		for _, n := range vs.Names {
			if slices.Contains(names, n.Name) {
				these = append(these, n.Name)
			}
		}
		if len(these) > 0 {
			if vs.Values == nil && vs.Type == nil && source != nil && !show(source, false) {
				return "", nil, false
			}
			if !show(vs, true) {
				return "", nil, false
			}
			kept = append(kept, these...)
		}
		if vs.Values != nil || vs.Type != nil {
			source = vs
		}
	}
	if len(kept) == 0 || len(kept) == all {
		return "", nil, false
	}
	if closing > at {
		out = append(out, indent+"// …")
	}
	out = append(out, lines[closing])
	return strings.Join(out, "\n"), kept, true
}

// goIdents returns the identifiers of Go code, each once.
func goIdents(code string) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	src := []byte(code)
	s.Init(fset.AddFile("", -1, len(src)), src, nil, 0)
	seen := map[string]bool{}
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.IDENT && !seen[lit] {
			seen[lit] = true
			out = append(out, lit)
		}
	}
}

// cutGroupFor gives it, a Go const or var group the target refers to, the
// reduced form of the group cut to the members the target's code names
// (rqlite's 63-line var of errors, of which store.(*Store).Execute
// returns three): its signature would show none of them.
//
// The cut is also the form it goes in first (wholeLast): the group whole
// only with room that no other candidate can use. Its other members are
// what the target does not use; a caller or a callee after it in full
// says more of the target than they do. Fitted greedily, whole when room
// happened to be left at its turn, the 40-name group of which a function
// uses 2 went whole and left every caller after it as its signature, in
// a window where, cut, it left room for all of them in full — and a
// smaller window showed more code than a larger one. Always cut, it would
// leave out the rest of the group even from a window with room to spare,
// where the names beside the used ones (the other values of an enum) do
// say something.
func (it *Item) cutGroupFor(target *Item) {
	if target == nil || it.cutWhy != "" || it.Kind != chunk.KindConst && it.Kind != chunk.KindVar || !strings.HasSuffix(target.Path, ".go") {
		return
	}
	cut, kept, ok := cutToMembers(it.full, goIdents(target.full))
	if !ok {
		return
	}
	names := kept
	if len(names) > 4 {
		names = append(slices.Clone(names[:4]), fmt.Sprintf("%d more", len(kept)-4))
	}
	it.cut, it.cutWhy = cut, "the group cut to the lines declaring "+strings.Join(names, ", ")
	it.wholeLast = true
}

// wholeLastFits gives the groups that went cut to the members the target
// uses (wholeLast) their whole form, in order, while left — the room that
// no other candidate could use once each went in its form — holds what
// that adds.
func wholeLastFits(cands []*Item, left int) {
	for _, it := range cands {
		if add := it.cost - it.Tokens; it.wholeLast && it.Form == FormCut && it.mayBeWhole() && add <= left {
			left -= add
			it.Form, it.Reason = it.whole()
			it.Code, it.Tokens = it.full, it.cost
		}
	}
}

// sigForm is the form a candidate goes in as its reduced code (sig): a
// group cut to the members the target uses is a cut (FormCut), not a
// signature; any other, FormSignature.
func (it *Item) sigForm() string {
	if it.wholeLast {
		return FormCut
	}
	return FormSignature
}

// noRoom is the reason a candidate is left out when neither its whole
// form nor its reduced one fits: a cut (a group cut to the members the
// target uses) says what the cut would have taken.
func (it *Item) noRoom() string {
	if it.cutWhy != "" && it.sig != "" {
		return fmt.Sprintf("%d tokens; no room left, not even for %s (%d tokens)", it.cost, it.cutWhy, it.sigCost)
	}
	return fmt.Sprintf("%d tokens; no room left", it.cost)
}
