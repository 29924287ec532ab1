package chunk

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// A module that uses a template (`use MyAppWeb.ConnCase`, `use
// MixTest.Case`) gets the imports the template's `__using__` macro (or
// ExUnit.CaseTemplate's `using` block) quotes: a call in_tmp(…) there calls
// MixTest.Case.in_tmp/2 when the template quotes `import MixTest.Case`.
// The chunker sees one file at a time, so each side records what it knows
// under a name both can write, Template:name/arity, and the index joins
// them as it joins a ref to a member (app/index/DESIGN.md):
//
//   - in the template's file, each public function or macro of a module
//     that the quote imports, and that the file defines, lists the name
//     among its members (each arity its defaults give too, less those the
//     import's only:/except: leave out) (usingMembers);
//   - in the user's file, a local call that its module does not define,
//     and that is no Kernel call, refers to the name for each template
//     its module uses above the call, besides its usual ref (useRefs).
//
// So a call resolves only to a function the template's imports bring, and
// only when its module uses that template.
//
// The quote's imports of modules the file does not define, and its
// aliases, need the files that define those modules: the chunk holding
// the quote records them in its Imports, "T:import M" with the import's
// only:/except: list ("only f/1 g/2", "except f/1", "" for all), and
// "T:alias A" with the module A names (usingForeign, usingAlias); a
// remote call A.f(…) whose head no alias of its module expands refers to
// T:A.f/N too, for each template used above it. The index joins the two
// across files (app/index/DESIGN.md, "Templates' imports").

// exUse is a `use` of a template: in module user, from offset at on.
type exUse struct {
	user, mod string
	at        int
}

// usingImport is an import a template's using quote declares, in the
// unit at index unit.
type usingImport struct {
	template string
	imp      exImport
	unit     int
}

// usingName is the name a function fun/arity of a module a template's
// using quote imports answers to.
func usingName(template, fun string, arity int) string {
	return template + ":" + fun + "/" + strconv.Itoa(arity)
}

// useRefs appends to u's refs, for a local call fun/arity at offset at,
// the names it has through the templates its module uses above it. ExUnit's
// own templates (ExUnit.Case, ExUnit.CaseTemplate) are left out, and in a
// test script so are the names they import (see importedFrom): no index
// holds those as a project's own, and every test module uses one.
func useRefs(u *unit, uses []exUse, fun string, arity, at int, test bool) {
	if arity == noArity || test && exUnitNames[fun] {
		return
	}
	for _, us := range uses {
		if us.user == u.parent && us.at < at && !strings.HasPrefix(us.mod, "ExUnit.") {
			u.refs = append(u.refs, ref{usingName(us.mod, fun, arity), at})
		}
	}
}

// inUsingQuote reports whether the call named at offset at (`import`,
// `alias`: n bytes) is in a quote inside a module body's `using` block or
// `defmacro __using__`.
func (x *exFile) inUsingQuote(root sitter.Node, at, n int) bool {
	id := root.NamedDescendantForByteRange(uint(at), uint(at+n))
	if id == nil {
		return false
	}
	quoted := false
	for p := id.Parent(); p != nil; p = p.Parent() {
		if x.kind(*p) != "call" {
			continue
		}
		t := x.field(*p, fTarget)
		if t == nil || x.kind(*t) != "identifier" {
			continue
		}
		switch x.text(*t) {
		case "quote":
			quoted = true
		case "using":
			return quoted
		case "defmacro":
			args := x.argList(*p)
			return quoted && len(args) > 0 && strings.HasPrefix(x.text(args[0]), "__using__")
		case "def", "defp", "defmacrop", "defmodule":
			return false
		}
	}
	return false
}

// quoted reports whether offset at is inside a quote: a `use` there is
// for the modules the quote is injected into, not its own module's.
func (x *exFile) quoted(root sitter.Node, at int) bool {
	n := root.NamedDescendantForByteRange(uint(at), uint(at))
	for p := n; p != nil; p = p.Parent() {
		if x.kind(*p) != "call" {
			continue
		}
		if t := x.field(*p, fTarget); t != nil && x.kind(*t) == "identifier" && x.text(*t) == "quote" {
			return true
		}
	}
	return false
}

// usingMembers lists, as members of the function units the templates'
// imports reach (x.templates), the names a call through them uses.
func (x *exFile) usingMembers() {
	for _, ui := range x.templates {
		imp := &ui.imp
		if imp.none {
			continue
		}
		if !x.definesModule(imp.mod) {
			x.usingForeign(ui)
			continue
		}
		for i := range x.units {
			u := &x.units[i]
			// Names that start with an underscore (__using__) are not
			// imported.
			if u.self == "" || u.private || u.parent != imp.mod || strings.HasPrefix(u.self, "_") {
				continue
			}
			j := strings.LastIndexByte(u.name, '/')
			k, err := strconv.Atoi(u.name[j+1:])
			if j < 0 || err != nil {
				continue
			}
			for n := max(k-u.defaults, 0); n <= k; n++ {
				if imp.only != nil && !lists(imp.only, u.self, n) || lists(imp.except, u.self, n) {
					continue
				}
				u.members = append(u.members, ref{usingName(ui.template, u.self, n), u.start})
			}
		}
	}
}

// definesModule reports whether a unit of the file belongs to module mod.
func (x *exFile) definesModule(mod string) bool {
	for i := range x.units {
		if x.units[i].parent == mod {
			return true
		}
	}
	return false
}

// usingForeign records, on the unit holding it, a template's import of a
// module the file does not define: "T:import M" with its only:/except:
// list.
func (x *exFile) usingForeign(ui usingImport) {
	imp := &ui.imp
	if strings.HasPrefix(imp.mod, ":") || strings.HasPrefix(ui.template, "ExUnit.") {
		return // an Erlang module's, or ExUnit's own: no project defines them
	}
	filter := ""
	switch {
	case imp.only != nil:
		filter = "only " + strings.Join(slices.Sorted(maps.Keys(imp.only)), " ")
	case imp.except != nil:
		filter = "except " + strings.Join(slices.Sorted(maps.Keys(imp.except)), " ")
	}
	x.usingRecord(ui.unit, ui.template+":import "+imp.mod, filter)
}

// usingRecord sets key to value in the Imports of unit i.
func (x *exFile) usingRecord(i int, key, value string) {
	u := &x.units[i]
	if u.imports == nil {
		u.imports = map[string]string{}
	}
	u.imports[key] = value
}

// usingAlias records the alias, named at offset at, that a template's
// using quote declares (`alias MyApp.Accounts`, `alias MyApp.Repo, as:
// R`) on the unit holding it, at index l: "T:alias A" with the module A names. A
// multi-alias (`alias MyApp.{A, B}`) and one written from __MODULE__ (the
// user's module, where the quote lands) are not followed.
func (x *exFile) usingAlias(root sitter.Node, at, l int) {
	if !x.inUsingQuote(root, at, len("alias")) {
		return
	}
	s := x.scopes[l]
	if s == nil || strings.HasPrefix(s.module, "ExUnit.") {
		return
	}
	id := root.NamedDescendantForByteRange(uint(at), uint(at+len("alias")))
	if id == nil || x.kind(*id) != "identifier" {
		return
	}
	call := id.Parent()
	if call == nil || x.kind(*call) != "call" {
		return
	}
	args := x.argList(*call)
	if len(args) == 0 || x.kind(args[0]) != "alias" {
		return
	}
	full := x.expandAt(s, compact(x.text(args[0])), at)
	key := full[strings.LastIndexByte(full, '.')+1:]
	if len(args) > 1 && x.kind(args[1]) == "keywords" {
		for _, p := range x.children(args[1]) {
			if cs := x.nonComments(x.children(p)); len(cs) == 2 && strings.TrimSpace(x.text(cs[0])) == "as:" {
				if x.kind(cs[1]) != "alias" {
					return
				}
				key = compact(x.text(cs[1]))
			}
		}
	}
	x.usingRecord(l, s.module+":alias "+key, full)
}
