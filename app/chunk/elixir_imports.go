package chunk

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// exImport is an `import` declaration: the local calls written in
// [from, to) (from the end of the import to the end of the block it is
// written in, as Elixir's lexical scope has it) may call functions of mod.
type exImport struct {
	from, to int
	mod      string // as written, expanded through the aliases where it is
	// only lists the name/arity pairs of `only: [f: 1]` (nil without an
	// explicit list: every function may be imported); except those of
	// `except:`. none: `only: :sigils`, which imports no named call.
	only, except map[string]bool
	none         bool
}

// importAt reads the `import` call whose name is at offset at, declared in
// scope s; ok is false if the tree has no such call (a word in a tree with
// errors) or its module is not written out (`import unquote(m)`).
func (x *exFile) importAt(root sitter.Node, at int, s *exScope) (imp exImport, ok bool) {
	id := root.NamedDescendantForByteRange(uint(at), uint(at+len("import")))
	if id == nil || x.kind(*id) != "identifier" {
		return imp, false
	}
	call := id.Parent()
	if call == nil || x.kind(*call) != "call" {
		return imp, false
	}
	if t := x.field(*call, fTarget); t == nil || int(t.StartByte()) != at {
		return imp, false
	}
	args := x.argList(*call)
	if len(args) == 0 {
		return imp, false
	}
	mod := ""
	module := ""
	if s != nil {
		module = s.module
	}
	if name, ok := x.aliasTarget(args[0], module); ok {
		// A module name, or one written from __MODULE__ (`import
		// __MODULE__.Helper`).
		mod = x.expandAt(s, name, at)
	} else if x.kind(args[0]) == "atom" { // an Erlang module, :lists
		mod = x.text(args[0])
	} else {
		return imp, false
	}
	imp = exImport{from: int(call.EndByte()), to: len(x.src), mod: mod}
	if p := call.Parent(); p != nil {
		imp.to = int(p.EndByte())
	}
	if len(args) > 1 && x.kind(args[1]) == "keywords" {
		for _, p := range x.children(args[1]) {
			cs := x.nonComments(x.children(p))
			if len(cs) != 2 {
				continue
			}
			switch strings.TrimSpace(x.text(cs[0])) {
			case "only:":
				switch x.text(cs[1]) {
				case ":functions", ":macros":
				case ":sigils":
					imp.none = true
				default:
					// A list not written out (`only: @fns`) imports some
					// functions, which ones is not known here: taken as
					// every one.
					imp.only = x.nameArities(cs[1])
				}
			case "except:":
				imp.except = x.nameArities(cs[1])
			}
		}
	}
	return imp, true
}

// nameArities reads a keyword list of names and arities, `[split: 1,
// join: 2]`, as the set {"split/1", "join/2"}; nil if n is not one.
func (x *exFile) nameArities(n sitter.Node) map[string]bool {
	if x.kind(n) != "list" {
		return nil
	}
	out := map[string]bool{}
	for _, kw := range x.nonComments(x.children(n)) {
		if x.kind(kw) != "keywords" {
			return nil
		}
		for _, p := range x.children(kw) {
			cs := x.nonComments(x.children(p))
			if len(cs) != 2 || x.kind(cs[1]) != "integer" {
				continue
			}
			name := strings.Trim(strings.TrimSuffix(strings.TrimSpace(x.text(cs[0])), ":"), `"`)
			out[name+"/"+x.text(cs[1])] = true
		}
	}
	return out
}

// lists reports whether the set of name/arity keys holds fun at arity (at
// any arity when it is noArity).
func lists(set map[string]bool, fun string, arity int) bool {
	if arity != noArity {
		return set[fun+"/"+strconv.Itoa(arity)]
	}
	for k := range set {
		if name, _, _ := strings.Cut(k, "/"); name == fun {
			return true
		}
	}
	return false
}

// importedFrom returns the module a local call of fun/arity at offset at
// calls, through the imports in effect there, or "" for a call of the
// enclosing module (or of Kernel, or one the imports do not settle). The
// caller has checked that the module does not define fun/arity itself.
//
// The chunker does not know the functions of a module defined in another
// file, so: an import listing fun/arity in `only:` settles it (Elixir
// rejects a call two imports could answer, so no other import has it);
// else, a Kernel function or macro (of that arity) or a special form stays
// one (an import cannot take its name without an `only:` or `import
// Kernel, except:`; see kernelModule), and so does, in a
// test script (test true), a function of ExUnit's that `use ExUnit.Case`
// imports (assert, setup, …: ExUnit's templates are not followed, see
// elixir_using.go); else the imports
// in effect without an `only:` list that do not exclude it with
// `except:` are the candidates, and one is the answer if it is the only
// one, or the only one defined in this file with a function of that
// name/arity (defines reports that). A later import of a module replaces
// an earlier one of it, as in Elixir.
func importedFrom(imports []exImport, at int, fun string, arity int, test bool, defines func(mod, fun string, arity int) bool) string {
	var open []string
	for i := len(imports) - 1; i >= 0; i-- {
		imp := &imports[i]
		if at < imp.from || at >= imp.to || imp.none || replaced(imports[i+1:], imp, at) {
			continue
		}
		switch {
		case imp.only != nil:
			if lists(imp.only, fun, arity) {
				return imp.mod
			}
		case !lists(imp.except, fun, arity):
			open = append(open, imp.mod)
		}
	}
	if len(open) == 0 || isKernelCall(fun, arity) && !kernelExcluded(imports, at, fun, arity) || test && exUnitNames[fun] {
		return ""
	}
	if len(open) == 1 {
		return open[0]
	}
	found := ""
	for _, mod := range open {
		if defines(mod, fun, arity) {
			if found != "" {
				return ""
			}
			found = mod
		}
	}
	return found
}

// replaced reports whether one of later, the imports declared after imp,
// imports imp's module again where at is: the later one replaces it.
func replaced(later []exImport, imp *exImport, at int) bool {
	for i := range later {
		if l := &later[i]; l.mod == imp.mod && l.from <= at && at < l.to {
			return true
		}
	}
	return false
}

// exUnitNames are the names of the functions and macros `use ExUnit.Case`
// imports (ExUnit.Assertions, ExUnit.Callbacks, ExUnit.Case,
// ExUnit.DocTest; ExUnit 1.14).
var exUnitNames = wordSet(`assert assert_in_delta assert_raise assert_receive assert_received
	catch_error catch_exit catch_throw describe doctest flunk on_exit refute refute_in_delta
	refute_receive refute_received register_attribute register_describe_attribute
	register_module_attribute register_test setup setup_all start_link_supervised!
	start_supervised start_supervised! stop_supervised stop_supervised! test`)

// wordSet is the set of the words of s.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
