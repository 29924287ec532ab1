package ctxbuild

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// maxMutators is how many methods that put state into the receiver of a
// gen-tests target go with it (goMutators).
const maxMutators = 2

// setupVerbs start the names of methods that put state into what they
// are called on, the likeliest first among a type's mutators.
var setupVerbs = []string{"Add", "Put", "Set", "Insert", "Push", "Append", "Register", "Store", "Load", "Write", "Create",
	"Update", "Upsert", "Enqueue", "Fill", "Init", "Open", "Start"}

// goMutators returns, for a gen-tests target that is a method of recv (a
// type of the target's package), the methods of recv that put state into
// it — a pointer receiver, arguments, and no result but an error: Add
// for a test of Remove, which has nothing to remove from a new Store —
// as constructors (RoleConstructor): a test needs them to set up what
// the target acts on. Those named by a setup verb (setupVerbs) come
// first, then in file order; the target's file's and recv's file's
// methods are looked at (cs are the target file's chunks), at most
// maxMutators taken. Getters (a result) and the target itself are not.
func (b *Builder) goMutators(ctx context.Context, proj db.CodeProject, recv db.CodeChunk, target *Item, cs []db.CodeChunk, files *fileCache) ([]*Item, error) {
	pkg, typ, ok := strings.Cut(recv.Name, ".")
	if !ok {
		return nil, nil
	}
	prefix := pkg + ".(*" + typ + ")."
	all := slices.Clone(cs)
	if recv.Path != target.Path {
		more, err := b.cfg.Store.CodeChunks(ctx, proj.ID, recv.Path)
		if err != nil {
			return nil, err
		}
		all = append(all, more...)
	}
	type mutator struct {
		it   *Item
		verb int // its setup verb's place in setupVerbs, len(setupVerbs) for none
	}
	var muts []mutator
	seen := map[string]bool{}
	for _, c := range all {
		name, ok := strings.CutPrefix(c.Name, prefix)
		if c.Kind != chunk.KindMethod || !ok || c.Name == target.Name || seen[c.Name] || strings.ContainsRune(name, '#') {
			continue
		}
		seen[c.Name] = true
		it, err := b.typeItem(ctx, proj, c, RoleConstructor, files)
		if err != nil {
			return nil, err
		}
		if it == nil || !putsState(it.full) {
			continue
		}
		verb := slices.IndexFunc(setupVerbs, func(v string) bool { return startsWord(name, v) })
		if verb < 0 {
			verb = len(setupVerbs)
		}
		muts = append(muts, mutator{it, verb})
	}
	slices.SortStableFunc(muts, func(a, b mutator) int { return a.verb - b.verb })
	var out []*Item
	for _, m := range muts[:min(len(muts), maxMutators)] {
		out = append(out, m.it)
	}
	return out, nil
}

// startsWord reports whether name starts with the word w: followed by
// nothing or by an upper-case letter or a digit (AddItem, not Address).
func startsWord(name, w string) bool {
	rest, ok := strings.CutPrefix(name, w)
	return ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z' || rest[0] >= '0' && rest[0] <= '9' || rest[0] == '_')
}

// putsState reports whether code, a Go method, reads as one that puts
// state into its receiver: a pointer receiver, at least one parameter,
// and no result but an error.
func putsState(code string) bool {
	src := signature(code)
	if src == "" {
		src = code
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+src, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) == 0 {
		return false
	}
	fn, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok || fn.Recv == nil || len(fn.Recv.List) == 0 || fn.Type.Params.NumFields() == 0 {
		return false
	}
	if _, ptr := fn.Recv.List[0].Type.(*ast.StarExpr); !ptr {
		return false
	}
	if res := fn.Type.Results; res != nil {
		if res.NumFields() != 1 {
			return false
		}
		if id, ok := res.List[0].Type.(*ast.Ident); !ok || id.Name != "error" {
			return false
		}
	}
	return true
}
