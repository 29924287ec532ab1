package ctxbuild

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// fileCache reads the project's files once each and gives chunks their
// current text; a file that changed since it was indexed is chunked again
// and its chunks found by name.
type fileCache struct {
	root  string
	real  string // root with its symlinks resolved
	opt   chunk.Options
	src   map[string][]byte
	fresh map[string][]chunk.Chunk
	stale map[string]bool
	// private are the paths never read (Config.Private) that are there,
	// with their symlinks resolved.
	private []string
	// indexed says whether the index has a file (Builder.resolve sets
	// it): a file it does not have is new, and may be one renamed.
	indexed func(rel string) bool
	// ignored says of Go files read for it whether the go tool ignores
	// them (goIgnored).
	ignored map[string]bool
	// starts are the offsets of the lines of files read (lineStarts).
	starts map[string][]int
}

func newFileCache(root string, opt chunk.Options, private []string) *fileCache {
	f := &fileCache{root: root, real: root, opt: opt, src: map[string][]byte{}, fresh: map[string][]chunk.Chunk{}, stale: map[string]bool{}}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		f.real = r
	}
	for _, p := range private {
		if r, err := filepath.EvalSymlinks(p); p != "" && err == nil {
			f.private = append(f.private, r)
		}
	}
	return f
}

// privateErr refuses abs, a file of the project, when it is at or beneath
// one of aiex's own paths (Config.Private), by its path or where its
// symlinks lead: aiex's keys and store never go to a model.
func (f *fileCache) privateErr(p, abs string) error {
	for _, d := range f.private {
		if within.Root(d, abs) {
			return usererr.New("%s is aiex's own state (%s), which is never sent to a model", p, d)
		}
	}
	return nil
}

// read returns the file at p (slash-separated, relative to the root) as it
// is now. A file gone since it was indexed, or replaced by a symlink that
// leads out of the project (see app/index's walk: not the project's
// code), is a *usererr.Error saying to index again.
func (f *fileCache) read(p string) ([]byte, error) {
	if src, ok := f.src[p]; ok {
		return src, nil
	}
	abs := filepath.Join(f.root, filepath.FromSlash(p))
	if err := f.privateErr(p, abs); err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, deleted(f.root, p, f.indexed)
	}
	if !within.Root(f.real, abs) {
		return nil, usererr.New("%s is now a symlink to a file outside the project; run aiex index", p)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("ctxbuild: %w", err)
	}
	f.src[p] = b
	return b, nil
}

// chunks returns the units of p as the chunker sees src, its content now,
// and marks p stale: it is only chunked again when it changed.
func (f *fileCache) chunks(p string, src []byte) ([]chunk.Chunk, error) {
	f.stale[p] = true
	if cs, ok := f.fresh[p]; ok {
		return cs, nil
	}
	opt := f.opt
	if opt.Trees != nil {
		opt.TreeKey = filepath.Join(f.root, filepath.FromSlash(p)) // as the index keys it
	}
	res, err := chunk.File(p, src, opt)
	if err != nil {
		return nil, fmt.Errorf("ctxbuild: %s: %w", p, err)
	}
	f.fresh[p] = res.Chunks
	return res.Chunks, nil
}

// unchanged reports whether src still holds each of cs, the file's chunks
// in the index, where the index saw it, and is as long as it was (size,
// or -1 if unknown: code added after the last unit changes no chunk); if
// not, the file is chunked again (and marked stale).
func (f *fileCache) unchanged(p string, src []byte, cs []db.CodeChunk, size int64) (bool, error) {
	if f.stale[p] {
		return false, nil
	}
	if size >= 0 && int64(len(src)) != size {
		_, err := f.chunks(p, src)
		return false, err
	}
	for _, c := range cs {
		if !current(src, c, nil) {
			_, err := f.chunks(p, src)
			return false, err
		}
	}
	return true, nil
}

// wholeFile is the chunk of a PATH target: the whole file as it is now,
// of kind KindFile, named by its path. cs are its chunks in the index,
// size its length then (-1 if unknown). A file now empty is refused.
func (f *fileCache) wholeFile(p string, cs []db.CodeChunk, size int64) (db.CodeChunk, error) {
	src, err := f.read(p)
	if err != nil {
		return db.CodeChunk{}, err
	}
	if strings.TrimSpace(string(src)) == "" {
		return db.CodeChunk{}, usererr.New("%s is empty now: there is no code to show (it changed since it was indexed)", p)
	}
	if _, err := f.unchanged(p, src, cs, size); err != nil {
		return db.CodeChunk{}, err
	}
	return db.CodeChunk{Path: p, Lang: cs[0].Lang, Name: p, Kind: KindFile, StartLine: 1, EndLine: lineCount(src),
		StartByte: 0, EndByte: len(src)}, nil
}

// maxPlainFile bounds a file taken whole without chunks (plainFile): one
// larger would not fit any model's window, and is not read to say so.
const maxPlainFile = 4 << 20

// plainFile is the target p when the index has no chunk of it although it
// is there, because p is of a kind the index does not chunk (go.mod, a
// .txt or .toml file): the text file taken whole, as the file of a path
// target is. ok is false for a file the index takes (it says what would
// help), one it left out (ignored, skipped), and one that
// is empty, binary or too large: noUnits says which.
func (f *fileCache) plainFile(p string, ix db.CodeFile, had bool) (_ db.CodeChunk, ok bool) {
	if index.Takes(p) || had && ix.Skipped != "" || !had && index.Ignored(f.real, p) != "" {
		return db.CodeChunk{}, false
	}
	fi, err := os.Stat(filepath.Join(f.root, filepath.FromSlash(p)))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxPlainFile {
		return db.CodeChunk{}, false
	}
	src, err := f.read(p)
	if err != nil || strings.TrimSpace(string(src)) == "" || !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 {
		return db.CodeChunk{}, false
	}
	return db.CodeChunk{Path: p, Lang: chunk.Lang(p), Name: p, Kind: KindFile, StartLine: 1, EndLine: lineCount(src),
		StartByte: 0, EndByte: len(src)}, true
}

// lineCount is how many lines src has: a last line without a newline
// counts.
func lineCount(src []byte) int {
	n := strings.Count(string(src), "\n")
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return max(n, 1)
}

// chunkAtLine is the chunk of PATH:LINE: the innermost unit holding the
// line, or on a line of no unit's (a blank line, a comment of no unit's),
// the first unit from there on, else the last one — in the file as it is
// now. cs are the file's chunks in the index; when the file changed since,
// the line is looked for in its chunks now, and the unit found keeps its
// id in the index (its place in the symbol graph) if it has one. size is
// the file's length when it was indexed (-1 if unknown).
func (f *fileCache) chunkAtLine(p string, cs []db.CodeChunk, line int, size int64) (db.CodeChunk, error) {
	src, err := f.read(p)
	if err != nil {
		return db.CodeChunk{}, err
	}
	ok, err := f.unchanged(p, src, cs, size)
	if err != nil {
		return db.CodeChunk{}, err
	}
	list := cs
	if !ok {
		list = nil
		for _, c := range f.fresh[p] {
			list = append(list, db.CodeChunk{Path: p, Lang: c.Lang, Name: c.Name, Kind: c.Kind, Parent: c.Parent,
				StartLine: c.StartLine, EndLine: c.EndLine, StartByte: c.StartByte, EndByte: c.EndByte,
				Tokens: c.Tokens, Hash: c.Hash, Refs: c.Refs, Private: c.Private, Defaults: c.Defaults})
		}
		if len(list) == 0 {
			return db.CodeChunk{}, usererr.New("%s has no units now (it changed since it was indexed)", p)
		}
	}
	var at *db.CodeChunk // innermost holding the line
	last := 0
	for i := range list {
		c := &list[i]
		last = max(last, c.EndLine)
		if c.StartLine <= line && line <= c.EndLine && (at == nil || c.EndLine-c.StartLine < at.EndLine-at.StartLine) {
			at = c
		}
	}
	if at == nil {
		if line > last {
			if !ok {
				return db.CodeChunk{}, usererr.New("%s has no code at line %d (its last unit ends at line %d)", p, line, last)
			}
			return db.CodeChunk{}, usererr.New("%s has no code at line %d in the index (its last unit ends at line %d); run aiex index if it changed", p, line, last)
		}
		for i := range list {
			if list[i].StartLine >= line {
				at = &list[i]
				break
			}
		}
	}
	c := *at
	if !ok {
		// Its place in the symbol graph: the unit of that name in the
		// index nearest where it is now.
		var best *db.CodeChunk
		for i := range cs {
			if cs[i].Name == c.Name && (best == nil || dist(cs[i].StartByte, c.StartByte) < dist(best.StartByte, c.StartByte)) {
				best = &cs[i]
			}
		}
		if best != nil {
			c.ID = best.ID
		}
	}
	return c, nil
}

func (f *fileCache) item(c db.CodeChunk, role string, pieces ...db.CodeChunk) (*Item, error) {
	src, err := f.read(c.Path)
	if err != nil {
		return nil, err
	}
	it := &Item{Role: role, Path: c.Path, Name: c.Name, Kind: c.Kind, StartLine: c.StartLine, EndLine: c.EndLine, id: c.ID, hash: c.Hash}
	if c.Kind == KindFile {
		it.StartLine, it.EndLine, it.end = 1, lineCount(src), len(src)
		it.full = string(src)
		return it, nil
	}
	if current(src, c, pieces) {
		it.start, it.end = lineStart(src, c.StartByte), c.EndByte
		it.full = string(src[it.start:it.end])
		return it, nil
	}
	// The file changed since it was indexed: find the unit by name.
	cs, err := f.chunks(c.Path, src)
	if err != nil {
		return nil, err
	}
	// The chunker names units as the index does. A name may occur more
	// than once (Go's init functions): the one nearest where it was. A
	// unit too large for one chunk is NAME#1 … NAME#N, however many now.
	var first, last *chunk.Chunk
	for i := range cs {
		if nc := &cs[i]; nc.Name == c.Name && (first == nil || dist(nc.StartByte, c.StartByte) < dist(first.StartByte, c.StartByte)) {
			first, last = nc, nc
		}
	}
	if first == nil {
		for i := range cs {
			if base, ok := chunk.PieceOf(cs[i].Name); ok && base == c.Name {
				if first == nil {
					first = &cs[i]
				}
				last = &cs[i]
			}
		}
	}
	if first == nil {
		return nil, usererr.New("%s is no longer in %s; run aiex index", c.Name, c.Path)
	}
	it.StartLine, it.EndLine = first.StartLine, last.EndLine
	it.start, it.end = lineStart(src, first.StartByte), last.EndByte
	it.full = string(src[it.start:it.end])
	return it, nil
}

// lineStart is start, where a chunk's code starts in src, moved back over
// the white space before it on its line: the chunk's first line is shown
// indented as its file has it (a def of a module, a nested module), as
// its other lines are. A chunk that starts mid-line starts where it does.
func lineStart(src []byte, start int) int {
	i := start
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	if i == 0 || src[i-1] == '\n' {
		return i
	}
	return start
}

// isLink reports whether the file at p (slash-separated, relative to the
// root) is a symlink.
func (f *fileCache) isLink(p string) bool {
	fi, err := os.Lstat(filepath.Join(f.root, filepath.FromSlash(p)))
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

func dist(a, b int) int { return max(a-b, b-a) }

// current reports whether src still holds chunk c where the index saw
// it: c itself or, for a unit in pieces, each of its pieces.
func current(src []byte, c db.CodeChunk, pieces []db.CodeChunk) bool {
	if len(pieces) > 0 {
		for _, p := range pieces {
			if !current(src, p, nil) {
				return false
			}
		}
		return c.StartByte >= 0 && c.EndByte <= len(src) && c.StartByte < c.EndByte
	}
	if c.StartByte < 0 || c.EndByte > len(src) || c.StartByte >= c.EndByte {
		return false
	}
	return chunk.Hash(src[c.StartByte:c.EndByte]) == c.Hash
}

// unit is one unit of a file as it is now: a leaf chunk, or the pieces of
// one the chunker split, joined. Offsets are the file's.
type unit struct {
	name, kind         string
	start, end         int // bytes
	startLine, endLine int
	private            bool
	path               string // its file, when not its target's (a package's units)
}

// units returns the units of file p inside its bytes [start, end) — a
// whole file, or a module's — in file order, as the file is now: from
// indexed, its chunks in the index, when it is unchanged, else from its
// chunks now. Containers are left out: their text is their units'.
func (f *fileCache) units(p string, start, end int, indexed []db.CodeChunk) []unit {
	var all []unit
	if f.stale[p] {
		for _, c := range f.fresh[p] {
			all = append(all, unit{name: c.Name, kind: c.Kind, start: c.StartByte, end: c.EndByte, startLine: c.StartLine, endLine: c.EndLine, private: c.Private})
		}
	} else {
		for _, c := range indexed {
			all = append(all, unit{name: c.Name, kind: c.Kind, start: c.StartByte, end: c.EndByte, startLine: c.StartLine, endLine: c.EndLine, private: c.Private})
		}
	}
	slices.SortStableFunc(all, func(a, b unit) int { return a.start - b.start })
	var out []unit
	for _, u := range all {
		if container(u.kind) || u.start < start || u.end > end || (len(out) > 0 && u.start < out[len(out)-1].end) {
			continue
		}
		if base, ok := chunk.PieceOf(u.name); ok {
			if n := len(out); n > 0 && out[n-1].name == base && out[n-1].kind == u.kind {
				out[n-1].end, out[n-1].endLine = u.end, u.endLine // the next piece of the same unit
				continue
			}
			u.name = base
		}
		out = append(out, u)
	}
	return out
}

func (f *fileCache) staleList() []string {
	out := make([]string, 0, len(f.stale))
	for p := range f.stale {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
