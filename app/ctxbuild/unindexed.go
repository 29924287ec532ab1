package ctxbuild

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
)

// Bounds of unindexedDefinition's look at files the index has not seen as
// they are: it runs only for a name nothing in the index has, and reads
// no more than this.
const (
	maxUnindexedFiles = 64
	maxUnindexedBytes = 8 << 20
)

// unindexedDefinition returns the file of the project that defines target
// now though the index has no unit of that name: one edited since it was
// indexed (new is false) or one new since, in a directory the index has
// files of (new is true), that the chunker finds a unit named target in.
// A user who adds a function and asks of it before indexing is told
// where it is and what to run, not only that nothing has that name. It is
// "" when no such file does; files the walk would leave out (.gitignore,
// aiex's own state) are not looked at.
func (b *Builder) unindexedDefinition(ctx context.Context, proj db.CodeProject, files *fileCache, target string) (rel string, isNew bool) {
	held, err := b.cfg.Store.CodeFiles(ctx, proj.ID)
	if err != nil || len(held) == 0 {
		return "", false
	}
	var changed, added []string
	dirs := map[string]bool{}
	for p, f := range held {
		dirs[path.Dir(p)] = true
		if f.Skipped != "" || chunk.Lang(p) == "" {
			continue
		}
		fi, err := os.Stat(filepath.Join(proj.Root, filepath.FromSlash(p)))
		if err == nil && fi.Mode().IsRegular() && (fi.Size() != f.Size || fi.ModTime().UnixNano() != f.MtimeNS) {
			changed = append(changed, p)
		}
	}
	for d := range dirs {
		entries, err := os.ReadDir(filepath.Join(proj.Root, filepath.FromSlash(d)))
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := path.Join(d, e.Name())
			if _, ok := held[p]; !ok && e.Type().IsRegular() && chunk.Lang(p) != "" && index.Takes(p) {
				added = append(added, p)
			}
		}
	}
	slices.Sort(changed)
	slices.Sort(added)
	name, _ := goName(target)
	read, budget := 0, int64(maxUnindexedBytes)
	for i, p := range append(changed, added...) {
		if read == maxUnindexedFiles || ctx.Err() != nil {
			break
		}
		abs := filepath.Join(proj.Root, filepath.FromSlash(p))
		if files.privateErr(p, abs) != nil {
			continue
		}
		if fi, err := os.Stat(abs); err != nil || fi.Size() > budget {
			continue
		}
		src, err := os.ReadFile(abs)
		if err != nil {
			continue
		}
		read++
		budget -= int64(len(src))
		cs, err := files.chunks(p, src)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if namesUnit(c.Name, name) && index.Ignored(proj.Root, p) == "" {
				return p, i >= len(changed)
			}
		}
	}
	return "", false
}

// namesUnit reports whether target, a name as typed (a Go name without
// its import path), names the unit called name: the whole name, a last
// part of it after a dot (Put for store.Put, Cart.new/0 for
// Shop.Cart.new/0), or either without an Elixir arity the typed name
// leaves out (Shop.Cart.add_item for Shop.Cart.add_item/2).
func namesUnit(name, target string) bool {
	if target == "" || name == "" {
		return false
	}
	for _, n := range []string{name, withoutArity(name)} {
		if n == target || strings.HasSuffix(n, "."+target) {
			return true
		}
	}
	return false
}

// withoutArity is an Elixir function's name without its /arity: name
// itself when it has none.
func withoutArity(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 || !isDigits(name[i+1:]) {
		return name
	}
	return name[:i]
}

// newWithUnits reports whether p, a file of the project the index has no
// chunks of, is new to it (had is false) in a language the index takes,
// not left out by .gitignore, and has units now; they are then in the
// cache, p marked stale, for chunkAtLine to find, and whole is the chunk
// of the whole file (a PATH target's).
func (f *fileCache) newWithUnits(p string, had bool) (whole db.CodeChunk, ok bool) {
	if had || !index.Takes(p) || index.Ignored(f.real, p) != "" {
		return db.CodeChunk{}, false
	}
	src, err := f.read(p)
	if err != nil {
		return db.CodeChunk{}, false
	}
	if cs, err := f.chunks(p, src); err != nil || len(cs) == 0 {
		return db.CodeChunk{}, false
	}
	return db.CodeChunk{Path: p, Lang: chunk.Lang(p), Name: p, Kind: KindFile, StartLine: 1, EndLine: lineCount(src),
		StartByte: 0, EndByte: len(src)}, true
}
