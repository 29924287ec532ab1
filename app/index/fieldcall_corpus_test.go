package index

import (
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// TestFieldCallEdgesGoStd: on the Go standard library, every edge that a
// call through a field adds to the symbol graph is one the type checker
// confirms. The graph is the index's (Edges over the chunks the analyzer
// makes, with the writer's members, promoted names and field refs), of
// the files of each package that build for this platform. An edge is
// checked through each method ref (pkg.(*T).M) or field ref
// (pkg.(*T).f.M) of its chunk that reaches its target: in the chunk's
// bytes, a call x.M must resolve to the method M of the target's type
// (T's, or the interface's); for a field ref, through a field (x is a
// field selector). A field call's edge is one no call in the chunk
// explains other than a call through a field: the edges this adds.
func TestFieldCallEdgesGoStd(t *testing.T) {
	ck := checkedStd(t)
	m := stdMethodGraph(t, ck)
	g, where, ranges, members, reach := m.g, m.where, m.ranges, m.members, m.reach
	fieldRows := 0
	for _, r := range m.rows {
		if isFieldRef(r.Name) {
			fieldRows++
		}
	}
	fieldRefs := 0
	for _, c := range g {
		for _, r := range c.Refs {
			if isFieldRef(r) {
				fieldRefs++
			}
		}
	}
	chunkAt, sameChunk := m.chunkAt, m.sameChunk
	edges := Edges(g, members...)
	resolved, confirmed, added, unchecked := 0, 0, 0, 0
	linked := map[[2]int32]bool{} // the edges a call explains
	var wrong []string
	for _, e := range edges {
		from, to := g[e[0]], g[e[1]]
		onlyFields, direct := false, false
		for _, r := range from.Refs {
			if !strings.Contains(r, ".(*") || !slices.Contains(reach[r], e[1]) {
				continue
			}
			d, field, untyped := false, false, false
			for _, c := range where[e[0]].methodCalls(ck.fset) {
				if c.off < ranges[e[0]][0] || c.off >= ranges[e[0]][1] || c.name != r[strings.LastIndexByte(r, '.')+1:] {
					continue
				}
				switch {
				case c.untyped:
					untyped = true
				case sameChunk(chunkAt(c.decl), e[1]):
					d, field = d || !c.field, field || c.field
				}
			}
			isField := isFieldRef(r)
			if isField {
				resolved++
			}
			if !d && !field && untyped && !isField {
				unchecked++
				continue
			}
			if isField && !field || !d && !field {
				wrong = append(wrong, from.Name+" ("+from.Path+"): "+r+" -> "+to.Name+" ("+to.Path+")")
				continue
			}
			if isField {
				confirmed++
			}
			linked[e] = true
			direct = direct || d
			onlyFields = onlyFields || !d
		}
		if onlyFields && !direct {
			added++
		}
	}
	// The type checker's calls through fields, and how many are linked.
	calls, callsLinked := 0, 0
	for i := range g {
		if i > 0 && where[i] == where[i-1] {
			continue
		}
		f := where[i]
		for _, c := range f.methodCalls(ck.fset) {
			if !c.field || !c.call || c.untyped {
				continue
			}
			calls++
			to := chunkAt(c.decl)
			for j := i; j < len(g) && where[j] == f; j++ {
				if c.off >= ranges[j][0] && c.off < ranges[j][1] && linked[[2]int32{int32(j), to}] {
					callsLinked++
					break
				}
			}
		}
	}
	t.Logf("%d packages, %d chunks, %d edges; %d field refs, %d field rows; %d refs resolve through field rows, "+
		"%d confirmed by the type checker; %d edges only calls through fields explain; "+
		"%d of the type checker's %d calls of methods through fields are linked; %d selectors confirmed in another vendored copy; "+
		"%d method refs left unchecked (the type checker could not type their selector)",
		len(ck.pkgs), len(g), len(edges), fieldRefs, fieldRows, resolved, confirmed, added, callsLinked, calls, m.vendored, unchecked)
	for i, w := range wrong {
		if i == 200 {
			t.Errorf("… and %d more", len(wrong)-20)
			break
		}
		t.Errorf("no selector in the chunk resolves to the method: %s", w)
	}
	if added == 0 || confirmed == 0 {
		t.Error("no edge from a call through a field")
	}
}

// methodCall is a selector x.M of a method the type checker resolves:
// the method's name and declaration, where the selector is, whether it
// is called, and whether x is a field selector; or, untyped, a selector
// the type checker did not resolve.
type methodCall struct {
	name                 string
	decl                 token.Position
	off                  int
	call, field, untyped bool
}

// methodCallsOf memoizes methodCalls by file.
var methodCallsOf = map[*checkedFile][]methodCall{}

// methodCalls lists the file's selectors of methods.
func (f *checkedFile) methodCalls(fset *token.FileSet) []methodCall {
	if out, ok := methodCallsOf[f]; ok {
		return out
	}
	calls := map[*ast.SelectorExpr]bool{}
	out := []methodCall{}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				calls[sel] = true
			}
		case *ast.SelectorExpr:
			s := f.info.Selections[n]
			if s == nil {
				// A qualified identifier, or a selector on a value whose
				// type the checker could not tell (an import it could
				// not find).
				out = append(out, methodCall{name: n.Sel.Name, off: f.tf.Offset(n.Sel.Pos()), untyped: true})
				return true
			}
			if s.Kind() != types.MethodVal {
				return true
			}
			field := false
			if x, ok := ast.Unparen(n.X).(*ast.SelectorExpr); ok {
				xs := f.info.Selections[x]
				field = xs != nil && xs.Kind() == types.FieldVal
			}
			out = append(out, methodCall{name: n.Sel.Name, decl: fset.Position(s.Obj().Pos()),
				off: f.tf.Offset(n.Sel.Pos()), call: calls[n], field: field})
		}
		return true
	})
	methodCallsOf[f] = out
	return out
}

// methodGraph is the standard library's chunks linked as the index links
// method refs: their members, the directories' promoted names and field
// refs (dirRows), and what each ref may reach; with the file and byte
// range of each chunk, to place the type checker's calls in them.
type methodGraph struct {
	ck       *stdChecker
	g        []db.GraphChunk
	where    []*checkedFile
	ranges   [][2]int
	members  []Member
	reach    map[string][]int32 // a ref's name → the chunks it may reach
	rows     []db.CodePromoted  // every directory's dirRows
	inFile   map[string][]int32 // a file's chunks
	vendored int                // calls sameChunk confirmed in another vendored copy
}

func stdMethodGraph(t *testing.T, ck *stdChecker) *methodGraph {
	t.Helper()
	m := &methodGraph{ck: ck, reach: map[string][]int32{}, inFile: map[string][]int32{}}
	at := map[target]int32{}
	decls := map[string]map[string][]decl{}
	m.g, m.where, m.ranges = stdGraph(t, ck, func(f *checkedFile, cs []db.CodeChunk) {
		if ds := fileDecls(cs); len(ds) > 0 {
			if decls[pathDir(f.rel)] == nil {
				decls[pathDir(f.rel)] = map[string][]decl{}
			}
			decls[pathDir(f.rel)][f.rel] = ds
		}
	}, func(f *checkedFile, c db.CodeChunk, i int) {
		n := len(m.members)
		m.members = appendMembers(m.members, i, c.Name, "go", c.Members)
		for _, mb := range m.members[n:] {
			m.reach[mb.Name] = append(m.reach[mb.Name], int32(i))
		}
		unit, _, _ := strings.Cut(c.Name, "#")
		m.reach[unit] = append(m.reach[unit], int32(i))
		at[target{f.rel, c.Name}] = int32(i)
	})
	for _, d := range slices.Sorted(maps.Keys(decls)) {
		for _, r := range dirRows(d, decls[d]) {
			i := at[target{r.Path, r.Target}]
			m.members = append(m.members, Member{Name: r.Name, Chunk: i})
			m.reach[r.Name] = append(m.reach[r.Name], i)
			m.rows = append(m.rows, r)
		}
	}
	for i, c := range m.g {
		m.inFile[c.Path] = append(m.inFile[c.Path], int32(i))
	}
	return m
}

// chunkAt is the chunk holding the position p, or -1.
func (m *methodGraph) chunkAt(p token.Position) int32 {
	rel, err := filepath.Rel(m.ck.src, p.Filename)
	if err != nil {
		return -1
	}
	for _, i := range m.inFile[filepath.ToSlash(rel)] {
		if p.Offset >= m.ranges[i][0] && p.Offset < m.ranges[i][1] {
			return i
		}
	}
	return -1
}

// sameChunk reports whether the chunk decl, where the type checker says
// a method is declared, is the chunk to an edge reaches: the same, or
// its copy in another vendored tree (vendor/golang.org/x/text and
// cmd/vendor/golang.org/x/text), which the index's import-path rule links
// a call to as it does any ref (counted in vendored).
func (m *methodGraph) sameChunk(decl, to int32) bool {
	g := m.g
	if decl == to {
		return true
	}
	if decl < 0 || g[decl].Name != g[to].Name || path.Base(g[decl].Path) != path.Base(g[to].Path) ||
		typesPath(strings.TrimSuffix(dir(g[decl].Path), "/")) != typesPath(strings.TrimSuffix(dir(g[to].Path), "/")) {
		return false
	}
	m.vendored++
	return true
}
