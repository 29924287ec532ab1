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
	spaces  map[string]bool // their top-level namespaces (Mix of Mix.Tasks.Run)
	builtin bool            // it is a language built-in itself
}

// placeOf is the place of the target's chunks (its units, for a file or
// a module).
func placeOf(cs []db.CodeChunk) place {
	p := place{dirs: map[string]bool{}, modules: map[string]bool{}, spaces: map[string]bool{}}
	for _, c := range cs {
		switch c.Lang {
		case "go":
			p.dirs[path.Dir(c.Path)] = true
		case "elixir":
			if m := elixirModule(c); m != "" {
				p.modules[m] = true
				p.spaces[topNamespace(m)] = true
				p.builtin = p.builtin || builtinModule(m)
			}
		}
	}
	return p
}

// distance is how far c is from the place: 0 in the same Go package (its
// directory) or Elixir module, 1 in a module under the same top-level
// namespace (Mix.Project for Mix.Tasks.Compile.run/1), 2 anywhere else.
func (p place) distance(c db.CodeChunk) int {
	switch c.Lang {
	case "go":
		if p.dirs[path.Dir(c.Path)] {
			return 0
		}
	case "elixir":
		m := elixirModule(c)
		switch {
		case m == "":
		case p.modules[m]:
			return 0
		case p.spaces[topNamespace(m)]:
			return 1
		}
	}
	return 2
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

// topNamespace is a module's first part: Mix of Mix.Tasks.Compile.
func topNamespace(m string) string {
	first, _, _ := strings.Cut(m, ".")
	return first
}
