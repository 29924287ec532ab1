package ctxbuild

import (
	"path"
	"strings"

	"github.com/aiex-dev/aiex/db"
)

// place is where a target's code is, to order its neighbours by how near
// it they are: what a function calls in its own package, and what calls
// it there, says more about it than the standard library's most used
// types, which the global rank puts first (http.(*Server).Serve's
// callees were time.Duration and context.Background before its own
// newConn and conn.serve).
type place struct {
	dirs    map[string]bool // the directories of its Go code
	modules map[string]bool // its Elixir modules
	builtin bool            // it is a language built-in itself
}

// placeOf is the place of the target's chunks (its units, for a file or
// a module).
func placeOf(cs []db.CodeChunk) place {
	p := place{dirs: map[string]bool{}, modules: map[string]bool{}}
	for _, c := range cs {
		switch c.Lang {
		case "go":
			p.dirs[path.Dir(c.Path)] = true
		case "elixir":
			if m := elixirModule(c); m != "" {
				p.modules[m] = true
				p.builtin = p.builtin || builtinModule(m)
			}
		}
	}
	return p
}

// far is the distance of code that shares nothing with the place.
const far = 1 << 16

// distance is how far c is from the place, the nearer the less: 0 in the
// same Go package (its directory) or Elixir module; else far less the
// parts its directory or module shares with the nearest of the place's,
// from the start — an app's modules all share its top-level namespace
// (ShopCore.*), so App.Checkout.Steps (two parts shared) is nearer
// App.Checkout.run/1 than App.Util.Money (one), and net/url is nearer
// net/http than time —; far when it shares none.
func (p place) distance(c db.CodeChunk) int {
	var at string
	var set map[string]bool
	var sep byte
	switch c.Lang {
	case "go":
		at, set, sep = path.Dir(c.Path), p.dirs, '/'
	case "elixir":
		at, set, sep = elixirModule(c), p.modules, '.'
	}
	if at == "" {
		return far
	}
	if set[at] {
		return 0
	}
	shared := 0
	for s := range set {
		shared = max(shared, sharedParts(at, s, sep))
	}
	return far - shared
}

// sharedParts is how many parts, separated by sep, a and b share from the
// start: 2 for App.Checkout.Steps and App.Checkout, 1 for app/chunk and
// app/ctxbuild. A Go package at the root (".") shares none.
func sharedParts(a, b string, sep byte) int {
	if a == "." || b == "." {
		return 0
	}
	n := 0
	for {
		ha, ra, moreA := strings.Cut(a, string(sep))
		hb, rb, moreB := strings.Cut(b, string(sep))
		if ha != hb {
			return n
		}
		n++
		if !moreA || !moreB {
			return n
		}
		a, b = ra, rb
	}
}

// builtin reports whether c is a language built-in the target is not
// itself part of: Elixir's Kernel and Kernel.SpecialForms, which nearly
// every function calls (case, |>, is_integer) and whose long docs say
// nothing of the target. Indexed, as in Elixir's own source, they would
// crowd a prompt; they go after everything else, as signatures only. (Go's
// builtin package is never a neighbour: calls of len or append are no
// references of the index's.)
func (p place) isBuiltin(c db.CodeChunk) bool {
	return !p.builtin && c.Lang == "elixir" && builtinModule(elixirModule(c))
}

// builtinModule reports the Elixir modules whose functions and macros
// every module has without naming them.
func builtinModule(m string) bool {
	return m == "Kernel" || m == "Kernel.SpecialForms"
}

// elixirModule is the module an Elixir chunk is of: its parent, or for a
// module's own chunk, its name without a piece's number.
func elixirModule(c db.CodeChunk) string {
	if c.Parent != "" {
		return c.Parent
	}
	if container(c.Kind) {
		name, _, _ := strings.Cut(c.Name, "#")
		return name
	}
	return ""
}
