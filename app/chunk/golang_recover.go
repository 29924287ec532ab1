package chunk

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
)

// Recovery from Go syntax errors. go/parser gives up on a function body
// only at its closing brace: when a brace is missing — the usual state of
// a file being edited — the body runs on to the end of the file and takes
// every declaration after it (`func C` becomes a broken function literal,
// `type T` a local type), so they would have no chunks of their own.
// recoverDecls cuts each declaration that holds an error at the top-level
// keywords inside it and parses each piece again on its own. A top-level
// keyword is `func`, `type`, `var`, `const` or `import` at the start of a
// line, as gofmt puts declarations and never anything inside them; a run
// of comment lines directly above it (its doc comment) goes with it.
// Keywords are found with go/scanner, so a keyword inside a string or a
// comment does not count. Each byte of a broken declaration is scanned
// once and parsed once more, so recovery costs about one more parse of
// the broken stretch.

// goSegmentPrefix makes a segment of a file parse as a file: positions in
// the segment's parse are shifted by its length (goFile.base).
const goSegmentPrefix = "package p\n"

// recoverDecls returns decls with each declaration that holds an error
// position (errOffs, sorted) and a top-level keyword after its start
// replaced by the declarations of its pieces, each parsed on its own; and
// errOffs with the pieces' errors added, sorted. A declaration's stretch
// runs to the next declaration, since the parser may have skipped tokens
// after it.
func (g *goFile) recoverDecls(decls []goDecl, errOffs []int) ([]goDecl, []int) {
	var out []goDecl
	for i, d := range decls {
		// The stretch of a declaration runs to the next one: the parser
		// may have skipped tokens after it.
		start, next := d.g.off(declStart(d.d)), len(g.src)
		if i+1 < len(decls) {
			next = decls[i+1].g.off(declStart(decls[i+1].d))
		}
		j, _ := slices.BinarySearch(errOffs, start)
		broken := j < len(errOffs) && (errOffs[j] < next || errOffs[j] == next && next == len(g.src))
		var cuts []int
		if broken {
			cuts = g.topKeywords(start, next)
		}
		if len(cuts) == 0 {
			if out != nil {
				out = append(out, d)
			}
			continue
		}
		if out == nil {
			out = append(make([]goDecl, 0, len(decls)+len(cuts)), decls[:i]...)
		}
		cuts = append(append(append(cuts[:0:0], start), cuts...), next)
		for k := range len(cuts) - 1 {
			seg, segErrs := g.parseSegment(cuts[k], cuts[k+1])
			errOffs = append(errOffs, segErrs...)
			if seg == nil {
				continue
			}
			for _, sd := range seg.af.Decls {
				out = append(out, goDecl{seg, sd})
			}
		}
	}
	if out == nil {
		return decls, errOffs
	}
	slices.Sort(errOffs)
	return out, errOffs
}

// declStart is where a declaration's chunk can start: its doc comment, or
// the declaration.
func declStart(d ast.Decl) token.Pos {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return docStart(d.Doc, d.Pos())
	case *ast.GenDecl:
		return docStart(d.Doc, d.Pos())
	}
	return d.Pos()
}

// topKeywords returns the offsets in (start, end) where a top-level
// declaration starts: a declaration keyword at the start of a line, or the
// first of the comment lines directly above it.
func (g *goFile) topKeywords(start, end int) []int {
	var cuts []int
	fset := token.NewFileSet()
	tf := fset.AddFile("", -1, end-start)
	var s scanner.Scanner
	s.Init(tf, g.src[start:end], nil, scanner.ScanComments)
	base := tf.Base() - start
	// run is where the comment lines directly above the current token
	// start (-1: none); runEnd is where the last of them ends.
	run, runEnd := -1, -1
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return cuts
		}
		off := int(pos) - base
		atLineStart := off == 0 || g.src[off-1] == '\n'
		switch {
		case tok == token.SEMICOLON && lit == "\n":
			// An automatic semicolon: no text.
		case tok == token.COMMENT:
			if !atLineStart {
				run = -1
			} else if run < 0 || !oneNewline(g.src[runEnd:off]) {
				run = off
			}
			runEnd = off + len(lit)
		case atLineStart && isDeclKeyword(tok):
			cut := off
			if run >= 0 && oneNewline(g.src[runEnd:off]) {
				cut = run
			}
			if cut > start && (len(cuts) == 0 || cut > cuts[len(cuts)-1]) {
				cuts = append(cuts, cut)
			}
			run = -1
		default:
			run = -1
		}
	}
}

func isDeclKeyword(t token.Token) bool {
	switch t {
	case token.FUNC, token.TYPE, token.VAR, token.CONST, token.IMPORT:
		return true
	}
	return false
}

// oneNewline reports whether b is white space holding exactly one line
// break: what lies between a comment line and the line directly below.
func oneNewline(b []byte) bool {
	n := 0
	for _, c := range b {
		switch c {
		case '\n':
			n++
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return n == 1
}

// parseSegment parses the bytes [start, end) of the file (without trailing
// white space) as a file of their own. The returned parse maps positions to
// the file's offsets and clamps them to the segment; nil if it has no
// declarations. The second result holds the offsets of its errors. When
// the parser ran into the segment's end with an error (a brace or paren
// still open), its last declaration runs to the segment's end (openEnd):
// the rest of the segment is that declaration being typed.
func (g *goFile) parseSegment(start, end int) (*goFile, []int) {
	for end > start && isSpace(g.src[end-1]) {
		end--
	}
	buf := make([]byte, 0, len(goSegmentPrefix)+end-start)
	buf = append(append(buf, goSegmentPrefix...), g.src[start:end]...)
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, g.path, buf, goParseMode)
	var errOffs []int
	if err != nil {
		var list scanner.ErrorList
		if !errors.As(err, &list) {
			return nil, []int{start}
		}
		for _, e := range list {
			errOffs = append(errOffs, max(start, start+e.Pos.Offset-len(goSegmentPrefix)))
		}
	}
	openEnd := len(errOffs) > 0 && errOffs[len(errOffs)-1] >= end
	if af == nil || len(af.Decls) == 0 {
		return nil, errOffs
	}
	seg := &goFile{file: g.file, fset: fset, af: af, limit: end, pkg: g.pkg, openEnd: openEnd}
	seg.base = fset.File(af.FileStart).Base() + len(goSegmentPrefix) - start
	return seg, errOffs
}
