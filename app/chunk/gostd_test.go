package chunk

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// goStdFiles lists the Go standard library's .go files outside testdata,
// sorted. With -short it returns a deterministic sample of about 300.
func goStdFiles(t testing.TB, sample bool) []string {
	t.Helper()
	root := build.Default.GOROOT
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		root = strings.TrimSpace(string(out))
	}
	root = filepath.Join(root, "src")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	if len(files) < 1000 {
		t.Fatalf("only %d .go files in %s", len(files), root)
	}
	if sample {
		var s []string
		for i := 0; i < len(files); i += len(files) / 300 {
			s = append(s, files[i])
		}
		files = s
	}
	return files
}

// forEachFile runs fn on every file with GOMAXPROCS workers.
func forEachFile(files []string, fn func(path string)) {
	var wg sync.WaitGroup
	ch := make(chan string)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range ch {
				fn(p)
			}
		})
	}
	for _, p := range files {
		ch <- p
	}
	close(ch)
	wg.Wait()
}

// TestGoStdlibAgreesWithParser chunks the standard library and checks every
// declaration against go/ast's own positions: each func has exactly one
// chunk, starting at its doc comment (or the func keyword) and ending where
// the AST says; types, consts and vars likewise; the header ends at the
// last import. Under Hybrid the pieces of each unit tile it exactly.
func TestGoStdlibAgreesWithParser(t *testing.T) {
	files := goStdFiles(t, testing.Short())
	var mu sync.Mutex
	var funcs, decls, failed, split int
	var problems []string
	forEachFile(files, func(path string) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return
		}
		nf, nd, ns, errs := checkGoFile(path, src)
		mu.Lock()
		defer mu.Unlock()
		funcs += nf
		decls += nd
		split += ns
		if len(errs) > 0 {
			failed++
			problems = append(problems, errs...)
		}
	})
	for i, p := range problems {
		if i == 40 {
			t.Errorf("… and %d more", len(problems)-40)
			break
		}
		t.Error(p)
	}
	t.Logf("%d files, %d funcs, %d declarations compared; %d units split under hybrid; %d files with mismatches",
		len(files), funcs, decls, split, failed)
}

// checkGoFile compares one file's chunks with go/ast and returns the number
// of funcs and declarations compared, of units split, and the mismatches.
func checkGoFile(path string, src []byte) (funcs, decls, splits int, errs []string) {
	res, err := File(path, src, Options{Strategy: Semantic, MaxFileSize: 64 << 20})
	if err != nil {
		return 0, 0, 0, []string{err.Error()}
	}
	for _, e := range invariantErrors(src, res) {
		errs = append(errs, path+": "+e)
	}
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return 0, 0, 0, []string{fmt.Sprintf("%s: go/parser: %v", path, err)}
	}
	if len(res.Warnings) > 0 {
		errs = append(errs, fmt.Sprintf("%s: warnings on a file go/parser accepts: %q", path, res.Warnings))
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	type key struct {
		kind       string
		start, end int
	}
	have := map[key][]Chunk{}
	nfuncChunks := 0
	for _, c := range res.Chunks {
		have[key{c.Kind, c.StartByte, c.EndByte}] = append(have[key{c.Kind, c.StartByte, c.EndByte}], c)
		if c.Kind == KindFunction || c.Kind == KindMethod {
			nfuncChunks++
		}
	}
	expect := func(kind, what string, start, end int) {
		decls++
		if got := have[key{kind, start, end}]; len(got) != 1 {
			errs = append(errs, fmt.Sprintf("%s:%d: %s %s: %d chunks of kind %s at [%d,%d), want 1",
				path, fset.Position(token.Pos(fset.File(af.Pos()).Base()+start)).Line, kind, what, len(got), kind, start, end))
		}
	}
	start := func(doc *ast.CommentGroup, p token.Pos) int {
		if doc != nil {
			return off(doc.Pos())
		}
		return off(p)
	}
	lastImport := af.Name.End()
	for _, d := range af.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			funcs++
			kind := KindFunction
			if d.Recv != nil {
				kind = KindMethod
			}
			expect(kind, d.Name.Name, start(d.Doc, d.Pos()), off(d.End()))
		case *ast.GenDecl:
			switch {
			case d.Tok == token.IMPORT:
				lastImport = d.End()
			case d.Tok == token.TYPE && d.Lparen.IsValid():
				for i, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					st := start(ts.Doc, ts.Pos())
					if i == 0 && d.Doc != nil {
						st = off(d.Doc.Pos())
					}
					expect(KindType, ts.Name.Name, st, off(ts.End()))
				}
			case d.Tok == token.TYPE:
				expect(KindType, d.Specs[0].(*ast.TypeSpec).Name.Name, start(d.Doc, d.Pos()), off(d.End()))
			case d.Tok == token.CONST:
				expect(KindConst, "const", start(d.Doc, d.Pos()), off(d.End()))
			case d.Tok == token.VAR:
				expect(KindVar, "var", start(d.Doc, d.Pos()), off(d.End()))
			}
		}
	}
	if nfuncChunks != funcs {
		errs = append(errs, fmt.Sprintf("%s: %d function chunks for %d funcs", path, nfuncChunks, funcs))
	}
	var header *Chunk
	for i := range res.Chunks {
		if res.Chunks[i].Kind == KindHeader {
			header = &res.Chunks[i]
		}
	}
	if header == nil || header.EndByte != off(lastImport) || header.Name != af.Name.Name {
		errs = append(errs, fmt.Sprintf("%s: header %+v should end at %d and be named %s", path, header, off(lastImport), af.Name.Name))
	}

	// Hybrid: the pieces of every leaf tile it exactly.
	hy, err := File(path, src, Options{Strategy: Hybrid, MaxBytes: 2048, MaxFileSize: 64 << 20})
	if err != nil {
		return funcs, decls, splits, append(errs, err.Error())
	}
	pieces := hy.Chunks
	for _, c := range res.Chunks {
		at := c.StartByte
		n := 0
		for len(pieces) > 0 && pieces[0].StartByte < c.EndByte {
			p := pieces[0]
			pieces = pieces[1:]
			if p.StartByte != at || p.Kind != c.Kind || (p.Name != c.Name && !strings.HasPrefix(p.Name, c.Name+"#")) {
				errs = append(errs, fmt.Sprintf("%s: hybrid piece %s %q [%d,%d) does not continue %q at %d", path, p.Kind, p.Name, p.StartByte, p.EndByte, c.Name, at))
				break
			}
			at = p.EndByte
			n++
		}
		if at != c.EndByte {
			errs = append(errs, fmt.Sprintf("%s: hybrid pieces of %q end at %d, not %d", path, c.Name, at, c.EndByte))
		}
		if n > 1 {
			splits++
		}
	}
	return funcs, decls, splits, errs
}
