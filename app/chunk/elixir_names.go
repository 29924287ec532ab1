package chunk

import (
	"strings"

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
// function a def defines.
type defHead struct {
	name            string
	arity, defaults int
}

// defHeads returns the heads of a def/defp/defmacro/… call, as the compiler
// counts them: `def get(id, opts \\ [])` is get/2 with one default, `def a +
// b` is +/2, `def !x` is !/1, a guard (`when`) is not part of the head. A
// name that is not an identifier (`def unquote(name)(x)`) is returned as
// written. There is one head, except for the list form of defdelegate
// (`defdelegate [a(x), b()], to: M`), which defines each function listed.
func (x *exFile) defHeads(it exItem) []defHead {
	var args []sitter.Node
	if it.args != nil {
		args = x.nonComments(x.children(*it.args))
	} else {
		args = x.argList(it.n)
	}
	if len(args) == 0 {
		return []defHead{{name: "?"}}
	}
	if it.what == "defdelegate" && x.kind(args[0]) == "list" {
		if funs := x.nonComments(x.children(args[0])); len(funs) > 0 {
			heads := make([]defHead, len(funs))
			for i, f := range funs {
				heads[i].name, heads[i].arity, heads[i].defaults, _ = x.head(f)
			}
			return heads
		}
	}
	var h defHead
	h.name, h.arity, h.defaults, _ = x.head(args[0])
	return []defHead{h}
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

// compact removes white space from a name written over several lines.
func compact(s string) string {
	if strings.ContainsAny(s, " \t\r\n") {
		return strings.Join(strings.Fields(s), "")
	}
	return s
}

// moduleName qualifies the name of a defmodule/defprotocol/defimpl the way
// the compiler does: a module defined inside another is nested under it
// (`defmodule Sub` in MyApp → MyApp.Sub) unless written `Elixir.X` or as
// an atom; __MODULE__ is the enclosing module; `defimpl P, for: T` is P.T
// (`for: [A, B]` gives P.{A,B}; without `for:`, T is the enclosing module).
// Aliases are not expanded.
func (x *exFile) moduleName(it exItem, outer *exScope) string {
	args := x.argList(it.n)
	if len(args) == 0 {
		return "?"
	}
	mod := ""
	if outer != nil {
		mod = outer.module
	}
	name := x.modText(args[0], mod)
	if it.what == "defimpl" {
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
							ts = append(ts, x.modText(e, mod))
						}
					}
					target = "{" + strings.Join(ts, ",") + "}"
				} else {
					target = x.modText(cs[1], mod)
				}
			}
		}
		if target == "" {
			target = "?"
		}
		return name + "." + target
	}
	if x.kind(args[0]) == "alias" && mod != "" && !strings.HasPrefix(compact(x.text(args[0])), "Elixir.") {
		return mod + "." + name
	}
	return name
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

// collectAliases records a body's `alias` declarations and nested module
// names in its scope, for expanding the names in refs. Aliases count for
// the whole body, wherever they appear in it.
func (x *exFile) collectAliases(items []exItem, s *exScope) {
	for _, it := range items {
		switch it.kind {
		case itemModule:
			args := x.argList(it.n)
			if it.what != "defimpl" && len(args) > 0 && x.kind(args[0]) == "alias" {
				first, _, _ := strings.Cut(compact(x.text(args[0])), ".")
				if !strings.HasPrefix(first, "Elixir") {
					s.aliases[first] = s.module + "." + first
				}
			}
		case itemAlias:
			args := x.argList(it.n)
			if len(args) == 0 {
				continue
			}
			as := ""
			if len(args) > 1 && x.kind(args[1]) == "keywords" {
				for _, p := range x.children(args[1]) {
					if cs := x.children(p); len(cs) == 2 && strings.TrimSpace(x.text(cs[0])) == "as:" {
						as = compact(x.text(cs[1]))
					}
				}
			}
			switch a := args[0]; x.kind(a) {
			case "alias":
				full := s.expand(compact(x.text(a)))
				key := as
				if key == "" {
					key = full[strings.LastIndexByte(full, '.')+1:]
				}
				s.aliases[key] = full
			case "dot": // alias A.B.{C, D}
				l, r := x.field(a, fLeft), x.field(a, fRight)
				if l == nil || r == nil || x.kind(*r) != "tuple" {
					continue
				}
				base := s.expand(compact(x.text(*l)))
				for _, e := range x.children(*r) {
					if x.kind(e) == "alias" {
						t := compact(x.text(e))
						s.aliases[t[strings.LastIndexByte(t, '.')+1:]] = base + "." + t
					}
				}
			}
		}
	}
}

// expand resolves the first segment of a module name through the aliases.
func (s *exScope) expand(name string) string {
	if s == nil {
		return name
	}
	first, rest, dotted := strings.Cut(name, ".")
	full, ok := s.aliases[first]
	if first == "__MODULE__" {
		full, ok = s.module, true
	}
	if ok {
		if dotted {
			return full + "." + rest
		}
		return full
	}
	return name
}
