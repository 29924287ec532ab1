package chunk

import (
	"go/ast"
	"go/token"
	"iter"
	"strconv"
	"strings"
)

// Import paths of Go refs. A ref to an imported package's name reads as
// the file writes it, proto.Command: the name the file uses for the
// import, which many packages of a project share (rqlite's cluster/proto
// and command/proto; math/rand, math/rand/v2 and crypto/rand). The import
// path says which one it is, so a Go file's header chunk records, for the
// qualifiers the file's refs use, the path of the import the file names
// by it (Chunk.Imports), and the index resolves such a ref of any chunk of
// the file only to a package in a directory that path denotes
// (ImportedFrom).
//
// An import written with a name (import pb "x/proto") is known by it in
// the file, but the index names the package's units by the package's own
// name (proto.Command): its refs are rewritten to that name where it
// stays one package's (aliasRenames), and recorded by it. One
// without is known by its package's name, which only that package's
// source says; it is nearly always the last element of the path, less a
// major version (math/rand/v2 is rand, gopkg.in/yaml.v3 is yaml) and a
// go- prefix or -go suffix (go-sqlite3 is sqlite3). Where that guess names
// no qualifier the file uses, and exactly one qualifier of the file names
// no import, the two are the same package (go-foo-bar declaring package
// foobar). Otherwise the qualifier keeps no path, and the index resolves
// it by name, as it did before chunk version 18. A blank import names
// nothing; a dot import's names are used unqualified, so its refs read as
// the package's own and cannot be told from them: neither is recorded.
//
// The refs to methods of imported types (http.(*Client).Do of c.Do() on a
// *http.Client, golang_methods.go) are kept only where their qualifier
// gets a path here (dropImportedMethods): resolved by name alone, they
// would reach the method of every package of that name.

// recordImports gives the file's header the paths of the imports its
// refs qualify names by (Chunk.Imports): once a file, not on each chunk,
// which would make the store 4 % larger instead of 1 % on the standard
// library (44 % of its chunks name an import).
func (g *goFile) recordImports(decls []goDecl) {
	used := map[string]bool{}
	for i := range g.units {
		refQualifiers(used, g.units[i].refs)
	}
	renames := aliasRenames(decls, used, g.pkg, g.top)
	if len(renames) > 0 {
		for i := range g.units {
			renameQualifiers(g.units[i].refs, renames)
		}
		clear(used)
		for i := range g.units {
			refQualifiers(used, g.units[i].refs)
		}
	}
	imports := fileImports(decls, used, g.pkg, renames)
	for i := range g.units {
		g.units[i].refs = dropImportedMethods(g.units[i].refs, g.pkg, imports)
	}
	if len(imports) > 0 {
		for i := range g.units {
			if g.units[i].kind == KindHeader {
				g.units[i].imports = imports
			}
		}
	}
}

// dropImportedMethods removes in place the method refs of imported types
// (q.(*T).M, golang_methods.go) whose qualifier q records no import path:
// the index would resolve one by name, to the method of every package
// named q (an import whose name its path does not give, beside another).
// The ref to the type q.T stays, as every qualified name does. Their
// qualifiers are those of the type refs in the same declarations, so
// dropping them changes no path recorded.
func dropImportedMethods(refs []ref, pkg string, imports map[string]string) []ref {
	out := refs[:0]
	for _, r := range refs {
		q, rest, _ := strings.Cut(r.name, ".")
		if q != pkg && strings.HasPrefix(rest, "(*") {
			if _, ok := imports[q]; !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// fileImports maps the qualifiers the file's refs use to the import paths
// they name (see above). used are the qualifiers of the file's refs; pkg
// is the file's package, whose name is left out even where an import has
// it too (html/template imports text/template as template): its refs and
// the package's own unqualified ones (Template, qualified as
// template.Template by the index) are the same names, and a method ref
// by that name is one of the package's own (none is made for a type of
// such an import, golang_methods.go), so the index resolves them in the
// file's directory, as before.
//
// renames are the named imports whose refs aliasRenames rewrote: such an
// import is recorded by the name its refs now use.
func fileImports(decls []goDecl, used map[string]bool, pkg string, renames map[string]string) map[string]string {
	out := map[string]string{}
	guessed := map[string]string{} // unnamed imports, by the guessed name
	bad := map[string]bool{}       // names two imports claim (invalid Go)
	set := func(m map[string]string, name, path string) {
		if old, ok := m[name]; ok && old != path {
			bad[name] = true
		}
		m[name] = path
	}
	var unguessed []string // paths of unnamed imports whose guess no ref uses
	for is, path := range importSpecs(decls) {
		switch {
		case is.Name == nil:
			name := importName(path)
			if used[name] {
				set(guessed, name, path)
			} else {
				unguessed = append(unguessed, path)
			}
		case is.Name.Name == "_" || is.Name.Name == ".":
		default:
			name := is.Name.Name
			if to, ok := renames[name]; ok {
				name = to
			}
			set(out, name, path)
		}
	}
	for name, path := range guessed {
		if _, named := out[name]; named {
			bad[name] = true
		}
		out[name] = path
	}
	if len(unguessed) == 1 {
		var left []string
		for q := range used {
			if _, ok := out[q]; !ok && q != pkg && q != "_" {
				left = append(left, q)
			}
		}
		if len(left) == 1 {
			out[left[0]] = unguessed[0]
		}
	}
	for name := range bad {
		delete(out, name)
	}
	delete(out, pkg)
	return out
}

// aliasRenames maps the names a file gives its imports (import cp
// "x/command/proto") to the names their packages are known by (proto, by
// importName): the index names a package's units by its own name
// (proto.Encode), so a ref through the alias (cp.Encode) names nothing
// unless it is written so. The import path recorded under the new name
// (fileImports) then pins the package it means.
//
// A name is rewritten only when it stays one package's: not when another
// import of the file is known by it (the usual reason for the alias:
// cp "x/command/proto" beside "x/cluster/proto"), two aliases would
// become it, a ref of the file already uses it as a qualifier (an import
// whose package's name its path does not give), or it is the file's own
// package or one of its package-level names. The qualifier records one
// path (code_chunks.meta element 13, which the code_edges views and
// app/index's Edges read), and a list of two would let proto.Command
// reach both packages' Command — an edge that is not there, in the very
// files that alias to tell two packages apart. Such an alias keeps its
// refs as written and resolves to nothing, as before chunk version 20. A
// blank or dot import is never renamed: a dot import's names read
// unqualified.
func aliasRenames(decls []goDecl, used map[string]bool, pkg string, top map[string]int) map[string]string {
	known := map[string]int{} // how many imports each name is known by
	var named [][2]string     // the renamed imports: alias, import path
	for is, path := range importSpecs(decls) {
		switch {
		case is.Name == nil:
			if name := importName(path); name != "" {
				known[name]++
			}
		case is.Name.Name == "_" || is.Name.Name == ".":
		default:
			known[is.Name.Name]++
			named = append(named, [2]string{is.Name.Name, path})
		}
	}
	out := map[string]string{}
	becomes := map[string]int{}
	for _, n := range named {
		alias, to := n[0], importName(n[1])
		if to == "" || to == alias || !used[alias] {
			continue
		}
		out[alias] = to
		becomes[to]++
	}
	for alias, to := range out {
		_, declared := top[to]
		if known[to] > 0 || becomes[to] > 1 || used[to] || to == pkg || declared || known[alias] > 1 {
			delete(out, alias)
		}
	}
	return out
}

// renameQualifiers rewrites in place the qualifiers of refs that renames
// maps (cp.Encode is proto.Encode).
func renameQualifiers(refs []ref, renames map[string]string) {
	for i, r := range refs {
		if j := strings.IndexByte(r.name, '.'); j > 0 {
			if to, ok := renames[r.name[:j]]; ok {
				refs[i].name = to + r.name[j:]
			}
		}
	}
}

// importName guesses the name of the package an import path names: its
// last element, less a major version suffix (math/rand/v2, yaml.v3) and a
// go- prefix or a -go or .go suffix; "" if what is left is no identifier.
func importName(path string) string {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if majorVersion(name) && strings.Contains(path, "/") {
		rest := path[:len(path)-len(name)-1]
		name = rest[strings.LastIndexByte(rest, '/')+1:]
	}
	if i := strings.LastIndex(name, ".v"); i > 0 && majorVersion(name[i+1:]) {
		name = name[:i]
	}
	name = strings.TrimPrefix(name, "go-")
	name = strings.TrimSuffix(strings.TrimSuffix(name, "-go"), ".go")
	if !token.IsIdentifier(name) {
		return ""
	}
	return name
}

// majorVersion reports whether s is v followed by digits (v2, v10).
func majorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// refQualifiers adds to used the qualifiers of qualified refs (fmt of
// fmt.Errorf); a method ref's (pkg.(*T).M) is the name of the package
// declaring the type, the file's own or an import's.
func refQualifiers(used map[string]bool, refs []ref) {
	for _, r := range refs {
		if i := strings.IndexByte(r.name, '.'); i > 0 {
			used[r.name[:i]] = true
		}
	}
}

// ImportedFrom reports whether the package in directory dir of a project
// (slash-separated, relative to its root, "" for the root itself) can be
// the one import path names: dir is the path (the standard library, a
// GOPATH-style tree); or dir is a module's package and the path that
// module's path followed by dir — github.com/rqlite/rqlite/v8/command/proto
// for command/proto, and the module path itself for the root — when the
// path's first element has a dot, as every path outside the standard
// library has (so net/http is no package http at the root or in
// cmd/rqlite/http); or dir is the path under a vendor or src directory
// (vendor/golang.org/x/net/http2). A module nested in the project under
// another path than its directory's is not found.
//
// The code_name_edges and code_member_edges views
// (db/migrations/0020_code_import_paths.sql) apply the same rule in SQL.
func ImportedFrom(dir, path string) bool {
	if dir == path {
		return true
	}
	for _, root := range []string{"vendor/", "src/"} {
		if rest, ok := strings.CutSuffix(dir, root+path); ok && (rest == "" || strings.HasSuffix(rest, "/")) {
			return true
		}
	}
	first, _, _ := strings.Cut(path, "/")
	if !strings.Contains(first, ".") {
		return false
	}
	return dir == "" || strings.HasSuffix(path, "/"+dir)
}

// importSpecs yields the file's import specs with their paths, unquoted;
// specs whose path is not a string are left out.
func importSpecs(decls []goDecl) iter.Seq2[*ast.ImportSpec, string] {
	return func(yield func(*ast.ImportSpec, string) bool) {
		for _, d := range decls {
			gd, ok := d.d.(*ast.GenDecl)
			if !ok || gd.Tok != token.IMPORT {
				continue
			}
			for _, s := range gd.Specs {
				is, ok := s.(*ast.ImportSpec)
				if !ok || is.Path == nil {
					continue
				}
				path, err := strconv.Unquote(is.Path.Value)
				if err != nil || path == "" {
					continue
				}
				if !yield(is, path) {
					return
				}
			}
		}
	}
}
