package ctxbuild

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"
)

// maxSuggestions is how many similar names a "not found" error offers.
const maxSuggestions = 5

// Suggest returns up to maxSuggestions of names (symbols or paths) that
// look like target, most alike first: names whose last part (the function,
// the method, the file) is target's last part misspelt by a few letters,
// or contains it, or that are target misspelt as a whole.
func Suggest(target string, names []string) []string {
	want := strings.ToLower(target)
	wantLast := lastPart(want)
	if wantLast == "" {
		return nil
	}
	type scored struct {
		name     string
		d, whole int
	}
	var found []scored
	for _, n := range names {
		lower := strings.ToLower(n)
		last := lastPart(lower)
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
		default:
			continue
		}
		found = append(found, scored{n, d, whole})
	}
	// Of names alike in their last part, those more alike as a whole
	// first: of the many Serve methods, http.(*Server).Serve for
	// http.(*Server).Serv.
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.whole, b.whole), cmp.Compare(len(a.name), len(b.name)), strings.Compare(a.name, b.name))
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

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}
