package chunk

import "github.com/aiex-dev/aiex/app/parse/exlex"

// ExUnit's named setup callbacks. `setup :create_user` (and `setup
// [:create_user, :log_in]`, `setup_all :start_repo`, in a describe block
// too) makes ExUnit call the test module's `create_user(context)` before
// each test: the atom names a function of arity 1, called as a local
// call in the module is (a function the module defines, else one it
// imports). The refs lexer skips atoms, and `setup` itself is ExUnit's
// syntax, not a ref (exSyntax), so without this the chunk holding the
// setup — the test module's header, or a describe block's code — named
// nothing, and a test's context lacked the function that builds its
// context.

// withSetupCallbacks returns refs with, after each `setup`/`setup_all`
// call that names callbacks, a local call of arity 1 of each of them, at
// the atom's name; refs itself when there is none.
func withSetupCallbacks(src []byte, refs []rawRef) []rawRef {
	var out []rawRef // nil until a setup names a callback
	for i, r := range refs {
		var names []int
		if isSetupRef(r) {
			names = setupCallbacks(src, r.at+len(r.fun))
		}
		if out == nil {
			if len(names) == 0 {
				continue
			}
			out = append(make([]rawRef, 0, len(refs)+len(names)), refs[:i]...)
		}
		out = append(out, r)
		for _, at := range names {
			out = append(out, rawRef{fun: string(src[at:exlex.IdentEnd(src, at)]), at: at, arity: 1})
		}
	}
	if out == nil {
		return refs
	}
	return out
}

func isSetupRef(r rawRef) bool {
	return r.mod == "" && !r.alias && (r.fun == "setup" || r.fun == "setup_all")
}

// setupCallbacks returns the offsets of the names of the callbacks the
// arguments of a setup call name, its name ending at i: `:name` or a list
// of such atoms, with or without parentheses. Anything else (a do block, a
// context pattern, a `{Module, :fun}` tuple) names none here.
func setupCallbacks(src []byte, i int) []int {
	skip := func(i int, lines bool) int {
		for i < len(src) {
			switch c := src[i]; {
			case c == ' ' || c == '\t':
			case lines && (c == '\n' || c == '\r'):
			case lines && c == '#':
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			default:
				return i
			}
			i++
		}
		return i
	}
	// atom returns the offset of the name of the atom `:name` at i, or -1.
	atom := func(i int) int {
		if i+1 < len(src) && src[i] == ':' && isLower(src[i+1]) {
			return i + 1
		}
		return -1
	}
	i = skip(i, false)
	if i < len(src) && src[i] == '(' {
		i = skip(i+1, true)
	}
	if at := atom(i); at >= 0 {
		return []int{at}
	}
	if i >= len(src) || src[i] != '[' {
		return nil
	}
	var out []int
	for i = skip(i+1, true); ; {
		at := atom(i)
		if at < 0 {
			return out
		}
		out = append(out, at)
		if i = skip(exlex.IdentEnd(src, at), true); i >= len(src) || src[i] != ',' {
			return out
		}
		i = skip(i+1, true)
	}
}
