package workflow

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/usererr"
)

// NewModule is where `gen module NAME` puts a new module.
type NewModule struct {
	Name string // as given: MyApp.Cache, internal/cache
	Lang string // elixir, go
	Path string // the file, relative to the project root
	App  string // the umbrella app, for an Elixir umbrella project
	// Package is the Go package name (the directory's last element).
	Package string
	// ImportPath is the Go package's import path: go.mod's module path
	// and the file's directory; "" when go.mod declares no module.
	ImportPath string
}

var elixirModule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*$`) })
var goPackagePath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_][a-z0-9_.-]*(/[a-z0-9_][a-z0-9_.-]*)*$`) })

// ModuleFile works out where a new module called name goes in the project
// at root: an Elixir module (MyApp.Cache.Store) in a Mix project goes to
// lib/my_app/cache/store.ex — in an umbrella, to the app its first part
// names (apps/my_app/lib/…); a Go package path (internal/cache) in a Go
// module to internal/cache/cache.go. A file that exists is refused: gen
// module writes new code only.
func ModuleFile(root, name string) (NewModule, error) {
	_, mix := statOK(filepath.Join(root, "mix.exs"))
	_, gomod := statOK(filepath.Join(root, "go.mod"))
	var m NewModule
	if mix && strings.HasPrefix(name, "Elixir.") && elixirModule().MatchString(name) {
		// Elixir.MyApp.Cache is MyApp.Cache as the VM names it; its
		// file is lib/my_app/cache.ex.
		name = strings.TrimPrefix(name, "Elixir.")
	}
	switch {
	case elixirModule().MatchString(name) && mix:
		var err error
		if m, err = elixirFile(root, name); err != nil {
			return m, err
		}
	case gomod && goPackagePath().MatchString(strings.TrimSuffix(strings.TrimSuffix(name, "/"), ".go")):
		// A trailing slash is how a shell completes a directory.
		m = goFile(strings.TrimSuffix(name, "/"))
		if mp := modulePath(filepath.Join(root, "go.mod")); mp != "" {
			m.ImportPath = path.Join(mp, path.Dir(m.Path))
		}
	case mix:
		return m, usererr.Usage("%q is not an Elixir module name; give one like MyApp.Cache", name)
	case gomod:
		return m, usererr.Usage("%q is not a Go package path; give one like internal/cache (relative to %s)", name, root)
	default:
		// No project was found here or up the tree (the root is where
		// the search for mix.exs and go.mod stopped): the project may not
		// have been started yet.
		return m, usererr.New("%s is neither a Mix project (mix.exs) nor a Go module (go.mod): to start one there, run go mod init MODULE_PATH (Go) or mix new . (Elixir); else run aiex gen module inside an existing project", root)
	}
	if _, ok := statOK(filepath.Join(root, filepath.FromSlash(m.Path))); ok {
		return m, usererr.New("%s already exists; gen module writes new files only (to change it: aiex refactor %s --goal \"…\")", m.Path, m.Path)
	}
	return m, nil
}

func elixirFile(root, name string) (NewModule, error) {
	parts := strings.Split(name, ".")
	under := make([]string, len(parts))
	for i, p := range parts {
		under[i] = Underscore(p)
	}
	m := NewModule{Name: name, Lang: "elixir", Path: path.Join("lib", path.Join(under...)) + ".ex"}
	mixExs, err := os.ReadFile(filepath.Join(root, "mix.exs"))
	if err != nil {
		return m, fmt.Errorf("workflow: %w", err)
	}
	if !strings.Contains(string(mixExs), "apps_path:") {
		return m, nil
	}
	// An umbrella: the app whose directory its first part names.
	apps, _ := filepath.Glob(filepath.Join(root, "apps", "*", "mix.exs"))
	var names []string
	for _, a := range apps {
		names = append(names, filepath.Base(filepath.Dir(a)))
	}
	sort.Strings(names)
	for _, a := range names {
		if a == under[0] {
			m.App, m.Path = a, path.Join("apps", a, m.Path)
			return m, nil
		}
	}
	return m, usererr.Usage("%s is an umbrella project and no app in apps/ is called %s (from %s); its apps: %s", root, under[0], parts[0],
		strings.Join(names, ", "))
}

func goFile(name string) NewModule {
	if strings.HasSuffix(name, ".go") {
		dir := path.Dir(name)
		return NewModule{Name: name, Lang: "go", Path: name, Package: goPackageName(path.Base(dir), name)}
	}
	base := path.Base(name)
	return NewModule{Name: name, Lang: "go", Path: path.Join(name, strings.ReplaceAll(base, "-", "_")+".go"), Package: goPackageName(base, name)}
}

// goPackageName is the package name for a directory: its name without
// what an identifier cannot hold; main at the module's root.
func goPackageName(dir, name string) string {
	if dir == "." {
		return "main"
	}
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return -1
		}
		return r
	}, dir)
}

// Underscore is an Elixir alias as its file name part, as Macro.underscore
// does: MyApp → my_app, HTTPClient → http_client, V2Api → v2_api.
func Underscore(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func statOK(p string) (os.FileInfo, bool) {
	fi, err := os.Stat(p)
	return fi, err == nil
}

// GoPackage is the package clause a new Go file must have: that of the Go
// files already in its directory (from names the first of them), else
// the directory's name (Package).
func (m NewModule) GoPackage(root string) (pkg, from string) {
	if pkg, file := dirPackage(filepath.Join(root, filepath.FromSlash(path.Dir(m.Path)))); pkg != "" {
		return pkg, path.Join(path.Dir(m.Path), file)
	}
	return m.Package, ""
}

// Check is the check that code, generated as m, defines what m names: an
// Elixir file the module (or protocol) m.Name, among any others; a Go
// file the package of its directory — the package of the Go files there
// already, else m.Package. The build checks pass a file that defines the
// wrong module, or a new package under the wrong name, which would then
// be written where the name does not lead to it.
func (m NewModule) Check(root string, code []byte) Check {
	switch m.Lang {
	case "elixir":
		c := Check{Name: "defines " + m.Name, Status: OK}
		res, err := chunk.File(m.Path, code, chunk.Options{Strategy: chunk.Semantic})
		if err != nil {
			return Check{Name: c.Name, Status: Failed, Detail: err.Error()}
		}
		var found []string
		for _, ch := range res.Chunks {
			if ch.Kind != chunk.KindModule && ch.Kind != chunk.KindProtocol {
				continue
			}
			if ch.Name == m.Name {
				return c
			}
			found = append(found, ch.Name)
		}
		c.Status = Failed
		if len(found) == 0 {
			c.Detail = fmt.Sprintf("%s defines no module; it should define %s", m.Path, m.Name)
		} else {
			c.Detail = fmt.Sprintf("%s defines %s, not %s", m.Path, strings.Join(found, ", "), m.Name)
		}
		return c
	case "go":
		want, from := m.GoPackage(root)
		c := Check{Name: "package " + want, Status: OK}
		f, err := parser.ParseFile(token.NewFileSet(), m.Path, code, parser.PackageClauseOnly)
		switch {
		case err != nil || f.Name == nil:
			c.Status, c.Detail = Failed, fmt.Sprintf("%s has no package clause; it should be package %s", m.Path, want)
		case f.Name.Name != want && from != "":
			c.Status, c.Detail = Failed, fmt.Sprintf("%s is package %s, but %s is package %s", m.Path, f.Name.Name, from, want)
		case f.Name.Name != want:
			c.Status, c.Detail = Failed, fmt.Sprintf("%s is package %s; a file in %s should be package %s", m.Path, f.Name.Name, path.Dir(m.Path), want)
		}
		return c
	}
	return Check{Name: "defines " + m.Name, Status: Skipped, Detail: "not Elixir or Go"}
}

// dirPackage is the package of the Go files in dir (its first non-test
// file's, by name) and that file's name; "" if dir has none.
func dirPackage(dir string) (pkg, file string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", ""
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err == nil && f.Name != nil {
			return f.Name.Name, n
		}
	}
	return "", ""
}
