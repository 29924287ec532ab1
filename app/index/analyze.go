package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// analysis is what the chunker made of one content, in the cache's form:
// names of chunks named after their file are relative ("" or "#2"), refs
// are qualified (see qualify), warnings carry no path.
type analysis struct {
	lang     string
	chunks   []db.CodeChunk
	warnings []string
	skip     chunk.SkipReason
	// encoded is chunks in the cache's format, set when this run made the
	// analysis (the store has no row for it yet).
	encoded []byte
}

// result is one read file, ready for the writer.
type result struct {
	e     entry
	hash  string
	bytes int64
	// touched: the content is what the store has, only the stat changed.
	touched bool
	// skip/why: the file cannot be indexed (read error, binary, …).
	skip, why string
	an        *analysis
	cached    bool // an came from the store's cache, not from chunking
	walked    bool // skipped by the walk, never read
	terms     []db.CodeTerms
	// keep: for a changed file, the ids of its rows that hold a chunk of
	// the new content already, by chunk index (see db.CodeChunked.Keep).
	keep []int64
	// readAt is when the file was read: a write after it in the same
	// clock tick would leave its mtime as recorded (writer.go, racy).
	readAt time.Time
	// again: the content is what the store has, analysed again because
	// another analyzer made its rows (Summary.Reanalyzed); upgraded: that
	// analyzer was another version of aiex's.
	again, upgraded bool
	// forced: the content is what the store has, by the same analyzer;
	// only the run's Force rewrote its rows.
	forced bool
}

// analyzer reads, hashes and chunks files. One is shared by the workers of
// a run; each worker has its own terms builder.
type analyzer struct {
	root    string
	project int64
	name    func(rel string) string // the analyzer name of a file (Indexer.Analyzer)
	opt     chunk.Options
	store   cacheReader
	prev    map[string]db.CodeFile
	// force: rewrite the rows of every file read, even when its content
	// is what the store has.
	force bool
	// trees keeps the syntax trees of edited files (Config.Trees), or nil.
	trees   *chunk.Trees
	readErr func(rel string) error // test hook: fail reading rel

	mu     sync.Mutex
	recent map[string]*analysis // this run's latest analyses, by content hash and analyzer
}

// cacheReader looks up cached analyses and a file's current chunks
// (db.Store does).
type cacheReader interface {
	CodeAnalysis(ctx context.Context, contentHash, analyzer string) (db.CodeAnalysis, bool, error)
	CodeChunks(ctx context.Context, project int64, path string) ([]db.CodeChunk, error)
}

// file reads and analyses one file.
func (a *analyzer) file(c context.Context, e entry, t *terms) (*result, error) {
	r := &result{e: e}
	src, err := a.read(e)
	r.readAt = time.Now()
	if err != nil {
		r.skip, r.why = reasonUnreadable, errText(err)
		return r, nil
	}
	r.bytes = int64(len(src))
	sum := sha256.Sum256(src)
	r.hash = hex.EncodeToString(sum[:])
	lang := chunk.Lang(e.rel)
	name := a.name(e.rel)
	p, had := a.prev[e.rel]
	if had && !a.force && p.ContentHash == r.hash && p.Skipped == "" && p.Analyzer == name {
		r.touched = true
		return r, nil
	}
	if had && p.ContentHash == r.hash && p.Skipped == "" && p.Analyzer != name {
		r.again, r.upgraded = true, OtherVersion(p.Analyzer)
	}
	r.forced = had && a.force && p.ContentHash == r.hash && p.Skipped == "" && p.Analyzer == name
	// The rows of a file this analyzer indexed before: those holding a
	// chunk of the new content stay (an edit shifts the chunks after it,
	// it seldom changes them), and their words need not be made again.
	// They are read while the file is chunked: for one large edited file,
	// the whole run waits on its parse.
	var oldRows chan rowsOrErr
	if had && !a.force && p.Skipped == "" && p.Analyzer == name && p.ContentHash != "" {
		oldRows = make(chan rowsOrErr, 1)
		go func() {
			rows, err := a.store.CodeChunks(c, a.project, e.rel)
			oldRows <- rowsOrErr{rows, err}
		}()
	}
	r.an, r.cached, err = a.analysis(c, e.rel, src, r.hash, lang, name, had && p.ContentHash != r.hash)
	var old rowsOrErr
	if oldRows != nil {
		old = <-oldRows
	}
	if err != nil {
		return nil, err
	}
	if r.an.skip != "" {
		r.skip = string(r.an.skip)
		if len(r.an.warnings) > 0 {
			r.why = r.an.warnings[0]
		}
		return r, nil
	}
	base := path.Base(e.rel)
	if oldRows != nil {
		if old.err != nil {
			return nil, old.err
		}
		r.keep = keepRows(old.rows, r.an.chunks, base)
	}
	r.terms = make([]db.CodeTerms, len(r.an.chunks))
	for i, ch := range r.an.chunks {
		if r.keep != nil && r.keep[i] != 0 {
			continue
		}
		full := fullName(ch.Name, base)
		if !namedAfterContainer(ch.Kind, ch.Parent) {
			members := ch.Members
			if ch.Kind == chunk.KindType {
				// An interface's methods ((*T).M) are words of its
				// body; as words of its name they would make it a name
				// match, weighing 8×, for each method it declares.
				members = nil
			}
			r.terms[i].Name = t.nameAndMembers(full, members)
		}
		if !container(ch.Kind) && ch.StartByte >= 0 && ch.EndByte <= len(src) && ch.StartByte <= ch.EndByte {
			r.terms[i].Body = t.body(src[ch.StartByte:ch.EndByte])
		}
	}
	return r, nil
}

type rowsOrErr struct {
	rows []db.CodeChunk
	err  error
}

// keepRows matches a file's current rows with the chunks of its new
// content: a row is kept for a chunk of the same name, kind, bytes, refs
// and members (so the same words and code_refs rows), each row once. It
// returns the kept row's id by chunk index, or nil if none is kept.
func keepRows(old, chunks []db.CodeChunk, base string) []int64 {
	if len(old) == 0 {
		return nil
	}
	key := func(name string, c db.CodeChunk) string {
		return name + "\x00" + c.Kind + "\x00" + c.Hash + "\x00" + strings.Join(c.Refs, "\x00") +
			"\x01" + strings.Join(c.Members, "\x00")
	}
	ids := make(map[string][]int64, len(old))
	for _, c := range old {
		k := key(c.Name, c)
		ids[k] = append(ids[k], c.ID)
	}
	var keep []int64
	for i, c := range chunks {
		k := key(fullName(c.Name, base), c)
		if l := ids[k]; len(l) > 0 {
			if keep == nil {
				keep = make([]int64, len(chunks))
			}
			keep[i], ids[k] = l[0], l[1:]
		}
	}
	return keep
}

// read reads a file the walk found. It reads at most one byte over the
// size limit, so that a file that grew past it since the walk is skipped
// as too large without being read whole; it opens without blocking, so
// that a file replaced by a FIFO since cannot hang the run.
func (a *analyzer) read(e entry) ([]byte, error) {
	if a.readErr != nil {
		if err := a.readErr(e.rel); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(filepath.Join(a.root, filepath.FromSlash(e.rel)), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New(reasonNotRegular)
	}
	limit := int64(a.opt.MaxFileSize)
	buf := make([]byte, min(fi.Size(), limit)+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return buf[:n], nil
}

// maxRecent bounds analyzer.recent.
const maxRecent = 1024

// analysis returns the analysis of a content: from this run, from the
// store's cache, or by chunking it. An edited file (one whose earlier
// content the index had) is chunked with the kept syntax trees.
func (a *analyzer) analysis(c context.Context, rel string, src []byte, hash, lang, name string, edited bool) (*analysis, bool, error) {
	a.mu.Lock()
	an := a.recent[hash+"\x00"+name]
	a.mu.Unlock()
	if an != nil {
		return an, false, nil
	}
	row, ok, err := a.store.CodeAnalysis(c, hash, name)
	if err != nil {
		return nil, false, err
	}
	if ok {
		return &analysis{lang: row.Lang, chunks: row.Chunks, warnings: row.Warnings}, true, nil
	}
	opt := a.opt
	if edited && a.trees != nil {
		opt.Trees, opt.TreeKey = a.trees, filepath.Join(a.root, filepath.FromSlash(rel))
	}
	res, err := chunk.File(rel, src, opt)
	if err != nil {
		return nil, false, fmt.Errorf("index: chunk %s: %w", rel, err)
	}
	an = &analysis{lang: res.Lang, skip: res.Skipped, warnings: make([]string, 0, len(res.Warnings))}
	for _, w := range res.Warnings {
		an.warnings = append(an.warnings, strings.TrimPrefix(w, rel+": "))
	}
	if res.Skipped == "" {
		an.chunks = cacheChunks(res.Chunks, path.Base(rel))
		an.encoded = db.EncodeCodeChunks(nil, an.chunks)
		a.mu.Lock()
		if len(a.recent) >= maxRecent {
			clear(a.recent) // a bound on memory; duplicates tend to come together
		}
		a.recent[hash+"\x00"+name] = an
		a.mu.Unlock()
	}
	return an, false, nil
}

// cacheChunks converts the chunker's chunks to the cache's form.
func cacheChunks(cs []chunk.Chunk, base string) []db.CodeChunk {
	out := make([]db.CodeChunk, len(cs))
	for i, c := range cs {
		name := c.Name
		if rest, ok := strings.CutPrefix(name, base); ok && (rest == "" || rest[0] == '#') {
			name = rest
		}
		out[i] = db.CodeChunk{
			Name: name, Kind: c.Kind, Parent: c.Parent, StartLine: c.StartLine, EndLine: c.EndLine,
			StartByte: c.StartByte, EndByte: c.EndByte, Tokens: c.Tokens, Hash: c.Hash,
			Refs: qualify(c), Private: c.Private, Defaults: c.Defaults, Members: c.Members, Imports: c.Imports,
			Shape: c.Shape,
		}
	}
	return out
}

// fullName completes a cached name relative to the file name.
func fullName(name, base string) string {
	if name == "" || name[0] == '#' {
		return base + name
	}
	return name
}

// qualify turns a chunk's refs into the names they resolve to (see the
// code_edges view): a Go name used without a package is a name of the
// chunk's own package (Header in package http: http.Header); an Elixir
// local call is a function of the enclosing module (helper in MyApp.Repo:
// MyApp.Repo.helper). Qualified names and Elixir module names stay.
func qualify(c chunk.Chunk) []string {
	if len(c.Refs) == 0 {
		return nil
	}
	prefix := ""
	switch c.Lang {
	case "go":
		pkg, _, _ := strings.Cut(c.Name, ".")
		prefix = pkg + "."
	case "elixir":
		if c.Parent != "" {
			prefix = c.Parent + "."
		}
	}
	out := make([]string, 0, len(c.Refs))
	seen := make(map[string]bool, len(c.Refs))
	for _, r := range c.Refs {
		if prefix != "" && !strings.Contains(r, ".") && !(c.Lang == "elixir" && startsUpper(r)) {
			r = prefix + r
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return 'A' <= r && r <= 'Z'
}

// container reports kinds whose text is the text of the chunks inside
// them: their words are indexed there, not again.
func container(kind string) bool {
	c := chunk.Chunk{Kind: kind}
	return c.Container()
}
