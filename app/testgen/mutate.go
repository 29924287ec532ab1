package testgen

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// site is one place a mutant changes: the bytes [start, end) of the
// target's file, which read from, become to.
type site struct {
	start, end int
	from, to   string
	// class orders the kinds of mutation by how rarely they give an
	// equivalent mutant (one no test could tell apart): operators first,
	// then boolean and result constants, then integer literals.
	class int
}

// Site classes.
const (
	classOperator = iota
	classConstant
	classInteger
)

// apply returns src with the site's change.
func (s site) apply(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(s.to)-len(s.from))
	out = append(out, src[:s.start]...)
	out = append(out, s.to...)
	return append(out, src[s.end:]...)
}

// mutant is the report's record of a mutant made at the site of path,
// whose source is src: where it is and, for people, what it changes
// ("lib/x.ex:12:9: `>` → `<=`"). The column tells apart two mutants of
// one line (a and b and c); it counts bytes from 1, as the Go compiler
// and mix count them for ASCII lines.
func (s site) mutant(path string, src []byte) Mutant {
	before := src[:s.start]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := s.start - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return Mutant{Path: path, Line: line, Column: col,
		Description: fmt.Sprintf("%s:%d:%d: `%s` → `%s`", path, line, col, s.from, s.to)}
}

// order sorts sites by class, then position, and drops a site at the
// position of an earlier one: the first distinct sites come first.
func order(sites []site) []site {
	slices.SortStableFunc(sites, func(a, b site) int {
		return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.start, b.start))
	})
	seen := map[int]bool{}
	out := sites[:0]
	for _, s := range sites {
		if !seen[s.start] {
			seen[s.start] = true
			out = append(out, s)
		}
	}
	return out
}

// goFlip maps the Go operators a mutant flips to their replacements.
var goFlip = map[token.Token]token.Token{
	token.EQL: token.NEQ, token.NEQ: token.EQL,
	token.LSS: token.GEQ, token.GEQ: token.LSS,
	token.GTR: token.LEQ, token.LEQ: token.GTR,
	token.ADD: token.SUB, token.SUB: token.ADD,
	token.LAND: token.LOR, token.LOR: token.LAND,
}

// goAssignFlip maps the assignment operators a mutant flips to their
// replacements: the binary flips' counterparts, a few more (there is no
// assignment form of a comparison to flip instead), and ++ ↔ --.
var goAssignFlip = map[token.Token]token.Token{
	token.ADD_ASSIGN: token.SUB_ASSIGN, token.SUB_ASSIGN: token.ADD_ASSIGN,
	token.MUL_ASSIGN: token.QUO_ASSIGN, token.QUO_ASSIGN: token.MUL_ASSIGN,
	token.SHL_ASSIGN: token.SHR_ASSIGN, token.SHR_ASSIGN: token.SHL_ASSIGN,
	token.AND_ASSIGN: token.OR_ASSIGN, token.OR_ASSIGN: token.AND_ASSIGN,
	token.INC: token.DEC, token.DEC: token.INC,
}

// goMutated says, for a target without a site, what goSites looks for.
const goMutated = "no comparison, + or -, && or ||, += -= *= /= <<= >>= &= |= ++ -- (outside a for clause), true or false, nor integer literal"

// goSites finds the mutation sites of Go source inside [start, end):
// the operators of goFlip (not + with a string literal operand: string
// concatenation has no minus), those of goAssignFlip (not += of a string
// literal, nor in the post statement of a for clause: i-- for i++ makes a
// loop that does not end, a mutant that costs the whole timeout to be
// killed), true↔false, and integer literals n → n+1 (not array lengths
// nor make's sizes, which rarely change behaviour).
func goSites(name string, src []byte, start, end int) ([]site, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	in := func(a, b int) bool { return a >= start && b <= end }

	var sites []site
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if off(n.End()) <= start || off(n.Pos()) >= end {
			return false // no part of the node is in range
		}
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		switch x := n.(type) {
		case *ast.BinaryExpr:
			to, ok := goFlip[x.Op]
			if ok && (x.Op == token.ADD || x.Op == token.SUB) && (isStringLit(x.X) || isStringLit(x.Y)) {
				ok = false
			}
			if p := off(x.OpPos); ok && in(p, p+len(x.Op.String())) {
				sites = append(sites, site{p, p + len(x.Op.String()), x.Op.String(), to.String(), classOperator})
			}
		case *ast.AssignStmt:
			to, ok := goAssignFlip[x.Tok]
			if (x.Tok == token.ADD_ASSIGN && len(x.Rhs) == 1 && isStringLit(x.Rhs[0])) || forPost(parent, x) {
				ok = false
			}
			if p := off(x.TokPos); ok && in(p, p+len(x.Tok.String())) {
				sites = append(sites, site{p, p + len(x.Tok.String()), x.Tok.String(), to.String(), classOperator})
			}
		case *ast.IncDecStmt:
			to := goAssignFlip[x.Tok]
			if p := off(x.TokPos); !forPost(parent, x) && in(p, p+len(x.Tok.String())) {
				sites = append(sites, site{p, p + len(x.Tok.String()), x.Tok.String(), to.String(), classOperator})
			}
		case *ast.Ident:
			if p := off(x.Pos()); (x.Name == "true" || x.Name == "false") && in(p, p+len(x.Name)) {
				to := map[string]string{"true": "false", "false": "true"}[x.Name]
				sites = append(sites, site{p, p + len(x.Name), x.Name, to, classConstant})
			}
		case *ast.BasicLit:
			p := off(x.Pos())
			if x.Kind != token.INT || !in(p, p+len(x.Value)) || sizeLit(parent, x) {
				break
			}
			v, err := strconv.ParseUint(strings.ReplaceAll(x.Value, "_", ""), 0, 63)
			if err == nil {
				sites = append(sites, site{p, p + len(x.Value), x.Value, strconv.FormatUint(v+1, 10), classInteger})
			}
		}
		stack = append(stack, n)
		return true
	})
	return sites, nil
}

func isStringLit(e ast.Expr) bool {
	l, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && l.Kind == token.STRING
}

// forPost reports whether s is the post statement of the for clause
// parent.
func forPost(parent ast.Node, s ast.Stmt) bool {
	f, ok := parent.(*ast.ForStmt)
	return ok && f.Post == s
}

// sizeLit reports whether lit is an array length or an argument of make.
func sizeLit(parent ast.Node, lit *ast.BasicLit) bool {
	switch p := parent.(type) {
	case *ast.ArrayType:
		return p.Len == lit
	case *ast.CallExpr:
		id, ok := p.Fun.(*ast.Ident)
		return ok && id.Name == "make"
	}
	return false
}

// unitRange finds the target unit in its file's source: the unit's text
// (Target.Source) where it occurs exactly once, else the lines
// Target.StartLine..EndLine, else the whole file. note says what was used
// when it was not the text.
func unitRange(src []byte, t Target) (start, end int, note string) {
	if s := bytes.TrimSpace([]byte(t.Source)); len(s) > 0 {
		if i := bytes.Index(src, s); i >= 0 && bytes.Count(src, s) == 1 {
			return i, i + len(s), ""
		}
		note = "the target's text is not in its file as given (changed since?); "
	}
	if t.StartLine > 0 {
		ls := lineStarts(src)
		if t.StartLine <= len(ls) {
			start = ls[t.StartLine-1]
			end = len(src)
			if t.EndLine >= t.StartLine && t.EndLine < len(ls) {
				end = ls[t.EndLine]
			}
			if note != "" {
				note += fmt.Sprintf("mutating lines %d-%d", t.StartLine, t.EndLine)
			}
			return start, end, note
		}
	}
	if note != "" {
		note += "mutating the whole file"
	}
	return 0, len(src), note
}

// lineStarts returns the byte offset of the start of each line.
func lineStarts(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			out = append(out, i+1)
		}
	}
	return out
}
