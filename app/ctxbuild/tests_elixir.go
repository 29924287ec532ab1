package ctxbuild

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// elixirTestCode is testCode for Elixir code. The tests of a module
// Shop.Cart are those of the module named Shop.CartTest, and the tests
// elsewhere that call its functions (found by the symbol graph: a test
// module may be named otherwise, Shop.InventoryGenTest). Of a test file,
// its module's header (use, alias, and the setup blocks written there),
// its setup blocks and those of the describe blocks of the tests taken.
// The structs are those the target or its module's header name by their
// type (Shop.Item.t/0) and those the tests build (%Item{}, the alias
// resolved by the index), each as its module's header, which holds its
// defstruct; the constructors are the module's `new` functions and those
// whose @spec returns t().
func (b *Builder) elixirTestCode(ctx context.Context, proj db.CodeProject, target *Item, from []db.CodeChunk, files *fileCache) ([]*Item, error) {
	st := b.cfg.Store
	modules := map[string]bool{}
	for _, c := range from {
		if m := elixirModule(c); m != "" {
			modules[m] = true
		}
	}
	if len(modules) == 0 {
		return nil, nil
	}
	cs, err := st.CodeChunks(ctx, proj.ID, target.Path)
	if err != nil {
		return nil, err
	}
	units := newCodeUnits(target, from)
	var ids []int64
	var headers []db.CodeChunk // the target's modules' headers
	var fns []db.CodeChunk     // their functions, for constructors
	for _, c := range cs {
		if !modules[c.Parent] {
			continue
		}
		switch c.Kind {
		case chunk.KindHeader:
			headers = append(headers, c)
		case chunk.KindFunction, chunk.KindMacro, chunk.KindDelegate, chunk.KindGuard:
			units.add(c)
			if !c.Private && len(ids) < maxNeighbourUnits {
				ids = append(ids, c.ID)
			}
			if c.Kind == chunk.KindFunction && !c.Private {
				fns = append(fns, c)
			}
		}
	}

	// The test files: the one of the module named after the target's,
	// then those holding the most tests that call its functions.
	var named []string
	testModules := map[string]bool{}
	for m := range modules {
		ts, err := st.CodeChunksNamed(ctx, proj.ID, m+"Test")
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Kind == chunk.KindModule && !slices.Contains(named, t.Path) {
				named = append(named, t.Path)
				testModules[t.Name] = true
			}
		}
	}
	slices.Sort(named)
	callers, err := st.CodeCallerKeysOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, cs := range callers {
		for _, c := range cs {
			if c.Kind == chunk.KindTest && c.Lang == "elixir" {
				counts[c.Path]++
			}
		}
	}
	var cands []testCand
	fileChunks := map[string][]db.CodeChunk{}
	for fi, p := range rankFiles(named, counts) {
		fcs, err := st.CodeChunks(ctx, proj.ID, p)
		if err != nil {
			return nil, err
		}
		fileChunks[p] = fcs
		us := joinPieces(fcs)
		// A call of the test module's own function is unqualified.
		names := func(parent string) func(string) []string {
			return func(r string) []string { return []string{r, parent + "." + r} }
		}
		helpers := map[string]int{}
		for _, u := range us {
			if u.c.Kind != chunk.KindTest && u.c.Kind != chunk.KindCode {
				maps.Copy(helpers, units.helperDistances([]joined{u}, func(db.CodeChunk) bool { return false }, names(u.c.Parent)))
			}
		}
		for i, u := range us {
			if u.c.Kind != chunk.KindTest {
				continue
			}
			d := units.testDistance(u.c.Refs, names(u.c.Parent), helpers)
			if d == noCall && !testModules[u.c.Parent] {
				continue // a test of another module's, in a file of its own
			}
			desc := describeOf(fcs, u.c)
			cands = append(cands, testCand{u: u, dist: d, group: desc.Name, file: fi, order: i,
				name: elixirTestName(u.c.Name, desc.Name, from)})
		}
	}
	picked := pickTests(cands)

	// Per file, in the order of its best test: its module's header and
	// setup blocks, then its tests, best first, each describe block's
	// setups just before its first test: in a small window the fit keeps
	// what comes first, and a setup of a describe block whose tests do
	// not fit is of no use.
	var out []*Item
	var refd []refUse // what the tests and their setups name, to find the structs
	done := map[string]bool{}
	for _, t := range picked {
		p := t.u.c.Path
		if done[p] {
			continue
		}
		done[p] = true
		fcs := fileChunks[p]
		var mine []testCand
		for _, o := range picked {
			if o.u.c.Path == p {
				mine = append(mine, o)
			}
		}
		tests := make([]*Item, len(mine))
		var code []string
		modules := map[string]bool{}
		for i, o := range mine {
			modules[o.u.c.Parent] = true
			if it, err := files.item(o.u.c, RoleTest, o.u.pieces...); err == nil {
				tests[i] = it
				code = append(code, it.full)
				refd = append(refd, refUse{refs: o.u.c.Refs, code: it.full})
			}
		}
		descSetups := map[string][]*Item{}
		for _, u := range testPreamble(fcs, mine, files) {
			it, err := files.item(u.c, RoleTest, u.pieces...)
			if err != nil {
				continue
			}
			refd = append(refd, refUse{refs: u.c.Refs, code: it.full})
			switch {
			case u.c.Kind == chunk.KindHeader:
				it.cut = elixirHeaderCut(it.full, u.c.Name, strings.Join(code, "\n"))
				it.cutWhy = "cut to its use, alias, import and setup lines"
			case !modules[u.c.Name]: // a describe block's setup
				descSetups[u.c.Name] = append(descSetups[u.c.Name], it)
				continue
			}
			out = append(out, it)
		}
		for i, o := range mine {
			if tests[i] == nil {
				continue
			}
			out = append(out, descSetups[o.group]...)
			delete(descSetups, o.group)
			out = append(out, tests[i])
		}
	}

	// The structs: those the target's spec and its module's header name
	// by type, then those the tests build.
	var uses []refUse
	for _, c := range from {
		uses = append(uses, refUse{refs: c.Refs, types: true})
	}
	for _, h := range headers {
		uses = append(uses, refUse{refs: h.Refs, types: true})
	}
	uses = append(uses, refd...)
	types, err := b.elixirStructs(ctx, proj, uses, modules, testModules, files)
	if err != nil {
		return nil, err
	}
	out = append(out, types...)
	return append(out, elixirConstructors(target, fns, units, files)...), nil
}

// refUse is what a chunk names (refs) and its code: a module named bare
// is a struct the code builds only if the code says %Alias{.
type refUse struct {
	refs  []string
	code  string
	types bool // a module's type (M.t/0) names its struct
}

// elixirStructs returns the headers of the modules uses name that define
// a struct or an exception (defstruct, defexception), in the order named,
// at most maxTestTypes, leaving out the target's own modules (their
// headers go as the target's) and the test modules.
func (b *Builder) elixirStructs(ctx context.Context, proj db.CodeProject, uses []refUse, own, tests map[string]bool, files *fileCache) ([]*Item, error) {
	var out []*Item
	seen := map[string]bool{}
	for _, u := range uses {
		for _, r := range u.refs {
			m := structRef(r, u)
			if m == "" || seen[m] || own[m] || tests[m] || builtinModule(m) {
				continue
			}
			seen[m] = true
			cs, err := b.cfg.Store.CodeChunksNamed(ctx, proj.ID, m)
			if err != nil {
				return nil, err
			}
			ownFirst(cs)
			for _, c := range cs {
				if c.Kind != chunk.KindHeader {
					continue
				}
				it, err := b.typeItem(ctx, proj, c, RoleType, files)
				if err != nil {
					return nil, err
				}
				if it == nil || !definesStruct(it.full) {
					continue
				}
				it.cut = elixirHeaderCut(it.full, m, "%__MODULE__{} @type @opaque @enforce_keys @derive")
				it.cutWhy = "cut to its defstruct and types"
				out = append(out, it)
				break
			}
			if len(out) == maxTestTypes {
				return out, nil
			}
		}
	}
	return out, nil
}

// structRef is the module whose struct r, a ref of u, may name: the
// module of a type t (Shop.Item.t/0) when u's types count, or a module
// named bare (Shop.Item) that u's code builds (%Item{, %Shop.Item{);
// "" for neither.
func structRef(r string, u refUse) string {
	if m, ok := strings.CutSuffix(arityless(r), ".t"); ok && u.types && r != arityless(r) {
		return m
	}
	if strings.ContainsAny(r, "/ ") || r == "" || r[0] < 'A' || r[0] > 'Z' {
		return ""
	}
	short := r[strings.LastIndexByte(r, '.')+1:]
	if strings.Contains(u.code, "%"+short+"{") || strings.Contains(u.code, "%"+r+"{") {
		return r
	}
	return ""
}

// definesStruct reports whether an Elixir module header defines a struct.
func definesStruct(header string) bool {
	for l := range strings.SplitSeq(header, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "defstruct") || strings.HasPrefix(t, "defexception") {
			return true
		}
	}
	return false
}

// returnsT matches a @spec whose result is the module's own type or
// struct: `:: t()`, `:: {:ok, t()}`, `:: %__MODULE__{}`.
var returnsT = regexp.MustCompile(`::\s*(t\(\)|\{:ok,\s*t\(\)\}|%__MODULE__\{)`)

// elixirConstructors returns the functions of fns, the public functions
// of the target's modules, that make its struct — `new`, then those whose
// @spec returns t(), nearest the target first —, the target's own units
// left out, at most maxConstructors.
func elixirConstructors(target *Item, fns []db.CodeChunk, units *codeUnits, files *fileCache) []*Item {
	type ctor struct {
		it   *Item
		new  bool
		dist int
	}
	var found []ctor
	for _, c := range fns {
		if units.target[c.Name] {
			continue
		}
		it, err := files.item(c, RoleConstructor)
		if err != nil {
			continue
		}
		head, _, _ := unitHead(strings.Split(it.full, "\n"))
		isNew := strings.HasSuffix(arityless(c.Name), ".new")
		if !isNew && !returnsT.MatchString(strings.Join(head, "\n")) {
			continue
		}
		found = append(found, ctor{it, isNew, units.distance(c.Name)})
	}
	slices.SortStableFunc(found, func(a, b ctor) int {
		if a.new != b.new {
			return cmpBool(b.new, a.new)
		}
		return a.dist - b.dist
	})
	var out []*Item
	for _, f := range found[:min(len(found), maxConstructors)] {
		out = append(out, f.it)
	}
	return out
}

// describeOf is the describe block of fcs, a test file's chunks, holding
// c; a zero chunk for none.
func describeOf(fcs []db.CodeChunk, c db.CodeChunk) db.CodeChunk {
	var d db.CodeChunk
	for _, o := range fcs {
		if o.Kind == chunk.KindDescribe && o.StartByte <= c.StartByte && c.EndByte <= o.EndByte {
			d = o // the innermost: chunks come in order of start
		}
	}
	return d
}

// elixirTestName is how a test (its name, with its describe block's:
// desc) names the target's functions: as a whole when its describe
// block is named after one (describe "remove_item/2", or without the
// arity), in part when its name holds one's as a word ("remove_item
// drops the SKU").
func elixirTestName(name, desc string, from []db.CodeChunk) int {
	rank := nameNone
	for _, c := range from {
		full := c.Name[strings.LastIndexByte(arityless(c.Name), '.')+1:] // remove_item/2
		short := arityless(full)
		switch {
		case desc == `describe "`+full+`"` || desc == `describe "`+short+`"`:
			return nameExact
		case hasWord(name, short):
			rank = namePart
		}
	}
	return rank
}

// testPreamble returns, of fcs (a test file's chunks, in file order), the
// header of each test module of picked and the setup blocks the tests run:
// the module's, then those of their describe blocks, in file order.
func testPreamble(fcs []db.CodeChunk, picked []testCand, files *fileCache) []joined {
	mods := map[string]bool{}
	descs := map[string]bool{}
	for _, t := range picked {
		mods[t.u.c.Parent] = true
		if t.group != "" {
			descs[t.group] = true
		}
	}
	var out []joined
	for _, u := range joinPieces(fcs) {
		c := u.c
		switch {
		case c.Kind == chunk.KindHeader && mods[c.Name]:
		case c.Kind == chunk.KindCode && (mods[c.Name] || descs[c.Name]):
			it, err := files.item(c, RoleTest, u.pieces...)
			if err != nil || !isSetup([]byte(it.full)) {
				continue
			}
		default:
			continue
		}
		out = append(out, u)
	}
	return out
}
