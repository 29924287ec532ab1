package ctxbuild

import (
	"cmp"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/usererr"
)

// maxSuggestions is how many similar names a "not found" error offers.
const maxSuggestions = 5

// Suggest returns up to maxSuggestions of names (symbols or paths) that
// look like target, most alike first: names whose last part (the function,
// the method, the file) is target's last part misspelt by a few letters,
// or contains it, or that are target misspelt as a whole. Names in the
// scope target was typed in — the package, module or receiver before its
// last part (server.(*Server) of server.(*Server).Nope), the directory of
// a path — come first: the user named that scope, and a name spelt alike
// in another package (ml's RoPE) is seldom what was meant. When none of
// the scope's names is spelt alike, they are offered still, the most
// alike first, before those spelt alike elsewhere. Those whose scope is target's whole come before those
// whose scope only ends so (app/server/ for server/).
func Suggest(target string, names []string) []string {
	return suggest(target, names, true)
}

// suggest is Suggest; without scoped, names of the scope typed are
// offered only when spelt alike, as names elsewhere are: a target that
// reads as a file's name (repo.ex) has no scope to prefer.
func suggest(target string, names []string, scoped bool) []string {
	want := strings.ToLower(target)
	wantLast := lastPart(want)
	if wantLast == "" {
		return nil
	}
	scope := scopeOf(want[:max(0, strings.LastIndex(want, wantLast))])
	type scored struct {
		name         string
		in, d, whole int
	}
	var found, unlike []scored
	for _, n := range names {
		lower := strings.ToLower(n)
		last := lastPart(lower)
		in := inScope(scope, scopeOf(lower[:max(0, strings.LastIndex(lower, last))]))
		if !strings.Contains(wantLast, "/") {
			last, _, _ = strings.Cut(last, "/") // no arity given: any arity
		}
		d := levenshtein.ComputeDistance(wantLast, last)
		whole := levenshtein.ComputeDistance(want, lower)
		d = min(d, whole)
		switch {
		case d <= typoAllowance(wantLast):
		case len(wantLast) >= 3 && strings.Contains(last, wantLast):
			d = typoAllowance(wantLast) + 1 + len(last) - len(wantLast) // a longer name holding it
		case stemHeld(wantLast, last):
			d = typoAllowance(wantLast) + 1 + len(last) - len(wantLast) // meta.go: metadata.go
		case in < outOfScope:
			unlike = append(unlike, scored{n, in, d, whole})
			continue
		default:
			continue
		}
		found = append(found, scored{n, in, d, whole})
	}
	if scoped && !slices.ContainsFunc(found, func(s scored) bool { return s.in < outOfScope }) {
		// Nothing of the scope typed is spelt alike: its names are
		// offered still, the most alike first.
		found = append(found, unlike...)
	}
	// Of names alike in their last part, those more alike as a whole
	// first: of the many Serve methods, http.(*Server).Serve for
	// http.(*Server).Serv.
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.in, b.in), cmp.Compare(a.d, b.d), cmp.Compare(a.whole, b.whole), cmp.Compare(len(a.name), len(b.name)),
			strings.Compare(a.name, b.name))
	})
	var out []string
	for _, s := range found {
		if len(out) == maxSuggestions {
			break
		}
		if !slices.Contains(out, s.name) {
			out = append(out, s.name)
		}
	}
	return out
}

// typoAllowance is how many edits still look like a misspelling of a
// name: one, and one more per four letters (a swap of two letters is two
// edits), at most three.
func typoAllowance(s string) int {
	return min(1+len(s)/4, 3)
}

// lastPart is the last identifier of a qualified name or path, with an
// Elixir arity or a file extension kept: "http.(*server).serve" →
// "serve", "myapp.accounts.get_user/1" → "get_user/1", "lib/a/b.ex" →
// "b.ex".
func lastPart(s string) string {
	s = strings.TrimRight(s, "/")
	arity := ""
	if i := strings.LastIndexByte(s, '/'); i >= 0 && isDigits(s[i+1:]) {
		s, arity = s[:i], s[i:]
	}
	i := strings.LastIndexFunc(s, func(r rune) bool {
		return r == '/' || r == ')' || r == '(' || r == '*' || r == ' ' || r == ':' || (r == '.' && !strings.Contains(s, "/"))
	})
	return s[i+1:] + arity
}

// extLike reports whether typed, a target's extension, is a file's
// extension ext or one typo from it (an adjacent pair swapped, a letter
// more, less or other: .og, .g for .go); a symbol's last part does not
// read as one (.Get, .get for .go).
func extLike(typed, ext string) bool {
	if typed == "" || ext == "" || typed != strings.ToLower(typed) {
		return false
	}
	if typed == ext {
		return true
	}
	if len(typed) == len(ext) {
		diff := []int{}
		for i := range typed {
			if typed[i] != ext[i] {
				diff = append(diff, i)
			}
		}
		switch len(diff) {
		case 1:
			return len(typed) > 2 // .x for .go is no typo of it
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && typed[i] == ext[j] && typed[j] == ext[i]
		}
		return false
	}
	short, long := typed, ext
	if len(short) > len(long) {
		short, long = long, short
	}
	if len(long)-len(short) != 1 || len(short) < 2 {
		return false
	}
	for i := range long {
		if long[:i]+long[i+1:] == short {
			return true
		}
	}
	return false
}

// stemHeld reports whether file name name holds the stem of file name
// want, with the same extension (meta.go: metadata.go, but not meta.ex).
func stemHeld(want, name string) bool {
	ext := path.Ext(want)
	stem := strings.TrimSuffix(want, ext)
	return ext != "" && len(stem) >= 3 && path.Ext(name) == ext && strings.Contains(strings.TrimSuffix(name, ext), stem)
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// How a name's scope compares with the scope typed (inScope).
const (
	sameScope   = iota // the scope typed
	endsInScope        // a scope ending with the one typed (app/server/ for server/)
	outOfScope
)

// scopeOf is a lower-cased qualifier (what precedes a name's last part)
// as scopes are compared: a receiver's pointer and parentheses left out,
// so that server.(*server). and server.server. are one scope.
func scopeOf(q string) string {
	return strings.NewReplacer("(*", "", "(", "", ")", "").Replace(q)
}

// inScope says how has, a name's scope, compares with want, the scope typed
// ("" when none was: every name is then out of it).
func inScope(want, has string) int {
	switch {
	case want == "" || want == "/":
		return outOfScope
	case has == want:
		return sameScope
	case strings.HasSuffix(has, want) && (strings.HasPrefix(want, "/") || strings.ContainsAny(has[len(has)-len(want)-1:][:1], "./")):
		return endsInScope
	}
	return outOfScope
}

// deleted is the error for rel, a file the index has that is gone from
// the disk: to index again, and the file it was likely renamed to.
// indexed says whether the index has a file (nil: not known).
func deleted(root, rel string, indexed func(string) bool) error {
	if like := renamedLike(root, rel, indexed); len(like) > 0 {
		return usererr.New("%s was deleted since it was indexed; did you mean %s? run aiex index first", rel, strings.Join(like, ", "))
	}
	return usererr.New("%s was deleted since it was indexed; run aiex index", rel)
}

// renamedLike returns the files now in the directory of rel, a file the
// index has but the disk no longer does, that it was most likely renamed
// to, which the index cannot offer until it is run again: files of rel's
// language that the index does not have (a renamed file is new to it;
// the directory's other files are not what was meant), those named like
// rel (meta.go: metadata.go), or the one such file if it is named
// otherwise (meta.go: info.go).
func renamedLike(root, rel string, indexed func(string) bool) []string {
	dir := path.Dir(rel)
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		if !e.Type().IsRegular() || chunk.Lang(name) != chunk.Lang(rel) || path.Ext(name) != path.Ext(rel) {
			continue
		}
		if indexed != nil && indexed(name) {
			continue
		}
		names = append(names, name)
	}
	like := suggest(rel, names, false)
	if len(like) == 0 && len(names) == 1 && indexed != nil {
		like = names
	}
	return like
}
