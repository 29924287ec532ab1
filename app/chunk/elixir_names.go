package chunk

import (
	"strings"

	"github.com/aiex-dev/aiex/app/parse/exlex"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// args returns the named children of a call's arguments, comments left out.
func (x *exFile) argList(call sitter.Node) []sitter.Node {
	a := x.args(call)
	if a == nil {
		return nil
	}
	return x.nonComments(x.children(*a))
}

// nonComments drops the comments from nodes, in place.
func (x *exFile) nonComments(cs []sitter.Node) []sitter.Node {
	out := cs[:0]
	for _, c := range cs {
		if x.kind(c) != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// defHead is the name, arity and number of default arguments of a
// function a def defines, and where its head is written.
type defHead struct {
	name            string
	arity, defaults int
	at              int
}

// defHeads returns the heads of a def/defp/defmacro/… call, as the compiler
// counts them: `def get(id, opts \\ [])` is get/2 with one default, `def a +
// b` is +/2, `def !x` is !/1, a guard (`when`) is not part of the head. A
// name that is not an identifier (`def unquote(name)(x)`) is returned as
// written. There is one head, except for the list form of defdelegate
// (`defdelegate [a(x), b()], to: M`), which defines each function listed.
func (x *exFile) defHeads(it exItem) []defHead {
	args := x.defArgs(it)
	if len(args) == 0 {
		return []defHead{{name: "?"}}
	}
	if it.what == "defdelegate" && x.kind(args[0]) == "list" {
		if funs := x.nonComments(x.children(args[0])); len(funs) > 0 {
			heads := make([]defHead, len(funs))
			for i, f := range funs {
				heads[i].name, heads[i].arity, heads[i].defaults, _ = x.head(f)
				heads[i].at = int(f.StartByte())
			}
			return heads
		}
	}
	h := defHead{at: int(args[0].StartByte())}
	h.name, h.arity, h.defaults, _ = x.head(args[0])
	return []defHead{h}
}

// defArgs returns the arguments of a def or module item, comments left
// out: those of its call, or those recovered with it from a tree with
// errors.
func (x *exFile) defArgs(it exItem) []sitter.Node {
	if it.args != nil {
		return x.nonComments(x.children(*it.args))
	}
	return x.argList(it.n)
}

// head returns the name, arity and number of defaults of a def's head; ok
// is false for a name that is not an identifier.
func (x *exFile) head(h sitter.Node) (name string, arity, defaults int, ok bool) {
	switch x.kind(h) {
	case "identifier":
		return x.text(h), 0, 0, true
	case "call":
		t := x.field(h, fTarget)
		if t == nil {
			break
		}
		name, ok = compact(x.text(*t)), x.kind(*t) == "identifier"
		for _, a := range x.argList(h) {
			arity++
			if x.kind(a) == "binary_operator" {
				if op := x.field(a, fOperator); op != nil && x.text(*op) == `\\` {
					defaults++
				}
			}
		}
		return name, arity, defaults, ok
	case "binary_operator":
		op := x.field(h, fOperator)
		if op == nil {
			break
		}
		l := x.field(h, fLeft)
		switch x.text(*op) {
		case "when":
			if l != nil {
				return x.head(*l)
			}
		case "//": // first..last//step is one operator of three operands
			if l != nil && x.kind(*l) == "binary_operator" {
				if lop := x.field(*l, fOperator); lop != nil && x.text(*lop) == ".." {
					return "..//", 3, 0, true
				}
			}
		}
		return x.text(*op), 2, 0, true
	case "unary_operator":
		if op := x.field(h, fOperator); op != nil {
			return x.text(*op), 1, 0, true
		}
	case "block": // defmacro (..)
		if cs := x.children(h); len(cs) == 1 && x.kind(cs[0]) == "operator_identifier" {
			return x.text(cs[0]), 0, 0, true
		}
	}
	return compact(x.text(h)), 0, 0, false
}

// compact removes the white space of a name written over several lines,
// except inside the strings, quoted atoms, sigils and character literals in
// it: `unquote(:"weird name")` keeps its space, as the name is kept as
// written.
func compact(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is written
	exlex.Lex(s, func(t exlex.Token) {
		switch t.Kind {
		case exlex.String, exlex.Heredoc, exlex.Sigil, exlex.QuotedAtom, exlex.Char:
			b.WriteString(dropSpace(s[done:t.Start]))
			b.WriteString(s[t.Start:t.End])
			done = t.End
		}
	})
	b.WriteString(dropSpace(s[done:]))
	return b.String()
}

// dropSpace removes the white space of code.
func dropSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// moduleName qualifies the name of a defmodule/defprotocol/defimpl the way
// the compiler does: a module defined inside another is nested under it
// (`defmodule Sub` in MyApp → MyApp.Sub) unless written `Elixir.X` or as
// an atom; __MODULE__ is the enclosing module; `defimpl P, for: T` is P.T
// (`for: [A, B]` gives P.{A,B}; without `for:`, T is the enclosing module).
// lex holds the aliases in effect where the module is defined: the
// compiler expands them in defimpl's protocol and targets (a `defprotocol
// P` earlier in MyApp makes `defimpl P, for: T` MyApp.P.T) and in the
// name of a module at the top of a file, not in a nested module's name.
func (x *exFile) moduleName(it exItem, outer *exScope, lex map[string]string) string {
	args := x.defArgs(it)
	if len(args) == 0 {
		return "?"
	}
	mod := ""
	if outer != nil {
		mod = outer.module
	}
	if it.what == "defimpl" {
		name := x.expandedName(args[0], mod, lex)
		target := mod
		if len(args) > 1 && x.kind(args[1]) == "keywords" {
			for _, p := range x.children(args[1]) {
				cs := x.children(p)
				if len(cs) != 2 || strings.TrimSpace(x.text(cs[0])) != "for:" {
					continue
				}
				if x.kind(cs[1]) == "list" {
					var ts []string
					for _, e := range x.children(cs[1]) {
						if x.kind(e) != "comment" {
							ts = append(ts, x.expandedName(e, mod, lex))
						}
					}
					target = "{" + strings.Join(ts, ",") + "}"
				} else {
					target = x.expandedName(cs[1], mod, lex)
				}
			}
		}
		if target == "" {
			target = "?"
		}
		return name + "." + target
	}
	if mod == "" {
		return x.expandedName(args[0], mod, lex)
	}
	name := x.modText(args[0], mod)
	if x.kind(args[0]) == "alias" && !strings.HasPrefix(compact(x.text(args[0])), "Elixir.") {
		return mod + "." + name
	}
	return name
}

// expandedName is a module name with its first segment expanded through
// the aliases (a name written `Elixir.X`, or as an atom, is not).
func (x *exFile) expandedName(n sitter.Node, mod string, aliases map[string]string) string {
	if t := compact(x.text(n)); x.kind(n) == "alias" && !strings.HasPrefix(t, "Elixir.") {
		return expandIn(aliases, mod, t)
	}
	return x.modText(n, mod)
}

// modText is a module name as written, with __MODULE__ replaced and a
// leading Elixir. dropped (also from an atom: :"Elixir.A.B" is A.B).
func (x *exFile) modText(n sitter.Node, mod string) string {
	t := compact(x.text(n))
	if k := x.kind(n); k == "atom" || k == "quoted_atom" {
		if a := strings.Trim(strings.TrimPrefix(t, ":"), `"'`); strings.HasPrefix(a, "Elixir.") {
			return strings.TrimPrefix(a, "Elixir.")
		}
		return t
	}
	switch {
	case t == "__MODULE__" && mod != "":
		return mod
	case strings.HasPrefix(t, "__MODULE__.") && mod != "":
		return mod + strings.TrimPrefix(t, "__MODULE__")
	}
	return strings.TrimPrefix(t, "Elixir.")
}

// aliasDecl is an alias in effect in the file's bytes [from, to): from
// where it is declared to the end of the block it is declared in (a
// module's or describe block's body, or the file), as Elixir's lexical
// scope has it: the modules nested after it in that block see it, code
// above it and outside the block does not.
type aliasDecl struct {
	full     string
	from, to int
}

// declare records the alias item it declares, in module ("" at the top
// of a file), in aliases (the ones in effect where it is, for what
// follows in its block: naming modules) and in the file's alias
// declarations (for refs, expandAt), in effect up to to: an `alias` (with
// `as:`, or `alias A.B.{C, D}`) or a `require X, as: Y` from the end of the module it names (so
// that the name after `as:` is the module, as where it is used, while
// `alias Foo.Foo` is not expanded through itself), or the first segment
// of a module defined inside module (`defmodule Sub.X` in MyApp aliases
// Sub to MyApp.Sub, as the compiler does) from its start, so that its own
// body sees it.
func (x *exFile) declare(it exItem, module string, aliases map[string]string, to int) {
	set := func(key, full string, from int) {
		aliases[key] = full
		if x.aliases == nil {
			x.aliases = map[string][]aliasDecl{}
		}
		x.aliases[key] = append(x.aliases[key], aliasDecl{full: full, from: from, to: to})
	}
	switch it.kind {
	case itemModule:
		args := x.defArgs(it)
		if module != "" && it.what != "defimpl" && len(args) > 0 && x.kind(args[0]) == "alias" {
			first, _, _ := strings.Cut(compact(x.text(args[0])), ".")
			if !strings.HasPrefix(first, "Elixir") {
				set(first, module+"."+first, it.start)
			}
		}
	case itemAlias:
		args := x.argList(it.n)
		if len(args) == 0 {
			return
		}
		as := ""
		if len(args) > 1 && x.kind(args[1]) == "keywords" {
			for _, p := range x.children(args[1]) {
				if cs := x.children(p); len(cs) == 2 && strings.TrimSpace(x.text(cs[0])) == "as:" {
					as = compact(x.text(cs[1]))
				}
			}
		}
		if it.what == "require" && as == "" {
			return // only `require X, as: Y` defines an alias
		}
		a := args[0]
		if name, ok := x.aliasTarget(a, module); ok {
			full := expandIn(aliases, module, name)
			key := as
			if key == "" {
				key = full[strings.LastIndexByte(full, '.')+1:]
			}
			set(key, full, int(a.EndByte()))
		} else if x.kind(a) == "dot" { // alias A.B.{C, D}
			l, r := x.field(a, fLeft), x.field(a, fRight)
			if l == nil || r == nil || x.kind(*r) != "tuple" {
				return
			}
			base := expandIn(aliases, module, compact(x.text(*l)))
			for _, e := range x.children(*r) {
				if x.kind(e) == "alias" {
					t := compact(x.text(e))
					set(t[strings.LastIndexByte(t, '.')+1:], base+"."+t, int(a.EndByte()))
				}
			}
		}
	}
}

// aliasTarget returns the module an alias, import or require names, as
// written (compacted), when it is one that expandIn resolves: a module
// name (`MyApp.Repo`), or one written from __MODULE__ inside a module
// (`__MODULE__.Helper`, a dot in the tree, or `__MODULE__` alone, which
// the compiler expands to the enclosing module before it aliases or
// imports it). The multi form (`A.{B, C}`) and computed names are not.
func (x *exFile) aliasTarget(n sitter.Node, module string) (string, bool) {
	switch x.kind(n) {
	case "alias":
		return compact(x.text(n)), true
	case "dot", "identifier":
		t := compact(x.text(n))
		if module != "" && (t == "__MODULE__" || strings.HasPrefix(t, "__MODULE__.") && !strings.ContainsAny(t, "{(")) {
			return t, true
		}
	}
	return "", false
}

// expandAt resolves the first segment of a module name written at offset
// at, in scope s, through the aliases in effect there: of those declared
// for it whose block holds at, the last declared before at (an alias of a
// nested module, written after its enclosing module's, shadows that one
// in the nested module's body). __MODULE__ is s's module.
func (x *exFile) expandAt(s *exScope, name string, at int) string {
	first, rest, dotted := strings.Cut(name, ".")
	full, ok := "", false
	if first == "__MODULE__" {
		if s != nil {
			full, ok = s.module, true
		}
	} else {
		from := -1
		for _, d := range x.aliases[first] {
			if d.from <= at && at < d.to && d.from > from {
				full, ok, from = d.full, true, d.from
			}
		}
	}
	if !ok {
		return name
	}
	if dotted {
		return full + "." + rest
	}
	return full
}

// expandIn resolves the first segment of a module name through aliases;
// __MODULE__ is module (when not "").
func expandIn(aliases map[string]string, module, name string) string {
	first, rest, dotted := strings.Cut(name, ".")
	full, ok := aliases[first]
	if first == "__MODULE__" && module != "" {
		full, ok = module, true
	}
	if ok {
		if dotted {
			return full + "." + rest
		}
		return full
	}
	return name
}

// overridable returns the name/arity keys a `defoverridable` call makes
// overridable (`defoverridable size: 1` or `[size: 1]`: "size/1"), or all
// true for the form naming a behaviour (`defoverridable GenServer`), which
// makes every callback defined so far overridable: without the behaviour
// at hand, every function defined so far is taken for one.
func (x *exFile) overridable(call sitter.Node) (keys []string, all bool) {
	if x.kind(call) != "call" {
		return nil, false
	}
	if t := x.field(call, fTarget); t == nil || x.kind(*t) != "identifier" || x.text(*t) != "defoverridable" {
		return nil, false
	}
	args := x.argList(call)
	if len(args) != 1 {
		return nil, false
	}
	kw := args[0]
	switch x.kind(kw) {
	case "alias":
		return nil, true
	case "list":
		cs := x.nonComments(x.children(kw))
		if len(cs) != 1 || x.kind(cs[0]) != "keywords" {
			return nil, false
		}
		kw = cs[0]
	case "keywords":
	default:
		return nil, false
	}
	for _, p := range x.children(kw) {
		cs := x.nonComments(x.children(p))
		if len(cs) != 2 || x.kind(cs[1]) != "integer" {
			continue
		}
		name := strings.Trim(strings.TrimSuffix(strings.TrimSpace(x.text(cs[0])), ":"), `"`)
		keys = append(keys, name+"/"+x.text(cs[1]))
	}
	return keys, false
}
