package ctxbuild

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// KindPackage is the kind of a Go package target (a package's name, or
// its directory): its doc comment and package clause, then its exported
// API, file by file — in full when it fits, else in outline, as a large
// file is. Its Path is the package's files, DIR/*.go.
const KindPackage = "package"

// dirError is the cause of resolve's error for a target that is a
// directory of the project: Build takes the Go package it holds instead,
// for a task that only reads its target.
// An import path that names a package of the project (importPathDir)
// is one too, with the package's name (name; "" for a directory).
type dirError struct{ rel, name string }

func (e *dirError) Error() string { return e.rel + " is a directory" }

// pathDenotes reports whether dir, a directory inImportPath matched to
// target, is the package target names as a whole, not by its last
// element alone (which is the package's name, a target of its own): a
// path under the module's own (module, from go.mod) is the module's
// directory of the rest, exactly, as the go tool reads it; any other
// (a GOPATH-style tree, a vendored copy, a project without go.mod) must
// end with the directory's last two elements at least.
func pathDenotes(dir, target, module string) bool {
	if rest, ok := strings.CutPrefix(target, module+"/"); module != "" && ok {
		return dir == rest
	}
	elems := strings.Split(dir, "/")
	if len(elems) < 2 {
		return dir == target
	}
	return strings.HasSuffix("/"+target, "/"+strings.Join(elems[len(elems)-2:], "/"))
}

// importPathDir is the directory, relative to the root, of the Go package
// of the project that target names by its import path
// (example.com/gp/cluster/proto is cluster/proto), and the package's
// name; "" when target is no import path of one. The path is matched as
// a symbol qualified by it is (inImportPath): among the packages of its
// last element's name (the element before a major version: x/rand/v2 is
// rand, else a package named v2), those whose directory ends with the
// most of it, of those the one with the fewest other elements; at the
// root, through go.mod's module path. A path that several packages match
// as closely is refused, naming their directories.
func (b *Builder) importPathDir(ctx context.Context, proj db.CodeProject, target string) (dir, name string, _ error) {
	target = strings.TrimSuffix(target, "/")
	elems := strings.Split(target, "/")
	if len(elems) < 2 || slices.Contains(elems, "") || strings.ContainsAny(target, ":\\ ") {
		return "", "", nil
	}
	module := modulePath(proj.Root)
	if module != "" && target == module {
		return ".", "", nil // the root's package, whatever its name
	}
	last := elems[len(elems)-1]
	names := []string{last}
	if majorVersion(last) {
		names = []string{elems[len(elems)-2], last}
	}
	for _, pkg := range names {
		if !token.IsIdentifier(pkg) {
			continue
		}
		cs, err := b.named(ctx, proj.ID, pkg, maxImportPathNamed)
		if err != nil {
			return "", "", err
		}
		cs = slices.DeleteFunc(cs, func(c db.CodeChunk) bool {
			base, _ := chunk.PieceOf(c.Name)
			return c.Kind != chunk.KindHeader || c.Lang != "go" || c.Name != pkg && base != pkg
		})
		ownFirst(cs)
		packagesFirst(cs)
		var dirs []string
		for _, c := range inImportPath(cs, target, pkg, proj.Root) {
			if d := path.Dir(c.Path); !slices.Contains(dirs, d) && pathDenotes(d, target, module) {
				dirs = append(dirs, d)
			}
		}
		switch {
		case len(dirs) == 1:
			return dirs[0], pkg, nil
		case len(dirs) > 1:
			for i, d := range dirs {
				dirs[i] = sandbox.QuoteName(d)
			}
			return "", "", usererr.New("%s may be any of the packages in %s; give the directory of the one you mean",
				sandbox.QuoteName(target), strings.Join(dirs, ", "))
		}
	}
	return "", "", nil
}

// packageNamed reports the Go package a target names for a task that only
// reads it: dir, its directory relative to the root, and name, its name
// ("" to be read from its files). A target names one when it is a
// package's name — resolve found the header chunk of one of its files by
// that name (tc), not by its path — or a directory of the project (err
// is resolve's dirError).
func packageNamed(root string, req Request, tc db.CodeChunk, err error) (dir, name string, ok bool) {
	if !reads(req.Task) {
		return "", "", false
	}
	if de := (*dirError)(nil); errors.As(err, &de) {
		return de.rel, de.name, true
	}
	return packageByName(root, req.Target, tc, err)
}

// packageByName reports the Go package target names by its name: resolve
// found the header chunk of one of its files (tc) by that name, not by
// its path (a PATH:LINE on a package clause is the file's header).
func packageByName(root, target string, tc db.CodeChunk, err error) (dir, name string, ok bool) {
	if err != nil || tc.Kind != chunk.KindHeader || tc.Lang != "go" || pathTarget(root, target) {
		return "", "", false
	}
	return path.Dir(tc.Path), tc.Name, true
}

// packageRefused is the error for a Go package named by its name (tc,
// resolve's result, and rerr its error) as the target of a task that
// changes its target (refactor, gen tests): a change is made to one
// file's code, and tests are checked against mutants of one unit, so a
// package is refused — not taken as its first file's package clause,
// which has nothing to test — naming its files and its exported
// functions to take instead. Nil when the target names no package.
func (b *Builder) packageRefused(ctx context.Context, proj db.CodeProject, target string, tc db.CodeChunk, rerr error, files *fileCache) error {
	dir, name, ok := packageByName(proj.Root, target, tc, rerr)
	if !ok {
		return nil
	}
	var like []string
	if pkg, found, err := b.goPackage(ctx, proj, dir, name, files); err == nil && found {
		seen := map[string]bool{}
		var funcs []string
		for _, c := range pkg.from {
			if !seen[c.Path] {
				seen[c.Path] = true
				like = append(like, sandbox.QuoteName(showPath(proj.Root, c.Path)))
			}
			if c.Kind == chunk.KindFunction || c.Kind == chunk.KindMethod {
				funcs = append(funcs, sandbox.QuoteName(c.Name))
			}
		}
		like = append(like[:min(len(like), 3)], funcs[:min(len(funcs), 3)]...)
	}
	if len(like) == 0 {
		like = []string{sandbox.QuoteName(showPath(proj.Root, tc.Path))}
	}
	return usererr.Usage("%s is the Go package in %s/, and a change or tests are made to one file or function of it: give one, such as %s",
		sandbox.QuoteName(target), dir, strings.Join(like, ", "))
}

// pathTarget reports whether target is a PATH or PATH:LINE, as resolve
// takes it, rather than a symbol.
func pathTarget(root, target string) bool {
	p, _, hasLine := cutLine(target)
	if _, ok := targetFile(root, p); ok && hasLine {
		return true
	}
	_, ok := targetFile(root, target)
	return ok
}

// pkgTarget is a Go package target: its item, and the index's chunks it
// shows (from, whose neighbours are looked up; own, carried already).
type pkgTarget struct {
	item    *Item
	from    []db.CodeChunk
	own     map[int64]bool
	ownHash map[string]bool
}

// goPackage builds the target of the Go package named name ("" takes
// the package of its first file) in dir: the package clause with its doc
// comment (doc.go's, else the file named as the package's, else the first
// file's that has one), then each file's exported units (a method counts
// when its receiver's type is exported too), each file's run headed by a
// comment naming it. Tests, unexported code, files of another package
// (a generator's main) and files the go tool ignores (//go:build ignore:
// goIgnoredSrc) are left out. ok is false when dir holds no Go
// file the index has.
func (b *Builder) goPackage(ctx context.Context, proj db.CodeProject, dir, name string, files *fileCache) (_ *pkgTarget, ok bool, _ error) {
	ents, err := os.ReadDir(filepath.Join(proj.Root, filepath.FromSlash(dir)))
	if err != nil {
		return nil, false, nil
	}
	t := &pkgTarget{own: map[int64]bool{}, ownHash: map[string]bool{}}
	type file struct {
		path  string
		src   []byte
		units []unit
		doc   string // the package clause and its doc comment, if it has one
	}
	var fs []file
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		p := path.Join(dir, n)
		indexed, err := b.cfg.Store.CodeChunks(ctx, proj.ID, p)
		if err != nil {
			return nil, false, err
		}
		if len(indexed) == 0 {
			continue
		}
		src, err := files.read(p)
		if err != nil {
			return nil, false, err
		}
		if goIgnoredSrc(src) {
			continue // a generator's (//go:build ignore): no file of the package
		}
		if _, err := files.unchanged(p, src, indexed, -1); err != nil {
			return nil, false, err
		}
		all := files.units(p, 0, len(src), indexed)
		i := slices.IndexFunc(all, func(u unit) bool { return u.kind == chunk.KindHeader })
		if i < 0 || name != "" && all[i].name != name {
			continue // no package clause, or another package's
		}
		name = all[i].name
		f := file{path: p, src: src, doc: packageDoc(src)}
		exported := map[string]bool{}
		for _, u := range all {
			if u.kind != chunk.KindHeader && exportedUnit(u.name, u.private) {
				u.path = p
				f.units = append(f.units, u)
				exported[u.name] = true
			}
		}
		for _, c := range indexed {
			base := unitName(c.Name)
			if c.Kind == chunk.KindHeader || exported[base] {
				t.own[c.ID], t.ownHash[c.Hash] = true, true
			}
			if exported[base] && !container(c.Kind) {
				t.from = append(t.from, c)
			}
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 {
		return nil, false, nil
	}
	lead := "package " + name
	for _, want := range []func(file) bool{
		func(f file) bool { return path.Base(f.path) == "doc.go" },
		func(f file) bool { return path.Base(f.path) == name+".go" },
		func(file) bool { return true },
	} {
		if i := slices.IndexFunc(fs, func(f file) bool { return f.doc != "" && want(f) }); i >= 0 {
			lead = fs[i].doc
			break
		}
	}
	var sb strings.Builder
	sb.WriteString(lead + "\n")
	var units []unit
	for _, f := range fs {
		if len(f.units) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "\n// %s\n", f.path)
		for _, u := range f.units {
			sb.WriteString("\n")
			start := lineStart(f.src, u.start)
			at := sb.Len()
			sb.Write(f.src[start:u.end])
			u.start, u.end = at, sb.Len()
			units = append(units, u)
			sb.WriteString("\n")
		}
	}
	full := sb.String()
	t.item = &Item{Role: RoleTarget, Path: path.Join(dir, "*.go"), Name: name, Kind: KindPackage, full: full, end: len(full),
		units: units, keepGaps: true}
	t.item.unitRanks = func() (map[string]float64, error) {
		names := make([]string, len(units))
		for i, u := range units {
			names[i] = u.name
		}
		return b.cfg.Store.CodeRanks(ctx, proj.ID, names)
	}
	return t, true, nil
}

// packageDoc is a Go file's package clause with the doc comment above it
// ("" when it has none): the package's doc, which go doc shows.
func packageDoc(src []byte) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil || f.Doc == nil {
		return ""
	}
	from, to := fset.Position(f.Doc.Pos()).Offset, fset.Position(f.Name.End()).Offset
	if from < 0 || to > len(src) || from >= to {
		return ""
	}
	return string(src[from:to])
}

// exportedUnit reports whether a Go unit's name is part of its package's
// API: its own name exported, and a method's receiver type too
// (pkg.(*T).M, pkg.T.M). A const or var group counts when any of its
// names is exported (the chunker's private is false then).
func exportedUnit(name string, private bool) bool {
	if private {
		return false
	}
	_, rest, ok := strings.Cut(name, ".")
	if !ok {
		return true
	}
	rest = strings.NewReplacer("(*", "", "(", "", ")", "").Replace(rest)
	if recv, _, ok := strings.Cut(rest, "."); ok && !strings.HasPrefix(rest, "{") {
		return ast.IsExported(recv)
	}
	return true
}

// otherPackages lists the other packages of the project named name
// besides the one in dir ("NAME (DIR)"), by the directories their files'
// headers are in, and says how to take one: by its directory.
func (b *Builder) otherPackages(ctx context.Context, proj db.CodeProject, dir, name string) (list []string, hint string, more int, _ error) {
	cs, err := b.named(ctx, proj.ID, name, maxPackageFiles)
	if err != nil {
		return nil, "", 0, err
	}
	ownFirst(cs)
	packagesFirst(cs)
	var dirs []string
	for _, c := range cs {
		if d := path.Dir(c.Path); c.Kind == chunk.KindHeader && c.Lang == "go" && d != dir && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil, "", 0, nil
	}
	more = max(0, len(dirs)-maxAlso)
	dirs = dirs[:len(dirs)-more]
	for i, d := range dirs {
		dirs[i] = sandbox.QuoteName(d)
		list = append(list, fmt.Sprintf("%s (%s)", sandbox.QuoteName(name), dirs[i]))
	}
	switch n := len(dirs); {
	case n > 1:
		hint = "give " + strings.Join(dirs[:n-1], ", ") + " or " + dirs[n-1] + " to take one"
	default:
		hint = "give " + dirs[0] + " to take it"
	}
	if more > 0 {
		hint += fmt.Sprintf("; %d more not listed (its directory takes one of them)", more)
	}
	return list, hint, more, nil
}

// maxPackageFiles bounds the lookup of a package's name for the other
// packages of that name: its files' headers, each package's as many as
// it has files.
const maxPackageFiles = 256

// packageTarget is the Go package target resolve's result names (tc, or
// rerr, its error) for req, or nil when it names none: then rerr is
// returned as it is. A package named by its name lists the other packages
// of that name in out (Also); one named by its directory is recorded by
// that directory, relative to the root (TargetRef).
func (b *Builder) packageTarget(ctx context.Context, proj db.CodeProject, req Request, tc db.CodeChunk, rerr error, files *fileCache, out *Context) (*pkgTarget, error) {
	dir, name, ok := packageNamed(proj.Root, req, tc, rerr)
	if !ok && !reads(req.Task) {
		if err := b.packageRefused(ctx, proj, req.Target, tc, rerr, files); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, rerr
	}
	pkg, found, err := b.goPackage(ctx, proj, dir, name, files)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, rerr // a directory of no Go package: as resolve says
	case rerr != nil:
		out.TargetRef = dir
		return pkg, nil
	}
	out.Also, out.AlsoHint, out.AlsoMore, err = b.otherPackages(ctx, proj, dir, pkg.item.Name)
	return pkg, err
}
