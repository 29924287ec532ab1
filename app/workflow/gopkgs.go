package workflow

import (
	"context"
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
// (`go list -e ./...`); false when go list fails, so that the caller
// builds the changed packages alone.
func listPackages(ctx context.Context, o ValidateOptions, modRoot, ov string) (*goPackages, bool) {
	var out lockedBuffer
	code, err := o.Runner.Run(ctx, Command{Dir: modRoot, Name: "go", Output: &out,
		Args: []string{"list", "-e", "-overlay=" + ov, "-f", "{{.Dir}}\t{{.ImportPath}}\t{{join .Imports \" \"}}", "./..."}})
	if err != nil || code != 0 {
		return nil, false
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
	return g, len(g.dirs) > 0
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
		if to != "" && filepath.Dir(f) == abs {
			return true
		}
	}
	return false
}
