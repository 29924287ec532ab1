package ctxbuild

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// groupMember is the name of c's members that target names, when c is a
// Go const or var group declaring more than that name and target names
// one of them (http.StatusOK, StatusOK, net/http.StatusOK); else "". A
// group the chunker split into pieces (c is then its first, joined to the
// others) declares what each of its pieces does: a member of the second
// is as much the group's as one of the first.
func groupMember(c db.CodeChunk, target string, pieces ...db.CodeChunk) string {
	if c.Kind != chunk.KindConst && c.Kind != chunk.KindVar {
		return ""
	}
	members := c.Members
	if len(pieces) > 0 {
		members = nil
		for _, p := range pieces {
			members = append(members, p.Members...)
		}
	}
	if len(members) < 2 {
		return ""
	}
	name, _ := goName(target)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if slices.Contains(members, name) {
		return name
	}
	for _, m := range members {
		if strings.EqualFold(m, name) {
			return m // as the lookup took it: in another letter case
		}
	}
	return ""
}

// cutToMember returns code, a Go const or var group, cut to the lines
// that declare member: the group's opening line, the member's spec with
// its doc comment and its line comment, and the closing parenthesis, a
// comment marking the lines left out between them. A member that repeats
// the expression before it (B after A = iota) is shown after the spec
// that has it. ok is false when code is no group declaring member.
func cutToMember(code, member string) (cut string, ok bool) {
	const pkg = "package p\n" // line 1: code's line n is the file's n+1
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", pkg+code, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return "", false
	}
	d, isGen := f.Decls[0].(*ast.GenDecl)
	if !isGen || !d.Lparen.IsValid() || !d.Rparen.IsValid() {
		return "", false
	}
	line := func(p token.Pos) int { return fset.Position(p).Line - 2 } // code's, from 0
	// The member's spec, and the one whose expression it repeats.
	var spec, source *ast.ValueSpec
	for _, s := range d.Specs {
		vs, isValue := s.(*ast.ValueSpec)
		if !isValue {
			return "", false
		}
		if slices.ContainsFunc(vs.Names, func(n *ast.Ident) bool { return n.Name == member }) {
			spec = vs
			break
		}
		if vs.Values != nil || vs.Type != nil {
			source = vs
		}
	}
	if spec == nil {
		return "", false
	}
	lines := strings.Split(code, "\n")
	specLines := func(s *ast.ValueSpec, doc bool) (from, to int) {
		from, to = line(s.Pos()), line(s.End())
		if doc && s.Doc != nil {
			from = line(s.Doc.Pos())
		}
		if s.Comment != nil {
			to = line(s.Comment.End())
		}
		return from, to
	}
	from, to := specLines(spec, true)
	open, closing := line(d.Lparen), line(d.Rparen)
	if from <= open || to >= closing {
		return "", false // a spec on the group's first or last line: nothing to cut
	}
	first := lines[line(spec.Pos())]
	indent := first[:len(first)-len(strings.TrimLeft(first, " \t"))] // the markers'
	out := []string{lines[open]}
	at := open + 1 // the next line not shown
	show := func(from, to int) {
		if from > at {
			out = append(out, indent+"// …")
		}
		out = append(out, lines[from:to+1]...)
		at = to + 1
	}
	if spec.Values == nil && spec.Type == nil && source != nil && line(source.Pos()) > open {
		show(specLines(source, false))
	}
	show(from, to)
	if closing > at {
		out = append(out, indent+"// …")
	}
	out = append(out, lines[closing])
	return strings.Join(out, "\n"), true
}

// memberCut is the target cut to the name of its group it was named by
// (cutToMember); ok is false when it was named otherwise.
func (it *Item) memberCut() (string, bool) {
	if it.member == "" {
		return "", false
	}
	return cutToMember(it.full, it.member)
}

// memberReason is the reason a target cut to its member gives.
func memberReason(fullTokens int, member string) string {
	return fmt.Sprintf("%d tokens in full; the group cut to the lines declaring %s", fullTokens, member)
}
