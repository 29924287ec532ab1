package ctxbuild

import (
	"cmp"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/aiex-dev/aiex/db"
)

// goName is a symbol as a Go user may type it, in the form the index
// names it: the type parameters of a generic receiver left out
// ("coll.(*List[T]).Push" is coll.(*List).Push, "List[T].Len" is
// List.Len), and a name qualified by an import path cut to the path's
// last element ("net/http.(*Server).Serve" is http.(*Server).Serve, and
// importPath is "net/http"). A path ending in a major version
// ("math/rand/v2.IntN") names its package by the element before the
// version, as Go's convention has it: rand.IntN, importPath
// "math/rand/v2" (versionedName gives the other reading, a package named
// v2). A symbol of no such form is returned as it is, importPath "".
func goName(sym string) (name, importPath string) {
	name = stripTypeParams(sym)
	i := strings.LastIndexByte(name, '/')
	if i <= 0 {
		return name, ""
	}
	last := name[i+1:]
	pkg, member, ok := strings.Cut(last, ".")
	if !ok || !token.IsIdentifier(pkg) || member == "" || isDigits(last) {
		return name, "" // an Elixir arity (Enum.map/2), a path
	}
	if r := rune(member[0]); r != '(' && r != '_' && !unicode.IsLetter(r) {
		return name, ""
	}
	importPath = name[:i+1] + pkg
	if majorVersion(pkg) {
		if prev := path.Base(name[:i]); token.IsIdentifier(prev) {
			return prev + "." + member, importPath
		}
	}
	return last, importPath
}

// versionedName is the other reading of a name goName gave the package
// before a major version of its import path (rand.IntN of math/rand/v2):
// a package named as the version itself (v2.IntN), as some projects name
// theirs (k8s.io/api/autoscaling/v2). It is "" for any other name.
func versionedName(name, importPath string) string {
	v := path.Base(importPath)
	pkg, member, ok := strings.Cut(name, ".")
	if !ok || !majorVersion(v) || pkg == v {
		return ""
	}
	return v + "." + member
}

// majorVersion reports whether an import path's element is a major
// version suffix (v2, v10): Go's modules give a major version from 2 up
// its own path, ending so, whose package is named by the element before.
func majorVersion(elem string) bool {
	if len(elem) < 2 || elem[0] != 'v' || elem[1] == '0' || elem == "v1" {
		return false
	}
	return isDigits(elem[1:])
}

// importPathLike reports whether a symbol qualified by an import path
// reads as a Go name rather than as a file's path ("net/http.Serve",
// "net/http.(*Server).Serve", not "lib/readme.md"): what follows its
// package is a receiver or starts with a capital letter.
func importPathLike(sym string) bool {
	name, ip := goName(sym)
	if ip == "" {
		return false
	}
	_, member, _ := strings.Cut(name, ".")
	return member[0] == '(' || unicode.IsUpper(rune(member[0]))
}

// stripTypeParams leaves out of s every list of type parameters that
// follows a type's name in a receiver: "[T]" and "[K, V]" followed by ")"
// or ".". Brackets anywhere else, or holding anything but identifiers,
// stay.
func stripTypeParams(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '[' && i > 0 && isIdentByte(s[i-1]) {
			if end := strings.IndexByte(s[i:], ']'); end > 0 && i+end+1 < len(s) && (s[i+end+1] == ')' || s[i+end+1] == '.') && typeParams(s[i+1:i+end]) {
				i += end
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// typeParams reports whether s is a receiver's list of type parameters:
// identifiers separated by commas.
func typeParams(s string) bool {
	for p := range strings.SplitSeq(s, ",") {
		if !token.IsIdentifier(strings.TrimSpace(p)) {
			return false
		}
	}
	return true
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// inImportPath keeps of cs, chunks named by a symbol that importPath
// qualified, those of the packages of the project at root whose
// directory ends with the most of that path's elements ("net/http"
// prefers net/http/server.go to another package named http;
// "internal/sync" takes internal/sync/, not sync/), and of those only the
// ones whose directory has the fewest elements besides
// (golang.org/x/mod/semver: the module's semver/, not its
// internal/semver/), in their order. The
// path's last element is the package's name, which the chunk's name
// carries already: it may be left out of the directory, as it is of a
// command's (cmd/asm/main.main is main.main of cmd/asm, whose package is
// main). A path that starts with a domain may end with fewer elements
// than it has (the module's path is not the project's directories); any
// other is matched whole, so that internal/sync is not sync/ nor
// cmd/asm/main another command's main. A package at the project's root
// matches when its go.mod names a module whose path ends so (modulePath
// reads it). A chunk whose directory matches none of the path is not
// kept: the path names another package.
//
// pkg is the package's name the chunks carry: when it is not the path's
// last element, that element is a major version (math/rand/v2, package
// rand), which the directory holds, so the path is matched whole.
func inImportPath(cs []db.CodeChunk, importPath, pkg, root string) []db.CodeChunk {
	want := strings.Split(importPath, "/")
	dirWant := want[:len(want)-1] // without the package's name
	if want[len(want)-1] != pkg {
		dirWant = want
	}
	// A path of a module named by its domain (golang.org/x/mod/semver)
	// holds more than the directories of the project hold: the module's
	// own path, which its root stands for. Its end matches. Any other
	// (internal/sync, cmd/asm/main) is matched whole.
	domain := strings.Contains(want[0], ".")
	matched := func(dir, want []string) int {
		n := 0
		for n < len(dir) && n < len(want) && dir[len(dir)-1-n] == want[len(want)-1-n] {
			n++
		}
		return n
	}
	type scored struct {
		c             db.CodeChunk
		match, others int
	}
	var all []scored
	best := 0
	var module []string // the root's module path, read at its first unit
	read := false
	for _, c := range cs {
		d := path.Dir(c.Path)
		if d == "." {
			// The root's import path is its module's: it matches, less
			// than any directory named in the path does.
			if !read {
				read = true
				if m := modulePath(root); m != "" {
					module = strings.Split(m, "/")
				}
			}
			if module != nil && (matched(module, want) == len(want) || len(dirWant) > 0 && matched(module, dirWant) == len(dirWant)) {
				all = append(all, scored{c, 0, 0})
			}
			continue
		}
		dir := strings.Split(d, "/")
		n := max(matched(dir, want), matched(dir, dirWant))
		whole := n == len(want) || n == len(dirWant) && n > 0
		if n == 0 || !whole && !domain {
			continue
		}
		all = append(all, scored{c, n, len(dir) - n})
		best = max(best, n)
	}
	all = slices.DeleteFunc(all, func(s scored) bool { return s.match < best })
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(a.others, b.others) })
	// The path settles which package is meant: those matching it less
	// closely (app/server/ for example.com/o/server, whose server/ has
	// no other element) are other packages, not units the name also
	// names. Only packages that match it as closely are listed.
	if len(all) > 0 {
		least := all[0].others
		all = slices.DeleteFunc(all, func(s scored) bool { return s.others > least })
	}
	out := make([]db.CodeChunk, len(all))
	for i, s := range all {
		out[i] = s.c
	}
	return out
}

// modulePath is the module path the go.mod at root declares, "" when
// there is none.
func modulePath(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return ""
	}
	for l := range strings.Lines(string(b)) {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], "\"`")
		}
	}
	return ""
}

// packagesFirst orders the Go units of cs that have the same name (the
// same package's name, as several packages may have: sync and
// internal/sync, runtime and the compiler's stubs of it in
// cmd/compile/internal/typecheck/_builtin), keeping the places each name
// takes in cs: first the units of real packages — not in a directory the
// go tool ignores (its name starting with "_" or ".", or testdata) —,
// then those of the package whose directory is its name (sync/, the
// standard library's, not internal/sync/), then those outside an
// internal directory, else in their order. The code beside the project's
// own (db.CodeAside) comes after the project's own, as ownFirst orders.
func packagesFirst(cs []db.CodeChunk) {
	at := map[string][]int{} // a name → where its units are in cs
	var names []string
	for i, c := range cs {
		if c.Lang != "go" {
			continue
		}
		if at[c.Name] == nil {
			names = append(names, c.Name)
		}
		at[c.Name] = append(at[c.Name], i)
	}
	for _, name := range names {
		idx := at[name]
		if len(idx) < 2 {
			continue
		}
		group := make([]db.CodeChunk, len(idx))
		for j, i := range idx {
			group[j] = cs[i]
		}
		slices.SortStableFunc(group, func(a, b db.CodeChunk) int {
			pa, pb := packageRank(a), packageRank(b)
			return cmp.Compare(pa, pb)
		})
		for j, i := range idx {
			cs[i] = group[j]
		}
	}
}

// packageRank orders the Go units of one name (see packagesFirst): lower
// first.
func packageRank(c db.CodeChunk) int {
	dir := path.Dir(c.Path)
	pkg, _, _ := strings.Cut(c.Name, ".")
	n := 0
	if db.CodeAside(c.Path, c.Lang) {
		n += 8
	}
	if goIgnoredDir(dir) {
		n += 4
	}
	if dir != pkg {
		n += 2
	}
	if slices.Contains(strings.Split(dir, "/"), "internal") {
		n++
	}
	return n
}

// goIgnoredDir reports whether the go tool leaves the packages of dir
// (slash-separated) out of every build: an element of it starts with "_"
// or ".", or is testdata. The compiler's stubs of the runtime
// (cmd/compile/internal/typecheck/_builtin/runtime.go) declare its
// functions without their bodies.
func goIgnoredDir(dir string) bool {
	for d := range strings.SplitSeq(dir, "/") {
		if d == "testdata" || d != "." && (strings.HasPrefix(d, "_") || strings.HasPrefix(d, ".")) {
			return true
		}
	}
	return false
}
