package index

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/internal/corpora"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/db"
)

// TestInterfaceEdgesGoStd: on the Go standard library, every edge that a
// call through an interface adds to the symbol graph (a ref pkg.(*T).M
// reaching, through the interface's members, the chunk of an interface T
// declaring M) is one the type checker confirms: in the chunk the edge
// comes from, a call x.M resolves to the method M that interface T of the
// target's package declares. The graph is the index's (Edges over the
// chunks the analyzer makes, with the members the writer collects), of
// the files of each package that build for this platform, which are the
// ones the type checker can check together.
func TestInterfaceEdgesGoStd(t *testing.T) {
	ck := checkedStd(t)
	var members, old []Member
	var isType []bool // whether each chunk of g is a type's
	g, where, ranges := stdGraph(t, ck, nil, func(_ *checkedFile, c db.CodeChunk, i int) {
		members = appendMembers(members, i, c.Name, "go", c.Members)
		if c.Kind != chunk.KindType {
			old = appendMembers(old, i, c.Name, "go", c.Members)
		}
		isType = append(isType, c.Kind == chunk.KindType)
	})
	before := map[[2]int32]bool{}
	for _, e := range Edges(g, old...) {
		before[e] = true
	}
	// The names each interface chunk declares ((*T).M, qualified).
	declares := map[int32][]string{}
	for _, m := range members {
		if isType[m.Chunk] {
			declares[m.Chunk] = append(declares[m.Chunk], m.Name)
		}
	}
	// Each ref that resolves through an interface's members, and whether
	// the type checker confirms it: a call in the chunk's bytes resolves
	// to that method of that interface.
	resolved, confirmed, added, addedConfirmed := 0, 0, 0, 0
	linked := map[string]bool{} // "chunk key" of the confirmed ones
	var wrong []string
	for _, e := range Edges(g, members...) {
		from, to := g[e[0]], g[e[1]]
		isNew, newOK := !before[e], false
		for _, r := range from.Refs {
			if !slices.Contains(declares[e[1]], r) {
				continue
			}
			resolved++
			// r is q.(*T).M; the target's package is its directory.
			typ, method, _ := strings.Cut(r[strings.Index(r, "(*")+2:], ").")
			key := typesPath(strings.TrimSuffix(dir(to.Path), "/")) + "." + typ + "." + method
			if where[e[0]].calls(ranges[e[0]], key) {
				confirmed++
				newOK = true
				linked[strconv.Itoa(int(e[0]))+" "+key] = true
			} else {
				wrong = append(wrong, from.Name+" ("+from.Path+"): "+r+" -> "+to.Name+" ("+to.Path+")")
			}
		}
		if isNew {
			added++
			if newOK {
				addedConfirmed++
			}
		}
	}
	// How many of the calls through the corpus's interfaces, of methods
	// they declare, are linked so.
	calls, callsLinked := 0, 0
	for i := range g {
		if i > 0 && where[i] == where[i-1] {
			continue
		}
		f := where[i]
		for _, c := range f.interfaceCalls() {
			calls++
			for j := i; j < len(g) && where[j] == f; j++ {
				if c.off >= ranges[j][0] && c.off < ranges[j][1] && linked[strconv.Itoa(j)+" "+c.key] {
					callsLinked++
					break
				}
			}
		}
	}
	t.Logf("%d packages, %d chunks; %d edges before; %d refs resolve through an interface's members, %d confirmed by the type checker; "+
		"%d edges added (%d confirmed); %d of %d calls of a method an interface declares are linked to it",
		len(ck.pkgs), len(g), len(before), resolved, confirmed, added, addedConfirmed, callsLinked, calls)
	for i, w := range wrong {
		if i == 20 {
			t.Errorf("… and %d more", len(wrong)-20)
			break
		}
		t.Errorf("no call in the chunk resolves to the interface's method: %s", w)
	}
	if added == 0 || resolved == 0 {
		t.Error("no ref resolved through an interface's members")
	}
}

// stdChecker type-checks the standard library's packages from source,
// each once, for the platform the test runs on.
type stdChecker struct {
	src  string
	ctxt build.Context
	fset *token.FileSet
	pkgs map[string]*checkedPkg // by directory
}

type checkedPkg struct {
	pkg   *types.Package
	files []*checkedFile
}

// checkedFile is a file of a checked package: its path relative to the
// corpus, its source and syntax, and the package's type information.
type checkedFile struct {
	rel  string
	src  []byte
	ast  *ast.File
	tf   *token.File
	info *types.Info
	// ifaceCalls are the calls of interface methods (interfaceCalls).
	ifaceCalls []ifaceCall
}

func newStdChecker(src string) *stdChecker {
	ctxt := build.Default
	ctxt.GOROOT = filepath.Dir(src)
	return &stdChecker{src: src, ctxt: ctxt, fset: token.NewFileSet(), pkgs: map[string]*checkedPkg{}}
}

// Import and ImportFrom make the checker the type checker's importer:
// an imported package is checked once, where it is found from srcDir
// (vendored packages included).
func (c *stdChecker) Import(p string) (*types.Package, error) { return c.ImportFrom(p, c.src, 0) }

func (c *stdChecker) ImportFrom(p, srcDir string, _ types.ImportMode) (*types.Package, error) {
	if p == "unsafe" {
		return types.Unsafe, nil
	}
	bp, err := c.ctxt.Import(p, srcDir, 0)
	if err != nil {
		return nil, err
	}
	return c.checkDir(bp.Dir).pkg, nil
}

// checkDir checks the package in dir (the files that build here, without
// tests), if it has not been: nil when there is none.
func (c *stdChecker) checkDir(dir string) *checkedPkg {
	if p, ok := c.pkgs[dir]; ok {
		return p
	}
	bp, err := c.ctxt.ImportDir(dir, 0)
	if err != nil { // no Go files that build here, and the like
		p := &checkedPkg{pkg: types.NewPackage(dir, "_")}
		c.pkgs[dir] = p
		return p
	}
	p := &checkedPkg{}
	c.pkgs[dir] = p // no cycles in the standard library
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	var files []*ast.File
	for _, name := range slices.Concat(bp.GoFiles, bp.CgoFiles) {
		full := filepath.Join(dir, name)
		src, err := os.ReadFile(full)
		if err != nil {
			continue
		}
		af, err := parser.ParseFile(c.fset, full, src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(c.src, full)
		files = append(files, af)
		p.files = append(p.files, &checkedFile{rel: filepath.ToSlash(rel), src: src, ast: af, tf: c.fset.File(af.Pos()), info: info})
	}
	conf := types.Config{Importer: c, FakeImportC: true, Error: func(error) {}}
	path := bp.ImportPath
	if strings.HasPrefix(path, "vendor/") || strings.Contains(path, "/vendor/") {
		path = path[strings.LastIndex(path, "vendor/")+len("vendor/"):]
	}
	p.pkg, _ = conf.Check(path, c.fset, files, info)
	return p
}

// typesPath is the import path the type checker gives the package in
// directory d of the corpus: a vendored one's is the path below vendor/.
func typesPath(d string) string {
	if i := strings.LastIndex(d, "vendor/"); i == 0 || i > 0 && d[i-1] == '/' {
		return d[i+len("vendor/"):]
	}
	return d
}

// ifaceCall is a selector of a method an interface declares: where it is
// in its file, and the method, as "path.T.M".
type ifaceCall struct {
	off int
	key string
}

// interfaceCalls lists the file's selectors of methods declared by named
// interfaces, once.
func (f *checkedFile) interfaceCalls() []ifaceCall {
	if f.ifaceCalls != nil {
		return f.ifaceCalls
	}
	f.ifaceCalls = []ifaceCall{}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		s := f.info.Selections[sel]
		if s == nil || s.Kind() != types.MethodVal {
			return true
		}
		fn, ok := s.Obj().(*types.Func)
		if !ok || fn.Signature().Recv() == nil {
			return true
		}
		named, ok := types.Unalias(fn.Signature().Recv().Type()).(*types.Named)
		if !ok || !types.IsInterface(named) || named.Obj().Pkg() == nil {
			return true
		}
		key := named.Obj().Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
		f.ifaceCalls = append(f.ifaceCalls, ifaceCall{f.tf.Offset(sel.Sel.Pos()), key})
		return true
	})
	return f.ifaceCalls
}

// calls reports whether, within the byte range r of the file, a selector
// resolves to the method key ("path.T.M") of an interface.
func (f *checkedFile) calls(r [2]int, key string) bool {
	for _, c := range f.interfaceCalls() {
		if c.off >= r[0] && c.off < r[1] && c.key == key {
			return true
		}
	}
	return false
}

// checkedStd type-checks every package of the Go standard library corpus
// (skipping the test unless AIEX_CORPORA=1 and the corpus is there).
func checkedStd(t *testing.T) *stdChecker {
	t.Helper()
	if os.Getenv("AIEX_CORPORA") != "1" {
		t.Skip("set AIEX_CORPORA=1 to run the corpus tests")
	}
	src, ok := corpora.GoStd()
	if !ok {
		t.Skip("no Go standard library corpus")
	}
	ck := newStdChecker(src)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		ck.checkDir(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

// stdGraph chunks the files ck checked as the analyzer does and returns
// the index's graph of them (g), with each chunk's file (where) and byte
// range (ranges). file, when set, sees each file's chunks, and chunk each
// chunk with its place in g.
func stdGraph(t *testing.T, ck *stdChecker, file func(*checkedFile, []db.CodeChunk), chunkFn func(*checkedFile, db.CodeChunk, int)) (g []db.GraphChunk, where []*checkedFile, ranges [][2]int) {
	t.Helper()
	for _, d := range slices.Sorted(maps.Keys(ck.pkgs)) {
		for _, f := range ck.pkgs[d].files {
			res, err := chunk.File(f.rel, f.src, ChunkOptions(tokens.FamilyGeneric))
			if err != nil {
				t.Fatal(err)
			}
			cs := cacheChunks(res.Chunks, path.Base(f.rel))
			if file != nil {
				file(f, cs)
			}
			for _, c := range cs {
				chunkFn(f, c, len(g))
				g = append(g, db.GraphChunk{Name: c.Name, Path: f.rel, Lang: "go", Refs: c.Refs, Imports: c.Imports})
				where = append(where, f)
				ranges = append(ranges, [2]int{c.StartByte, c.EndByte})
			}
		}
	}
	return g, where, ranges
}
