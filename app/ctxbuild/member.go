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
// that has it. first and last are the lines of code, from 0, of the
// member's own spec, its comments included. ok is false when code is no
// group declaring member.
func cutToMember(code, member string) (cut string, first, last int, ok bool) {
	const pkg = "package p\n" // line 1: code's line n is the file's n+1
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", pkg+code, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return "", 0, 0, false
	}
	d, isGen := f.Decls[0].(*ast.GenDecl)
	if !isGen || !d.Lparen.IsValid() || !d.Rparen.IsValid() {
		return "", 0, 0, false
	}
	line := func(p token.Pos) int { return fset.Position(p).Line - 2 } // code's, from 0
	// The member's spec, and the one whose expression it repeats.
	var spec, source *ast.ValueSpec
	for _, s := range d.Specs {
		vs, isValue := s.(*ast.ValueSpec)
		if !isValue {
			return "", 0, 0, false
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
		return "", 0, 0, false
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
		return "", 0, 0, false // a spec on the group's first or last line: nothing to cut
	}
	specLine := lines[line(spec.Pos())]
	indent := specLine[:len(specLine)-len(strings.TrimLeft(specLine, " \t"))] // the markers'
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
	return strings.Join(out, "\n"), from, to, true
}

// memberPart is a target cut to the member of its group it was named by.
type memberPart struct {
	code string // the group cut to the member's lines (cutToMember)
	// name and the lines from startLine to endLine of the file are the
	// member's, as the prompt names what it shows: not the group's name,
	// which lists other members, nor the group's lines, all of them.
	name               string
	startLine, endLine int
}

// memberCut is the target cut to the name of its group it was named by
// (cutToMember); ok is false when it was named otherwise. The member is
// named as the group is qualified: http.StatusOK of the group
// http.{StatusContinue,…}.
func (it *Item) memberCut() (memberPart, bool) {
	if it.member == "" {
		return memberPart{}, false
	}
	code, first, last, ok := cutToMember(it.full, it.member)
	if !ok {
		return memberPart{}, false
	}
	name := it.member
	if i := strings.IndexByte(it.Name, '{'); i >= 0 {
		name = it.Name[:i] + it.member
	}
	return memberPart{code: code, name: name, startLine: it.StartLine + first, endLine: it.StartLine + last}, true
}

// memberReason is the reason a target cut to its member gives.
func memberReason(fullTokens int, member string) string {
	return fmt.Sprintf("%d tokens in full; the group cut to the lines declaring %s", fullTokens, member)
}
