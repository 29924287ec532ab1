package workflow

import (
	"context"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// goPackages is a Go module's package graph as the changes leave it:
// each package's directory (as "./rel", the form goChecks builds) and
// the directories of the module's packages that import it.
type goPackages struct {
	dirs   map[string]bool     // ./rel of every package
	users  map[string][]string // import path → ./rel of its importers
	paths  map[string]string   // ./rel → import path
	module string              // the module's path
}

// listPackages lists the module at modRoot through the overlay ov
// (`go list -e ./...`); false, with what go list said, when it fails
// (scanPackages is then the caller's second way).
func listPackages(ctx context.Context, o ValidateOptions, modRoot, ov string) (*goPackages, bool, string) {
	var out lockedBuffer
	code, err := o.Runner.Run(ctx, Command{Dir: modRoot, Name: "go", Output: &out,
		Args: []string{"list", "-e", "-buildvcs=false", "-overlay=" + ov, "-f", "{{.Dir}}\t{{.ImportPath}}\t{{join .Imports \" \"}}", "./..."}})
	switch {
	case err != nil:
		return nil, false, "go list: " + err.Error()
	case code != 0:
		return nil, false, "go list -e ./... failed: " + listError(out.String())
	}
	g := &goPackages{dirs: map[string]bool{}, users: map[string][]string{}, paths: map[string]string{}}
	for line := range strings.Lines(out.String()) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) != 3 || !filepath.IsAbs(f[0]) {
			continue // a warning, not a package
		}
		rel, err := filepath.Rel(modRoot, f[0])
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		dir := "./" + filepath.ToSlash(rel)
		g.dirs[dir], g.paths[dir] = true, f[1]
		if g.module == "" {
			g.module = strings.TrimSuffix(f[1], pathSuffix(dir))
		}
		for imp := range strings.FieldsSeq(f[2]) {
			g.users[imp] = append(g.users[imp], dir)
		}
	}
	if len(g.dirs) == 0 {
		return nil, false, "go list -e ./... listed no package"
	}
	return g, true, ""
}

// listError is the line of go list's output that says why it failed: its
// last that is not a package's or a progress line.
func listError(out string) string {
	why := "exit status 1"
	for l := range strings.Lines(out) {
		l = strings.TrimSpace(l)
		if l != "" && !goProgress(l) && !strings.Contains(l, "\t") {
			why = l
		}
	}
	return why
}

// has reports whether the package in dir (./rel) exists.
func (g *goPackages) has(dir string) bool { return g.dirs[dir] }

// importPath is the import path of the package in dir, listed or not
// (a package the changes empty is not listed, but was imported by it).
func (g *goPackages) importPath(dir string) string {
	if p, ok := g.paths[dir]; ok {
		return p
	}
	return g.module + pathSuffix(dir)
}

// pathSuffix is what the package in dir (./rel, or ./. for the module's
// root) adds to the module path: "/rel", or nothing.
func pathSuffix(dir string) string {
	rel := strings.TrimPrefix(dir, "./")
	if rel == "." {
		return ""
	}
	return "/" + rel
}

// importers lists the packages that import those in dirs, directly or
// through others, leaving out dirs themselves.
func (g *goPackages) importers(dirs []string) []string {
	seen := map[string]bool{}
	for _, d := range dirs {
		seen[d] = true
	}
	var out []string
	queue := slices.Clone(dirs)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		for _, imp := range g.users[g.importPath(d)] {
			if !seen[imp] {
				seen[imp] = true
				out = append(out, imp)
				queue = append(queue, imp)
			}
		}
	}
	slices.Sort(out)
	return out
}

// adds reports whether the overlay gives the package in dir (./rel
// beneath modRoot) a Go file, new or changed: the package is there after
// the changes even if go list did not see it (a package they create, or
// one outside the module's ./... such as a nested module's).
func adds(modRoot, dir string, overlay map[string]string) bool {
	abs := filepath.Join(modRoot, filepath.FromSlash(dir))
	for f, to := range overlay {
		if to != "" && filepath.Dir(f) == abs && strings.HasSuffix(f, ".go") {
			return true
		}
	}
	return false
}

// scanPackages is the module at modRoot's package graph as its files tell
// it, with the overlay's changes (file → its replacement, "" for a
// deleted one): go/build reads each directory's files that this
// platform's build takes and their imports, without the go command,
// which needs every module those import. Directories the go command
// leaves out of ./... (testdata, vendor, names starting with . or _,
// nested modules) are left out.
func scanPackages(modRoot string, overlay map[string]string) (*goPackages, error) {
	module := modulePath(filepath.Join(modRoot, "go.mod"))
	if module == "" {
		return nil, fmt.Errorf("no module path in %s", filepath.Join(modRoot, "go.mod"))
	}
	added := map[string][]string{} // directory → the overlay's files in it
	for f, to := range overlay {
		if to != "" {
			added[filepath.Dir(f)] = append(added[filepath.Dir(f)], f)
		}
	}
	ctxt := build.Default
	ctxt.OpenFile = func(p string) (io.ReadCloser, error) {
		if to, ok := overlay[p]; ok {
			if to == "" {
				return nil, fs.ErrNotExist
			}
			p = to
		}
		return os.Open(p)
	}
	ctxt.IsDir = func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.IsDir() || len(added[p]) > 0
	}
	ctxt.ReadDir = func(dir string) ([]fs.FileInfo, error) {
		entries, err := os.ReadDir(dir)
		if err != nil && len(added[dir]) == 0 {
			return nil, err
		}
		var out []fs.FileInfo
		for _, e := range entries {
			f := filepath.Join(dir, e.Name())
			if _, ok := overlay[f]; ok {
				continue // the overlay's, below
			}
			if fi, err := e.Info(); err == nil {
				out = append(out, fi)
			}
		}
		for _, f := range added[dir] {
			if fi, err := os.Stat(overlay[f]); err == nil {
				out = append(out, renamedInfo{fi, filepath.Base(f)})
			}
		}
		return out, nil
	}
	dirs := map[string]bool{}
	err := filepath.WalkDir(modRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if n := d.Name(); p != modRoot && (n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || isFile(filepath.Join(p, "go.mod"))) {
			return filepath.SkipDir
		}
		dirs[p] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d := range added {
		if rel, err := filepath.Rel(modRoot, d); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			dirs[d] = true
		}
	}
	g := &goPackages{dirs: map[string]bool{}, users: map[string][]string{}, paths: map[string]string{}, module: module}
	for abs := range dirs {
		p, err := ctxt.ImportDir(abs, 0)
		if err != nil && len(p.GoFiles)+len(p.CgoFiles) == 0 {
			continue // no package here for this platform
		}
		rel, _ := filepath.Rel(modRoot, abs)
		dir := "./" + filepath.ToSlash(rel)
		g.dirs[dir], g.paths[dir] = true, module+pathSuffix(dir)
		for _, imp := range p.Imports {
			g.users[imp] = append(g.users[imp], dir)
		}
	}
	if len(g.dirs) == 0 {
		return nil, fmt.Errorf("no Go package in %s", modRoot)
	}
	for imp := range g.users {
		slices.Sort(g.users[imp]) // the walk's map order is no order
	}
	return g, nil
}

// renamedInfo is a file's information under another name: an overlay
// file's, under the name of the file it stands for.
type renamedInfo struct {
	fs.FileInfo
	name string
}

func (r renamedInfo) Name() string { return r.name }

// isFile reports whether p is a regular file.
func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
