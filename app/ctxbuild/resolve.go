package ctxbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// KindFile is the kind of the chunk a PATH target resolves to: the whole
// file, not one of its units.
const KindFile = "file"

// Resolve finds the chunk a target names in the index of the project at
// root (see Build): for PATH, the whole file as a chunk of kind KindFile.
// It is for the tasks that change their target (refactor, gen tests): a
// Go package named by its name is refused (packageRefused), as its
// directory is.
// A target that names nothing is a *usererr.Error offering the index's
// similar names.
func (b *Builder) Resolve(ctx context.Context, root, target string) (db.CodeChunk, error) {
	proj, ok, err := b.cfg.Store.FindCodeProject(ctx, root)
	if err != nil {
		return db.CodeChunk{}, err
	}
	if !ok {
		return db.CodeChunk{}, usererr.New("%s has no code index yet; run aiex index there first", root)
	}
	files := newFileCache(root, b.cfg.Chunk, b.cfg.Private)
	c, _, _, err := b.resolve(ctx, proj, target, files)
	if perr := b.packageRefused(ctx, proj, target, c, err, files); perr != nil {
		return db.CodeChunk{}, perr
	}
	return c, err
}

// resolve finds the target's chunk: PATH:LINE (the innermost unit holding
// the line, as the file is now), PATH (the whole file, of kind KindFile),
// or a symbol name, exact or by its last parts.
//
// also lists the other chunks a symbol named, when it named several (a
// bare Run of three packages, main.main of two commands): the first is
// taken, and the caller says which, and what else the name meant; of
// more than are looked up, unlisted counts the units also leaves out.
// The first is the project's own code where the name names any (see
// ownFirst).
func (b *Builder) resolve(ctx context.Context, proj db.CodeProject, target string, files *fileCache) (_ db.CodeChunk, also []db.CodeChunk, unlisted int, _ error) {
	st := b.cfg.Store
	if files.indexed == nil {
		files.indexed = func(rel string) bool {
			_, had, err := st.CodeFile(ctx, proj.ID, rel)
			return had || err != nil // unknown: not offered as new
		}
	}
	rangeEnd := 0 // END of a PATH:START-END, which takes the unit at START
	if p, text, ok := cutLine(target); ok {
		if start, end, isRange := strings.Cut(text, "-"); isRange && isDigits(start) && isDigits(end) {
			if _, isFile := targetFile(proj.Root, p); isFile {
				rangeEnd, _ = strconv.Atoi(end)
			}
		}
	}
	target = withoutColumn(proj.Root, target)
	path, lineText, hasLine := cutLine(target)
	rel, ok := targetFile(proj.Root, path)
	if !ok && hasLine {
		if d, isDir := targetDir(proj.Root, path); isDir && isDigits(lineText) {
			return db.CodeChunk{}, nil, 0, usererr.Usage("%s is a directory, and a line is a file's: give PATH:LINE of a file in it", d)
		}
		// Not a file's line: a symbol with a colon (Elixir's Kernel.::/2),
		// a file with one in its name, or nothing.
		hasLine = false
		rel, ok = targetFile(proj.Root, target)
	}
	if ok {
		if err := files.privateErr(rel, filepath.Join(proj.Root, filepath.FromSlash(rel))); err != nil {
			return db.CodeChunk{}, nil, 0, err
		}
		line := 0
		if hasLine {
			n, err := strconv.Atoi(lineText)
			if err != nil || n < 1 {
				return db.CodeChunk{}, nil, 0, usererr.Usage("%q is not a line number of %s; lines are numbered from 1 (PATH:LINE)", lineText, rel)
			}
			line = n
		}
		cs, err := st.CodeChunks(ctx, proj.ID, rel)
		if err != nil {
			return db.CodeChunk{}, nil, 0, err
		}
		f, had, err := b.cfg.Store.CodeFile(ctx, proj.ID, rel)
		if err != nil {
			return db.CodeChunk{}, nil, 0, err
		}
		if len(cs) == 0 {
			if c, ok := files.plainFile(rel, f, had); ok {
				return c, nil, 0, nil
			}
			whole, ok := files.newWithUnits(rel, had)
			if !ok {
				return db.CodeChunk{}, nil, 0, noUnits(rel, f, had, files)
			}
			// New since the index was made: its units as they are now,
			// as a file edited since is read (Context.Stale lists it).
			if line == 0 {
				return whole, nil, 0, nil
			}
		}
		size := int64(-1)
		if had {
			size = f.Size
		}
		if line == 0 {
			c, err := files.wholeFile(rel, cs, size)
			return c, nil, 0, err
		}
		c, err := files.chunkAtLine(rel, cs, line, size)
		if err == nil && rangeEnd > 0 {
			c, err = files.inRange(rel, cs, c, line, rangeEnd)
		}
		return c, nil, 0, err
	}
	// A path out of the project is none of its files, nor a name; nor is
	// a link of the project that leads out of it.
	if p, ok := outsidePath(proj.Root, true, path, target); ok {
		return db.CodeChunk{}, nil, 0, outside(p, proj.Root)
	}
	if l, dest, ok := linkOut(proj.Root, path, target); ok {
		return db.CodeChunk{}, nil, 0, usererr.New("%s is a symlink to %s, outside the project: aiex reads only the project's files, and aiex index does not follow it either", l, dest)
	}
	// A path of a file the index has, deleted since: say so rather than
	// that nothing has that name.
	for _, rel := range targetPaths(proj.Root, path, target) {
		if chunk.Lang(rel) == "" {
			continue
		}
		if _, err := os.Lstat(filepath.Join(proj.Root, filepath.FromSlash(rel))); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if _, had, err := b.cfg.Store.CodeFile(ctx, proj.ID, rel); err != nil {
			return db.CodeChunk{}, nil, 0, err
		} else if had {
			return db.CodeChunk{}, nil, 0, deleted(proj.Root, rel, files.indexed)
		}
	}
	// A Go name as typed, with a generic receiver's type parameters or an
	// import path, is looked for as the index names it; the path then
	// says which package of that name is meant.
	name, importPath := goName(target)
	limit := maxAlso + 1
	if importPath != "" {
		limit = maxImportPathNamed
	}
	looked := name
	cs, err := b.named(ctx, proj.ID, name, limit)
	if v := versionedName(name, importPath); err == nil && len(cs) == 0 && v != "" {
		// Not rand.IntN of math/rand/v2: a package named v2.
		looked = v
		cs, err = b.named(ctx, proj.ID, v, limit)
	}
	if err == nil && len(cs) == 0 && name != target {
		importPath, limit, looked = "", maxAlso+1, target
		cs, err = b.named(ctx, proj.ID, target, limit)
	}
	if err != nil {
		return db.CodeChunk{}, nil, 0, err
	}
	ownFirst(cs)
	packagesFirst(cs)
	if importPath != "" {
		named := cs
		pkg, _, _ := strings.Cut(looked, ".")
		if cs = inImportPath(cs, importPath, pkg, proj.Root); len(cs) == 0 && len(named) > 0 {
			return db.CodeChunk{}, nil, 0, notInPath(target, looked, importPath, named)
		}
	}
	if len(cs) == 0 {
		// Not a symbol: a directory of the project says so rather than
		// offer names like it.
		for _, rel := range targetPaths(proj.Root, target) {
			if fi, err := os.Stat(filepath.Join(proj.Root, filepath.FromSlash(rel))); rel != "" && err == nil && fi.IsDir() {
				return db.CodeChunk{}, nil, 0, &usererr.Error{Msg: fmt.Sprintf("%s is a directory; give a file in it, PATH:LINE or a symbol", rel),
					Err: &dirError{rel: rel}}
			}
		}
		// A Go import path of a package of the project is that
		// package, as its directory is.
		if dir, pkg, err := b.importPathDir(ctx, proj, target); err != nil {
			return db.CodeChunk{}, nil, 0, err
		} else if dir != "" {
			return db.CodeChunk{}, nil, 0, &usererr.Error{Msg: fmt.Sprintf("%s is the Go package in %s; give a file in it, PATH:LINE or a symbol",
				sandbox.QuoteName(target), sandbox.QuoteName(dir)), Err: &dirError{rel: dir, name: pkg}}
		}
		if p, ok := outsidePath(proj.Root, false, path, target); ok {
			return db.CodeChunk{}, nil, 0, outside(p, proj.Root)
		}
		return db.CodeChunk{}, nil, 0, b.notFound(ctx, proj, files, target, "no file or symbol")
	}
	also = otherUnits(cs)
	if importPath == "" && len(cs) == limit {
		// The lookup stopped at limit: count what it left out.
		n, err := namedCount(ctx, st, proj.ID, looked, cs)
		if err != nil {
			return db.CodeChunk{}, nil, 0, err
		}
		unlisted = max(0, n-1-len(also))
	}
	return cs[0], also, unlisted, nil
}

// named is search.Named, and for a Go method named with a pointer
// receiver that names none, the method of the value receiver: a call
// (t.Format()) reads the same for both, so a user may type
// time.(*Time).Format for time.Time.Format, as go doc's T.M names both.
// A method no unit is named after may be a Go interface's: that
// interface (io.Reader.Read is io.Reader; ifaceMethodNamed).
func (b *Builder) named(ctx context.Context, project int64, name string, limit int) ([]db.CodeChunk, error) {
	cs, err := search.Named(ctx, b.cfg.Store, project, name, limit)
	if v := valueMethod(name); err == nil && len(cs) == 0 && v != "" {
		cs, err = search.Named(ctx, b.cfg.Store, project, v, limit)
	}
	if err == nil && len(cs) == 0 {
		// A method of a Go interface is the interface's (iface.go).
		return ifaceMethodNamed(ctx, b.cfg.Store, project, name, limit)
	}
	return cs, err
}

// valueMethod is the name of a Go method with a value receiver that sym
// names with a pointer one: time.Time.Format for time.(*Time).Format,
// T.M for (*T).M. It is "" when sym has no pointer receiver.
func valueMethod(sym string) string {
	i := strings.Index(sym, "(*")
	if i < 0 || i > 0 && sym[i-1] != '.' {
		return ""
	}
	end := strings.Index(sym[i:], ").")
	if end < 0 || !token.IsIdentifier(sym[i+2:i+end]) {
		return ""
	}
	return sym[:i] + sym[i+2:i+end] + sym[i+end+1:]
}

// notInPath is the error for a name qualified by an import path whose
// package none of the units of that name (named, in the order they are
// taken) is in: it says which directories have them.
func notInPath(target, name, importPath string, named []db.CodeChunk) error {
	var dirs []string
	for _, c := range named {
		if d := path.Dir(c.Path); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	more := ""
	if len(dirs) > maxAlso {
		more = fmt.Sprintf(" and %d more", len(dirs)-maxAlso)
		dirs = dirs[:maxAlso]
	}
	for i, d := range dirs {
		dirs[i] = sandbox.QuoteName(d)
	}
	return usererr.New("no package at %s has %s (%q); %s is in %s%s: give the directory of one of them before its name",
		sandbox.QuoteName(importPath), sandbox.QuoteName(name), target, sandbox.QuoteName(name), strings.Join(dirs, ", "), more)
}

// outsidePath reports a path given as a target (of the paths ps, as
// typed: PATH of PATH:LINE and the whole target) that lies outside the
// project at root: plainly a path (absolute, or starting with ./ or ../)
// that leads out, or a file there. With exists, only one that exists is
// reported: a name that looks like a path (Elixir's // operator) is
// looked up first. A path of the project is not outside, though its file
// is a symlink leading out (fileCache.read says so).
func outsidePath(root string, exists bool, ps ...string) (string, bool) {
	for _, p := range ps {
		if p == "" {
			continue
		}
		if _, in := projectPath(root, p); in {
			continue
		}
		explicit := filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "./") ||
			strings.HasPrefix(p, ".."+string(filepath.Separator))
		fi, err := os.Stat(p)
		switch {
		case explicit && (!exists || err == nil):
			return p, true
		case err == nil && !fi.IsDir():
			return p, true
		}
	}
	return "", false
}

// outside is the error for a target out of the project at root.
func outside(p, root string) error {
	return &usererr.Error{Msg: fmt.Sprintf("%s is outside the project at %s; give a file of it, PATH:LINE or a symbol, or run aiex from inside the project you mean", p, root),
		Code: usererr.ExitUsage, Err: ErrOutside}
}

// noUnits is the error for a file target with no chunks in the index
// that plainFile did not take whole, naming what would help.
func noUnits(rel string, f db.CodeFile, had bool, files *fileCache) error {
	if !had {
		if why := index.Ignored(files.real, rel); why != "" {
			return usererr.New("%s is not in the index: %s (aiex index leaves out what git ignores)", rel, why)
		}
		if !index.Takes(rel) {
			// Not a kind the index chunks, and not text to take whole.
			return usererr.New("%s has no code to show: %s", rel, notPlain(filepath.Join(files.root, filepath.FromSlash(rel))))
		}
		return usererr.New("%s has no chunks in the index; run aiex index, or check that its language is indexed", rel)
	}
	if f.Skipped != "" {
		return usererr.New("%s is not in the index: aiex index skipped it (%s)", rel, f.Skipped)
	}
	src, err := files.read(rel)
	if err != nil {
		return err
	}
	switch {
	case int64(len(src)) != f.Size:
		return usererr.New("%s changed since it was indexed; run aiex index", rel)
	case strings.TrimSpace(string(src)) == "":
		return usererr.New("%s is empty: there is no code to show", rel)
	}
	return usererr.New("%s has no code to show: the index found no definitions in it", rel)
}

// cutLine splits PATH:LINE at its last colon, whatever follows it: the
// caller tells a bad line number of a file from a symbol with a colon.
func cutLine(target string) (path, line string, ok bool) {
	i := strings.LastIndexByte(target, ':')
	if i <= 0 {
		return target, "", false
	}
	return target[:i], target[i+1:], true
}

// withoutColumn is target without the column of a PATH:LINE:COL, as
// compilers and vet print a place (calc.go:12:5): the line's unit is
// meant; and a PATH:START-END, as aiex itself prints a unit's lines
// (search, context), is PATH:START. Only a PATH that is a file of the
// project loses them; anything else is left as typed.
func withoutColumn(root, target string) string {
	rest, col, ok := cutLine(target)
	if start, end, isRange := strings.Cut(col, "-"); ok && isRange && isDigits(start) && isDigits(end) {
		if _, isFile := targetFile(root, rest); isFile {
			return rest + ":" + start
		}
		return target
	}
	if !ok || !isDigits(col) {
		return target
	}
	p, line, ok := cutLine(rest)
	if !ok || !isDigits(line) {
		return target
	}
	if _, isFile := targetFile(root, p); !isFile {
		return target
	}
	return rest
}

// splitTarget splits PATH:LINE; line is 0 when target has no line.
func splitTarget(target string) (path string, line int) {
	if i := strings.LastIndexByte(target, ':'); i > 0 {
		if n, err := strconv.Atoi(target[i+1:]); err == nil && n > 0 {
			return target[:i], n
		}
	}
	return target, 0
}

// notFound is the error for a target that names nothing: with the names
// and paths of the index that look like it, if any. Paths are offered as
// the user would type them — relative to the current directory when it
// is in the project — and only those of files that still exist; what was
// typed is never offered back.
func (b *Builder) notFound(ctx context.Context, proj db.CodeProject, fc *fileCache, target, what string) error {
	if rel, isNew := b.unindexedDefinition(ctx, proj, fc, target); rel != "" {
		since := "changed"
		if isNew {
			since = "new"
		}
		return usererr.New("%s %q in the index of %s; %s has it, %s since the index was made: run aiex index first", what, target, proj.Root, rel, since)
	}
	names, paths, err := b.cfg.Store.CodeNames(ctx, proj.ID)
	if err != nil {
		return err
	}
	// PATH:LINE looks for PATH, and offers paths with the line.
	typedPath, line := splitTarget(target)
	at := ""
	if line > 0 {
		at = ":" + strconv.Itoa(line)
	}
	query := typedPath
	if rel, err := filepath.Rel(proj.Root, typedPath); err == nil && filepath.IsAbs(typedPath) && !strings.HasPrefix(rel, "..") {
		query = filepath.ToSlash(rel) // a path of the project, as the index names it
	}
	typed, _ := projectPath(proj.Root, typedPath) // target as a path of the project, if it can be one
	// Symbols are compared in the form the index names them: a Go name
	// typed with an import path (net/http.(*Server).Serv) or a generic
	// receiver's type parameters, without them.
	symQuery, _ := goName(query)
	cwd := workDir(proj.Root)
	shown := map[string]string{} // a candidate path → as the user would type it
	var symbols, files []string
	for _, n := range names {
		if n != target {
			symbols = append(symbols, n)
		}
	}
	// An Elixir arity's slash (Accounts.nope/1) makes no path.
	pathLike := strings.Contains(withoutArity(query), "/") && !importPathLike(query)
	fileName := false // ends in the extension of a file of the project
	for _, p := range paths {
		if p == typed || p == query {
			continue
		}
		abs := filepath.Join(proj.Root, filepath.FromSlash(p))
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			continue // deleted (or replaced) since it was indexed
		}
		show := p
		if cwd != "" {
			if r, err := filepath.Rel(cwd, abs); err == nil {
				show = filepath.ToSlash(r)
			}
		}
		if show == typedPath {
			continue
		}
		show += at
		// Paths are compared as paths, by their file names: a leading
		// slash keeps Suggest from reading "main.go" as a symbol "go".
		shown["/"+p] = show
		files = append(files, "/"+p)
		fileName = fileName || extLike(path.Ext(query), path.Ext(p))
	}
	pathLike = pathLike || fileName
	bySymbol, byPath := suggest(symQuery, symbols, !pathLike), Suggest("/"+strings.TrimPrefix(query, "/"), files)
	for i, l := range byPath {
		byPath[i] = shown[l]
	}
	like := append(bySymbol, byPath...)
	switch {
	case fileName:
		// A file's name: its extension is no symbol's name (meta.go
		// is not InnerForNextTest.G).
		like = byPath
	case pathLike:
		like = append(byPath, bySymbol...)
	}
	like = like[:min(len(like), maxSuggestions)]
	// A target that names nothing is the command line's mistake (exit
	// 2), as a path where nothing is is.
	if len(like) > 0 {
		return usererr.Usage("%s %q in the index of %s; did you mean %s?", what, target, proj.Root, strings.Join(like, ", "))
	}
	return usererr.Usage("%s %q in the index of %s; give PATH, PATH:LINE or a name such as MyApp.Accounts.get_user/1 or 'http.(*Server).Serve'", what, target, proj.Root)
}

// maxAlso is how many other chunks a name that names several is listed
// with.
const maxAlso = 5

// maxImportPathNamed is how many chunks a symbol qualified by an import
// path is looked up with, before those of the path's package are kept:
// enough that the package meant is among them when several packages
// share its name.
const maxImportPathNamed = 64

// projectPath is p, a path given on the command line (relative to the
// current directory, or absolute), as a slash-separated path of the
// project at root, whether or not the file exists; ok is false when p is
// outside the project.
func projectPath(root, p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs)) // root has its symlinks resolved
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// workDir is the current directory if it is inside the project at root
// (with symlinks resolved, as root is), else "".
func workDir(root string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(cwd); err == nil {
		cwd = r
	}
	if rel, err := filepath.Rel(root, cwd); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	return cwd
}

// whole returns the unit that c is a piece of, when the chunker split a
// unit too large for one chunk (its pieces are named NAME#1, NAME#2, …):
// a target is never cut, so it spans all of them. The result keeps the
// first piece's id (the symbol graph's edges start and end there); its
// text is checked against the index piece by piece.
func (b *Builder) whole(ctx context.Context, proj db.CodeProject, c db.CodeChunk) (db.CodeChunk, []db.CodeChunk, error) {
	base, ok := chunk.PieceOf(c.Name)
	if !ok || (c.Lang != "go" && c.Lang != "elixir") {
		return c, nil, nil
	}
	pieces, err := b.cfg.Store.CodeUnitPieces(ctx, proj.ID, c.Path, base)
	if err != nil || len(pieces) < 2 {
		return c, nil, err
	}
	w := pieces[0]
	w.Name, w.Hash = base, ""
	last := pieces[len(pieces)-1]
	w.EndByte, w.EndLine = last.EndByte, last.EndLine
	return w, pieces, nil
}

// targetFile is p, a path given as a target, as the slash-separated path
// of a file of the project at root: p relative to the current directory
// (or absolute), else, when there is no such file, p relative to the
// project's root, the form aiex prints paths in (search, context's table,
// the units a name also named), so that a path copied from its output
// names its file from any directory of the project. When both are files
// of the project, the current directory's is taken: it is the one the
// shell completes and every other command reads. ok is false when neither
// is a file of the project.
func targetFile(root, p string) (string, bool) {
	if rel, ok := relPath(root, p); ok {
		return rel, true
	}
	if p == "" || filepath.IsAbs(p) {
		return "", false
	}
	return relPath(root, filepath.Join(root, p))
}

// targetDir is p as targetFile reads it, when that is a directory of the
// project: its path as typed, and true.
func targetDir(root, p string) (string, bool) {
	for _, abs := range []string{p, filepath.Join(root, p)} {
		if filepath.IsAbs(p) && abs != p {
			break
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			if a, err := filepath.Abs(abs); err == nil && within.Root(root, a) {
				return p, true
			}
		}
	}
	return "", false
}

// targetPaths are the paths of the project that ps, paths given as a
// target, may mean, whether or not the files exist: each relative to the
// current directory, then to the project's root (see targetFile); those
// outside the project are left out.
func targetPaths(root string, ps ...string) []string {
	var out []string
	for _, p := range ps {
		if rel, ok := projectPath(root, p); ok && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
		if p == "" || filepath.IsAbs(p) {
			continue
		}
		if rel := filepath.ToSlash(filepath.Clean(p)); rel != ".." && !strings.HasPrefix(rel, "../") && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
	}
	return out
}

// relPath turns a path given on the command line (relative to the current
// directory, or absolute) into the project's slash-separated form, if the
// file exists inside the project.
func relPath(root, p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	fi, err := os.Stat(abs)
	if err != nil || fi.IsDir() {
		return "", false
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// linkOut reports the first of ps, paths as typed (relative to the current
// directory, else to the project at root), that is a symbolic link of the
// project to a file or directory outside it, and where it leads.
func linkOut(root string, ps ...string) (link, dest string, ok bool) {
	for _, p := range ps {
		if p == "" {
			continue
		}
		cands := []string{p}
		if !filepath.IsAbs(p) {
			cands = append(cands, filepath.Join(root, p))
		}
		for _, c := range cands {
			abs, err := filepath.Abs(c)
			if err != nil {
				continue
			}
			if fi, err := os.Lstat(abs); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				continue
			}
			if _, in := projectPath(root, abs); !in {
				continue
			}
			d, err := filepath.EvalSymlinks(abs)
			if err != nil || within.Root(root, d) {
				continue
			}
			return p, d, true
		}
	}
	return "", "", false
}

// notPlain says why the file at abs, of a kind the index does not chunk,
// is not taken whole as text (plainFile): what a user can tell of it.
func notPlain(abs string) string {
	fi, err := os.Stat(abs)
	switch {
	case err != nil:
		return "it cannot be read (" + cause(err) + ")"
	case !fi.Mode().IsRegular():
		return "it is not a regular file"
	case fi.Size() > maxPlainFile:
		return fmt.Sprintf("it is larger than %d MiB", maxPlainFile>>20)
	}
	src, err := os.ReadFile(abs)
	switch {
	case err != nil:
		return "it cannot be read (" + cause(err) + ")"
	case strings.TrimSpace(string(src)) == "":
		return "it is empty"
	case bytes.IndexByte(src, 0) >= 0:
		return "it is binary (it holds NUL bytes), not text"
	case !utf8.Valid(src):
		return "it is not UTF-8 text"
	}
	return "it is not text"
}

// cause is err without the path a *fs.PathError repeats.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
