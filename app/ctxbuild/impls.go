package ctxbuild

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// maxImpls is how many implementations of a protocol's function go
// before its callers: a few say what it does for each kind of data; all
// of Enumerable's would take the room of every caller. The others go
// after the search hits, while room remains (lateImpls, noteImpls).
const maxImpls = 3

// maxImplLookup bounds the units named like the function that are looked
// through for its implementations (17 end with reduce/3 in Elixir's own
// source), and the implementations of a Go interface given or listed.
const maxImplLookup = 64

// implementations returns, for tc, a function of an Elixir protocol
// (Enumerable.reduce/3), up to maxImpls of its implementations — the
// function of that name of a defimpl of the protocol
// (Enumerable.List.reduce/3) —, those of the protocol's own file first,
// then the project's own code and the most central first, as the lookup
// by name orders them; for a Go interface or
// a method of one (target, the item of tc, and typed, the target as the
// request gave it, say which), those of goImplementations; none for any
// other unit. The symbol graph links them to nothing: the protocol dispatches
// to them at run time, and a caller names only the protocol. The
// implementations beyond those are returned too (further), to go after
// the search hits while room remains (lateImpls), each saying which it
// is (noteImpls): without them the context would not say that
// Enumerable.reduce/3 has nine more.
func (b *Builder) implementations(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, target *Item, typed string, own map[int64]bool, files *fileCache) (impls, further []*Item, _ error) {
	if tc.Lang == "go" {
		return b.goImplementations(ctx, proj, tc, target, typed, own, files)
	}
	fn, ok := strings.CutPrefix(tc.Name, tc.Parent+".")
	if tc.Lang != "elixir" || tc.Parent == "" || !ok || tc.Kind != chunk.KindFunction {
		return nil, nil, nil
	}
	st := b.cfg.Store
	isKind := func(name, kind string) (bool, error) {
		cs, err := st.CodeChunksNamed(ctx, proj.ID, name)
		return slices.ContainsFunc(cs, func(c db.CodeChunk) bool { return c.Kind == kind }), err
	}
	if protocol, err := isKind(tc.Parent, chunk.KindProtocol); err != nil || !protocol {
		return nil, nil, err
	}
	cs, err := st.CodeChunksNamedLike(ctx, proj.ID, fn, maxImplLookup)
	if err != nil {
		return nil, nil, err
	}
	var all []*Item
	taken := map[string]bool{} // units, by path and name: pieces of one go once
	for _, c := range cs {
		impl, ok := strings.CutSuffix(c.Name, "."+fn)
		if !ok || own[c.ID] || c.Parent != impl || !strings.HasPrefix(impl, tc.Parent+".") || beside(c, tc.Path) {
			continue
		}
		if isImpl, err := isKind(impl, chunk.KindImpl); err != nil || !isImpl {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		w, pieces, err := b.whole(ctx, proj, c)
		if err != nil {
			return nil, nil, err
		}
		if taken[w.Path+"\x00"+w.Name] {
			continue
		}
		taken[w.Path+"\x00"+w.Name] = true
		it, err := files.item(w, RoleImpl, pieces...)
		if err != nil {
			continue // unreadable now: leave it out
		}
		all = append(all, it)
	}
	// Those of the protocol's own file first (String.Chars's BitString,
	// List, Integer beside it before URI's and Date's), as a Go
	// interface's own package's: written with it, they show what it was
	// meant for. Then the lookup's order.
	slices.SortStableFunc(all, func(x, y *Item) int {
		return cmpBool(x.Path != tc.Path, y.Path != tc.Path)
	})
	// The lookup stopped at its limit: there may be more than were found.
	more := ""
	if len(cs) == maxImplLookup {
		more = " or more"
	}
	impls, further = splitImpls(all, more)
	return impls, further, nil
}

// splitImpls returns the first maxImpls of all, the implementations
// found in order, and the others (further), each numbered (implN) of
// len(all), more saying " or more" when the lookup stopped at its limit.
func splitImpls(all []*Item, more string) (impls, further []*Item) {
	for i, it := range all {
		it.implN, it.implOf = i+1, fmt.Sprint(len(all), more)
	}
	return all[:min(len(all), maxImpls)], all[min(len(all), maxImpls):]
}

// lateImpls returns further, the implementations past the first maxImpls,
// to go after the search hits: fitted as any candidate while the
// room they would take in all (by their bytes, bytesPerToken to a token,
// which errs low) is within room; those past it, which could not fit
// whatever else went in, only listed among those left out (Item.further),
// as cheaply as before: io.Reader has some 60 in the standard library.
func lateImpls(further []*Item, room int) []*Item {
	for _, it := range further {
		if room -= len(it.full) / bytesPerToken; room < 0 {
			it.further = fmt.Sprintf("implementation %d of %s, after the search hits", it.implN, it.implOf)
		}
	}
	return further
}

// bytesPerToken is more bytes of code than a token takes, most often:
// code divided by it is fewer tokens than it takes.
const bytesPerToken = 5

// implKey identifies an implementation however it goes in: as such, or
// as a search hit, an item of its own.
func implKey(it *Item) string { return it.Path + "\x00" + it.Name }

// implNoteMap is the implementations of the target, impls and further
// (splitImpls), by implKey.
func implNoteMap(impls, further []*Item) map[string]*Item {
	if len(impls)+len(further) == 0 {
		return nil
	}
	out := make(map[string]*Item, len(impls)+len(further))
	for _, it := range slices.Concat(impls, further) {
		out[implKey(it)] = it
	}
	return out
}

// noteImpls says of each implementation of the target (impls, by
// implKey) past the first maxImpls which it is, in or out: the first go
// before the callers (beforeCallers); the further ones after the search
// hits, while room remains (a window far from full would otherwise leave
// them out for their number alone), or as a search hit when one is the
// same unit — which goes in that role, in the hits' place, and says it
// is an implementation too, so that the numbers run on. One left out is
// listed as an implementation, whichever place it had.
func noteImpls(out *Context, impls map[string]*Item) {
	if len(impls) == 0 {
		return
	}
	note := func(it *Item) {
		im, ok := impls[implKey(it)]
		if !ok || im.implN <= maxImpls {
			return
		}
		n := fmt.Sprintf("implementation %d of %s", im.implN, im.implOf)
		if strings.Contains(it.Reason, n) {
			return // only listed (lateImpls): said so
		}
		if it.Form == "" {
			// Left out, it is listed as what it is, whichever place it
			// had: a search hit's copy went where the hits go.
			it.Role = RoleImpl
		}
		if it.Role != RoleImpl {
			n += ", as a search hit"
		} else {
			n += ", after the search hits"
		}
		if it.Reason == "" {
			it.Reason = n
		} else {
			it.Reason += "; " + n
		}
	}
	for i := range out.Included {
		note(&out.Included[i])
	}
	for i := range out.Dropped {
		note(&out.Dropped[i])
	}
}

// beforeCallers returns near, a target's neighbours (its callees, then
// its callers), with impls after the callees.
func beforeCallers(near, impls []*Item) []*Item {
	if len(impls) == 0 {
		return near
	}
	i := slices.IndexFunc(near, func(it *Item) bool { return it.Role == RoleCaller })
	if i < 0 {
		i = len(near)
	}
	return slices.Concat(near[:i], impls, near[i:])
}
