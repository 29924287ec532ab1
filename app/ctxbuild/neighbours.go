package ctxbuild

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// neighbours returns what the chunks from refer to, then what refers to
// the chunks to (the target's), each group the project's own code first
// (see beside), then the nearest the target (place.distance: its own
// package or module, then the longest shared directory or module
// prefix), then most central first; chunks
// of the target's own (own) are left out. The language's built-ins
// (place.isBuiltin) come last in each group, and those kept are returned
// apart (late), to go after everything else, as signatures only. Of a
// file's or a module's units, only the first maxNeighbourUnits are asked:
// each adds its callers and callees to read, and those of units further
// down rarely fit. A test's callees include what its setup names
// (setups): the functions a `setup [:name]` runs make its context. The
// callers that refer to calling (a method of an interface asked about,
// pkg.(*T).M, as a call through it names it; "" for none) come first of
// the callers, before the cut to maxNeighbours: a caller of the method
// asked about says more than any number of callers of the interface's
// other methods.
func (b *Builder) neighbours(ctx context.Context, proj db.CodeProject, from, to []db.CodeChunk, setups []setupSource, calling string, own map[int64]bool, files *fileCache) (near, late []*Item, _ error) {
	st := b.cfg.Store
	var callees, callers []db.CodeChunk
	seen := map[int64]bool{}
	for _, s := range setups {
		cs, err := st.CodeCallees(ctx, s.id)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cs {
			if !seen[c.ID] && s.takes(c) {
				seen[c.ID] = true
				callees = append(callees, c)
			}
		}
	}
	// The neighbours of all the units asked are read at once (a statement
	// or two, not two a unit), then taken unit by unit, in their order.
	for _, group := range []struct {
		cs   []db.CodeChunk
		find func(context.Context, []int64) ([][]db.CodeChunk, error)
		out  *[]db.CodeChunk
	}{{from, st.CodeCalleesOf, &callees}, {to, st.CodeCallerKeysOf, &callers}} {
		var ids []int64
		for _, p := range group.cs[:min(len(group.cs), maxNeighbourUnits)] {
			if p.ID != 0 { // 0: a unit new since the file was indexed
				ids = append(ids, p.ID)
			}
		}
		each, err := group.find(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		for _, cs := range each {
			for _, c := range cs {
				if !seen[c.ID] {
					seen[c.ID] = true
					*group.out = append(*group.out, c)
				}
			}
		}
	}
	targetPath := ""
	if len(to) > 0 {
		targetPath = to[0].Path
	}
	calls, err := referring(ctx, st, proj.ID, calling, callers)
	if err != nil {
		return nil, nil, err
	}
	at := placeOf(from)
	ranks := map[string]float64{}
	for _, group := range []struct {
		role string
		cs   []db.CodeChunk
	}{{RoleCallee, callees}, {RoleCaller, callers}} {
		// Only as many as could help: a popular function has hundreds
		// of callers, each in a file to read. The project's own code
		// first, when the target is: a vendored copy's or a test's use
		// of it says less of how the project uses it (strings.TrimSpace's
		// callers are not the vendored analyzerutil.ExtractDoc first).
		// Then the nearest the target, then the most central: the global
		// rank alone put the standard library's most used types before a
		// function's own package. The language's built-ins last of all.
		// Code in a module's body outside any function is named after
		// the module: a reference to the module by name (use MyCase)
		// reaches it, though nothing in it is called (as search.Named).
		cs := slices.DeleteFunc(slices.Clone(group.cs), func(c db.CodeChunk) bool {
			return own[c.ID] || container(c.Kind) || group.role == RoleCallee && c.Kind == chunk.KindCode && c.Parent != ""
		})
		// Of what the target refers to, the functions it calls before the
		// types and groups it names: its unexported helper doing the work
		// (store.(*Store).execute) says more of it than the 111-line
		// struct it takes its fields from, which, after them, goes as its
		// signature when room is short rather than leave the helper so.
		type order struct {
			builtin, other, aside, decl bool
			distance                    int
		}
		key := make(map[int64]order, len(cs))
		for _, c := range cs {
			other := group.role == RoleCaller && calls != nil && !calls[c.ID]
			key[c.ID] = order{at.isBuiltin(c), other, beside(c, targetPath), group.role == RoleCallee && declaration(c.Kind), at.distance(c)}
		}
		byPlace := func(a, b db.CodeChunk) int {
			ka, kb := key[a.ID], key[b.ID]
			return cmp.Or(cmpBool(ka.builtin, kb.builtin), cmpBool(ka.other, kb.other), cmpBool(ka.aside, kb.aside), cmpBool(ka.decl, kb.decl), cmp.Compare(ka.distance, kb.distance))
		}
		slices.SortStableFunc(cs, byPlace)
		// The ranks order the chunks alike in place, and only those up
		// to the last place a kept one is in need them: fmt.Sprintf has
		// thousands of callers, most in other packages.
		var names []string
		for _, c := range cs {
			if len(names) >= maxNeighbours && byPlace(c, cs[len(names)-1]) != 0 {
				break
			}
			names = append(names, c.Name)
		}
		rs, err := st.CodeRanks(ctx, proj.ID, names)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(ranks, rs)
		slices.SortStableFunc(cs[:len(names)], func(a, b db.CodeChunk) int {
			return cmp.Or(byPlace(a, b), cmp.Compare(ranks[b.Name], ranks[a.Name]))
		})
		cs = cs[:min(len(cs), maxNeighbours)]
		if group.role == RoleCaller {
			// Read with their keys only (CodeCallerKeysOf): the ones
			// kept are read whole.
			if cs, err = wholeChunks(ctx, st, cs); err != nil {
				return nil, nil, err
			}
		}
		units := map[string]bool{} // units in pieces taken, by path and name
		for _, c := range cs {
			// A unit the chunker split is linked by one of its pieces,
			// often the first, which may hold only its doc text
			// (Code.format_string!/2#1: 327 lines of @doc, its def in
			// #2): it goes whole, so that it goes in full or as its
			// signature, its head, as any unit does.
			w, pieces, err := b.whole(ctx, proj, c)
			if err != nil {
				return nil, nil, err
			}
			if len(pieces) > 0 {
				if units[w.Path+"\x00"+w.Name] {
					continue // another piece of a unit already taken
				}
				units[w.Path+"\x00"+w.Name] = true
			}
			it, err := files.item(w, group.role, pieces...)
			if err != nil {
				continue // unreadable now: leave it out
			}
			it.ranked = ranks[c.Name]
			if key[c.ID].builtin {
				it.sigOnly = true
				late = append(late, it)
				continue
			}
			near = append(near, it)
		}
	}
	return near, late, nil
}

// declaration reports the kinds of chunk a function names rather than
// calls: Go types and const and var groups.
func declaration(kind string) bool {
	return kind == chunk.KindType || kind == chunk.KindConst || kind == chunk.KindVar
}

// referring returns which of cs (callers, by id) refer to the name sym
// (code_refs: one lookup of its primary key each); nil when sym is "".
func referring(ctx context.Context, st *db.Store, project int64, sym string, cs []db.CodeChunk) (map[int64]bool, error) {
	if sym == "" {
		return nil, nil
	}
	out := map[int64]bool{}
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := st.Query(ctx, `SELECT r.from_id FROM json_each(?3) AS i
		CROSS JOIN code_refs AS r WHERE r.project = ?1 AND r.sym = ?2 AND r.from_id = i.value`, project, sym, string(list))
	if err != nil {
		return nil, fmt.Errorf("ctxbuild: callers referring to %s: %w", sym, err)
	}
	for _, r := range rows.Values {
		switch id := r[0].(type) {
		case int64:
			out[id] = true
		case float64:
			out[int64(id)] = true
		}
	}
	return out, nil
}
