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
// of Enumerable's would take the room of every caller.
const maxImpls = 3

// maxImplLookup bounds the units named like the function that are looked
// through for its implementations (17 end with reduce/3 in Elixir's own
// source), and the implementations of a Go interface given or listed.
const maxImplLookup = 64

// implementations returns, for tc, a function of an Elixir protocol
// (Enumerable.reduce/3), up to maxImpls of its implementations — the
// function of that name of a defimpl of the protocol
// (Enumerable.List.reduce/3) —, the project's own code and the most
// central first, as the lookup by name orders them; for a Go interface or
// a method of one (target, the item of tc, and typed, the target as the
// request gave it, say which), those of goImplementations; none for any
// other unit. The symbol graph links them to nothing: the protocol dispatches
// to them at run time, and a caller names only the protocol. The
// implementations beyond those are returned too (further), to be listed
// among what was left out unless they go in otherwise (a search hit):
// without them the context would not say that Enumerable.reduce/3 has
// nine more.
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
	// The lookup stopped at its limit: there may be more than were found.
	more := ""
	if len(cs) == maxImplLookup {
		more = " or more"
	}
	for i, it := range all[min(len(all), maxImpls):] {
		it.further = fmt.Sprintf("implementation %d of %d%s; up to %d go in", maxImpls+i+1, len(all), more, maxImpls)
	}
	return all[:min(len(all), maxImpls)], all[min(len(all), maxImpls):], nil
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
