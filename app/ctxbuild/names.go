package ctxbuild

import (
	"cmp"
	"go/token"
	"path"
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
// importPath is "net/http"). A symbol of no such form is returned as it
// is, importPath "".
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
	return last, name[:i+1] + pkg
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

// inImportPath keeps of cs, chunks named by a symbol that an import path
// qualified, those whose directory ends with the most of that path's
// elements ("net/http" prefers net/http/server.go to another package
// named http), those whose directory has the fewest elements besides
// first (golang.org/x/mod/semver: the module's semver/ before its
// internal/semver/), else in their order.
func inImportPath(cs []db.CodeChunk, importPath string) []db.CodeChunk {
	want := strings.Split(importPath, "/")
	type scored struct {
		c             db.CodeChunk
		match, others int
	}
	var all []scored
	best := 0
	for _, c := range cs {
		dir := strings.Split(path.Dir(c.Path), "/")
		n := 0
		for n < len(dir) && n < len(want) && dir[len(dir)-1-n] == want[len(want)-1-n] {
			n++
		}
		all = append(all, scored{c, n, len(dir) - n})
		best = max(best, n)
	}
	all = slices.DeleteFunc(all, func(s scored) bool { return s.match < best })
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(a.others, b.others) })
	out := make([]db.CodeChunk, len(all))
	for i, s := range all {
		out[i] = s.c
	}
	return out
}
