package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/internal/keylock"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// version is this package's part of the analyzer name: bump it when the
// cached form of an analysis changes (how refs are qualified, which names
// are relative). The chunker's part is chunk.Version.
const version = 2

// DefaultBatchBytes is how many bytes of rows the writer gathers before it
// sends a batch (see DESIGN.md for the measurements behind it).
const DefaultBatchBytes = 4 << 20

// Config configures an Indexer. It works at its zero value except for Store.
type Config struct {
	Store *db.Store
	// Family is the tokenizer family whose counts the chunks carry. Counts
	// are always the family's estimate (tokens.Estimate), which is fast
	// enough to count a whole project; "" means tokens.FamilyGeneric.
	Family tokens.Family
	// Workers read and chunk files in parallel; 0 means GOMAXPROCS.
	Workers int
	// BatchBytes is the size of a write batch; 0 means DefaultBatchBytes.
	BatchBytes int
	// MaxFileSize: larger files are skipped unread; 0 means 1 MiB
	// (chunk.DefaultMaxFileSize).
	MaxFileSize int64
	// Exts are the file name extensions to index; nil means .go .ex .exs
	// .heex .eex .leex .md.
	Exts []string
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// Trees, when set, keeps the syntax trees of edited files (those the
	// index had an earlier version of) between runs, so that the next
	// edit of one reparses only what changed (chunk.Trees). A
	// long-running process sets it; a one-shot command has no next run.
	Trees *chunk.Trees

	// readErr, for tests, fails the reading of a file.
	readErr func(rel string) error
	// stmtTimes, for benchmarks, times each statement on its own.
	stmtTimes *stmtTimes
	// batched, for tests, is told the size of each batch the writer sends.
	batched func(bytes int)
}

// Indexer keeps projects' code indexes in the store. Runs may overlap:
// the store allocates chunk ids as it applies each write, and runs on one
// project in this process take turns (a run that waited then finds the
// files as the other left them).
type Indexer struct {
	cfg    Config
	opt    chunk.Options
	sig    string // analyzer name without the language
	logger *slog.Logger
}

// New returns an Indexer.
func New(cfg Config) *Indexer {
	if cfg.Family == "" {
		cfg.Family = tokens.FamilyGeneric
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.BatchBytes <= 0 {
		cfg.BatchBytes = DefaultBatchBytes
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = chunk.DefaultMaxFileSize
	}
	if cfg.Exts == nil {
		cfg.Exts = defaultExts
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opt := ChunkOptions(cfg.Family)
	opt.MaxFileSize = int(cfg.MaxFileSize)
	return &Indexer{
		cfg:    cfg,
		opt:    opt,
		sig:    Version() + "/" + string(cfg.Family),
		logger: logger,
	}
}

// Analyzer names how this Indexer analyses the file at path
// (slash-separated, relative to the project root). Cached analyses are
// keyed by it and the content's hash, so it holds all of the path that the
// chunks depend on: the language and the extension, which the chunker also
// reads (ExUnit's describe and test blocks are units in .exs files only).
// The file's name is left out: chunks named after it are cached with names
// relative to it (cacheChunks).
func (ix *Indexer) Analyzer(path string) string {
	return ix.sig + "/" + chunk.Lang(path) + "/" + filepath.Ext(path)
}

// Version is the part of the analyzer name (Analyzer) that only another
// version of aiex changes: this package's version, the chunker's, and how
// the index chunks (the strategy and the largest leaf). The tokenizer
// family after it is the configuration's (the default model's).
func Version() string {
	opt := ChunkOptions("")
	return fmt.Sprintf("index.v%d/chunk.v%d/%s-%d", version, chunk.Version, opt.Strategy, opt.MaxBytes)
}

// OtherVersion reports whether analyzer, the name of the analyzer a
// project's or a file's rows were made with (db.CodeProject.Analyzer,
// db.CodeFile.Analyzer), is another version of aiex's than this one: its
// chunk boundaries, names and references may not be those this one makes,
// until aiex index makes them again. "" (no name recorded) is.
func OtherVersion(analyzer string) bool {
	return !strings.HasPrefix(analyzer, Version()+"/")
}

// ByOtherVersion reports whether the last index run over the whole of
// project p was another version of aiex's: search, context, explain and
// ask then read chunks and references this one would make otherwise, and
// say so. A project no such run finished is not (it is incomplete).
func ByOtherVersion(p db.CodeProject) bool {
	return !p.IndexedAt.IsZero() && OtherVersion(p.Analyzer)
}

// ChunkOptions are the options the index chunks with, counting tokens for
// a family ("" is tokens.FamilyGeneric) with its estimate: aiex chunks
// uses them to show a file as the index stores it.
func ChunkOptions(f tokens.Family) chunk.Options {
	if f == "" {
		f = tokens.FamilyGeneric
	}
	return chunk.Options{Strategy: chunk.Hybrid, MaxBytes: chunk.DefaultMaxBytes, Count: tokens.Estimate{Family: f}.Count}
}

// Options configure one run of Index.
type Options struct {
	// Under limits the run to a directory or a file below the root:
	// slash-separated, relative to it; "" is the whole project.
	Under string
	// Force reads every file and rewrites its rows, whatever its size and
	// modification and change times say (chunks still come from the cache).
	Force bool
	// Progress, if set, is called from one goroutine as files are read,
	// at most every 100 ms, and once at the end.
	Progress func(Progress)
}

// Progress is how far a run is.
type Progress struct {
	Done, Total           int   // files read, of those to read
	DoneBytes, TotalBytes int64 // their sizes
	Elapsed               time.Duration
}

// Summary is what a run did.
type Summary struct {
	Root  string `json:"root"`
	Under string `json:"under,omitempty"`
	// Files = Unchanged + Changed + len(Skipped).
	Files     int `json:"files"`     // files with an indexed extension the walk found, or could not read
	Unchanged int `json:"unchanged"` // indexed as they are: same size, mtime and ctime, or same content
	Changed   int `json:"changed"`   // new, modified or re-analysed files indexed by this run
	Analyzed  int `json:"analyzed"`  // of those, chunked by this run
	Cached    int `json:"cached"`    // of those, with chunks from the analysis cache
	// Reanalyzed counts, of Changed, the files whose content is as the
	// index held it, analysed again only because their rows were made by
	// another analyzer: another version of aiex, or with another tokenizer
	// family's counts (the default model changed). Note says which.
	Reanalyzed int `json:"reanalyzed"`
	// Rewritten counts, of Changed, the files whose content is as the
	// index held it, by the same analyzer, whose rows were written again
	// only because the run was forced (Options.Force).
	Rewritten int    `json:"rewritten"`
	Removed   int    `json:"removed"` // files gone since the last run
	Read      int    `json:"read"`    // files read
	Bytes     int64  `json:"bytes"`   // bytes read
	Chunks    int    `json:"chunks"`  // chunks written
	Batches   int    `json:"batches"` // write transactions
	Ranked    bool   `json:"ranked"`  // whether the run computed the symbol graph's ranks anew
	Skipped   []Skip `json:"skipped"` // files not indexed, and why
	// LeftOut says why a run narrowed to one file (Under) did not take it:
	// .gitignore leaves it out, or its kind is not indexed.
	LeftOut  string    `json:"left_out,omitempty"`
	Warnings []Warning `json:"warnings"` // problems in files indexed anyway (this run's only)
	// Note says, for people, why files that did not change were analysed
	// again (Reanalyzed); "" when none were.
	Note    string  `json:"note,omitempty"`
	Seconds float64 `json:"seconds"`

	upgraded int // of Reanalyzed, the files another version of aiex had analysed
}

// note is Summary.Note for a run that analysed again upgraded files whose
// rows another version of aiex made, and family files whose counts were
// another tokenizer family's.
func note(upgraded, family int) string {
	var why []string
	if upgraded > 0 {
		why = append(why, english.Count(upgraded, "file")+" indexed by another version of aiex")
	}
	if family > 0 {
		why = append(why, english.Count(family, "file")+" counted for another tokenizer (the default model changed)")
	}
	if len(why) == 0 {
		return ""
	}
	return "analysed again, though their content is as indexed: " + strings.Join(why, "; ")
}

// Skip is a file the index leaves out.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// Warning is a problem in a file that was indexed all the same.
type Warning struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// runs holds a lock for each project being indexed in this process, by
// store and root. Two runs on one project at once would both rewrite the
// files changed since the last one, and a row one of them keeps
// (CodeChunked.Keep) could be one the other dropped.
var runs keylock.Locks

type runKey struct {
	st   *db.Store
	root string
}

// ErrNotDir is returned by Index when the root is not a directory, or
// Under neither a directory nor a file.
var ErrNotDir = errors.New("not a directory")

// Index brings the index of the project at root up to date: it walks the
// project, reads the files whose size, modification or change time
// changed, takes their chunks from the analysis cache or chunks them, and
// writes all changes in batches. root must be absolute.
func (ix *Indexer) Index(ctx context.Context, root string, opt Options) (*Summary, error) {
	start := time.Now()
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if err := CheckRoot(root); err != nil {
		return nil, err
	}
	under := strings.Trim(filepath.ToSlash(opt.Under), "/")
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(under)))
	// A file or directory that is gone: the run drops what the index
	// holds of it.
	gone := under != "" && errors.Is(err, fs.ErrNotExist)
	switch {
	case gone:
	case err != nil:
		return nil, fmt.Errorf("index: %w", err)
	case under == "" && !fi.IsDir(), !fi.IsDir() && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("index: %s: %w", filepath.Join(root, under), ErrNotDir)
	}
	oneFile := !gone && !fi.IsDir()
	st := ix.cfg.Store
	unlock, err := runs.Lock(ctx, runKey{st, root})
	if err != nil {
		return nil, err
	}
	defer unlock()
	proj, err := st.CodeProject(ctx, root)
	if err != nil {
		return nil, err
	}
	// The rows of the files this run may see: one file's alone when it is
	// narrowed to one (reading all of the Go standard library's cost a
	// one-file run most of its ~40 ms), and how many the project has.
	var prev map[string]db.CodeFile
	var projectFiles int
	var vanished []db.CodeFile // a one-file run's: the rows of its directory's files that are gone
	if oneFile {
		f, ok, err := st.CodeFile(ctx, proj.ID, under)
		if err != nil {
			return nil, err
		}
		prev = map[string]db.CodeFile{}
		if ok {
			prev[under] = f
		}
		if projectFiles, err = st.CodeFileCount(ctx, proj.ID); err != nil {
			return nil, err
		}
		if vanished, err = vanishedSiblings(ctx, st, root, proj.ID, under); err != nil {
			return nil, err
		}
	} else {
		if prev, err = st.CodeFiles(ctx, proj.ID); err != nil {
			return nil, err
		}
		projectFiles = len(prev)
	}
	if gone && !slices.ContainsFunc(slices.Collect(maps.Keys(prev)), func(p string) bool { return p == under || strings.HasPrefix(p, under+"/") }) {
		return nil, usererr.Usage("%s does not exist, and the index holds nothing of it", under)
	}

	// Walk, and sort the files into unchanged ones and work.
	w := &walker{root: root, exts: map[string]bool{}, maxSize: ix.cfg.MaxFileSize, logger: ix.logger}
	for _, e := range ix.cfg.Exts {
		w.exts[e] = true
	}
	walk := w.walk
	switch {
	case gone:
		walk = func(string) error { return nil } // nothing to list: every row under it goes
	case oneFile:
		walk = w.walkFile
	}
	if err := walk(under); err != nil {
		return nil, fmt.Errorf("index: walk %s: %w", root, err)
	}
	sum := &Summary{Root: root, Under: under, Files: len(w.out) + len(w.dirErrs), LeftOut: w.leftOut}
	p := ix.plan(w, proj, prev, under, opt.Force, sum)
	p.gone = append(p.gone, vanished...)
	ix.logger.Debug("index plan", "root", root, "files", sum.Files, "read", len(p.jobs), "gone", len(p.gone), "took", time.Since(start))

	if len(p.jobs) > 0 || len(p.skips) > 0 || len(p.gone) > 0 || p.done {
		an := &analyzer{root: root, project: proj.ID, name: ix.Analyzer, opt: ix.opt, store: st, prev: prev, force: p.force,
			trees: ix.cfg.Trees, readErr: ix.cfg.readErr, recent: map[string]*analysis{}}
		// Big writes leave big log entries; the store snapshots them away
		// when it closes (db.Config.SnapshotBytes), so later opens stay fast.
		if _, err := ix.run(ctx, p, an, sum, opt.Progress, start); err != nil {
			return nil, err
		}
	}
	if !sum.Ranked { // a run that rewrote every chunk ranked them already
		// The share is of the project's files, not of those this run
		// walked: a run narrowed to one file would otherwise rank the
		// whole graph again every time.
		if sum.Ranked, err = ix.updateRanks(ctx, proj, sum.Changed+sum.Removed, max(sum.Files, projectFiles)); err != nil {
			return nil, err
		}
	}
	sort.Slice(sum.Skipped, func(i, j int) bool { return sum.Skipped[i].Path < sum.Skipped[j].Path })
	sort.SliceStable(sum.Warnings, func(i, j int) bool { return sum.Warnings[i].Path < sum.Warnings[j].Path })
	if sum.Skipped == nil {
		sum.Skipped = []Skip{}
	}
	if sum.Warnings == nil {
		sum.Warnings = []Warning{}
	}
	sum.Note = note(sum.upgraded, sum.Reanalyzed-sum.upgraded)
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

// vanishedSiblings returns the rows of the files of file's directory
// (not of its subdirectories) that are no longer there, for a run
// narrowed to file to drop. An editor saves a file renamed or moved
// within its directory (git mv a.go b.go) under its new name only, and
// the rows of the old name would otherwise answer for its functions
// until the next run over the directory. It costs one query over a range
// of code_files' primary key (db.CodeFilePathsIn) and a stat per file of
// the directory. Only Path is set: it is all the writer drops by.
func vanishedSiblings(ctx context.Context, st *db.Store, root string, project int64, file string) ([]db.CodeFile, error) {
	dir, _ := path.Split(file) // "store/", or "" at the root
	paths, err := st.CodeFilePathsIn(ctx, project, dir)
	if err != nil {
		return nil, fmt.Errorf("index: the files beside %s: %w", file, err)
	}
	var out []db.CodeFile
	for _, rel := range paths {
		if rel == file {
			continue
		}
		// Lstat, as the walk sees entries: a symlink left dangling is
		// the walk's to judge; only a file that is not there at all goes.
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); errors.Is(err, fs.ErrNotExist) {
			out = append(out, db.CodeFile{Path: rel})
		}
	}
	return out, nil
}

// plan is the work of one run.
type plan struct {
	project  db.CodeProject
	prev     map[string]db.CodeFile // the file rows before the run
	force    bool                   // rewrite the rows of every file read
	jobs     []entry                // files to read
	jobBytes int64                  // their sizes
	skips    []*result              // files newly skipped by the walk
	gone     []db.CodeFile          // files no longer there
	done     bool                   // record the run as a complete index of the project
	whole    bool                   // the run covers the whole project (no Under)
}

// plan compares what the walk found with the rows of the last run. A file
// whose size, mtime and ctime are as recorded (sameStat), and whose rows
// this Indexer's analyzer made, is not read (unless force); its reason is
// reported again if it was skipped.
func (ix *Indexer) plan(w *walker, proj db.CodeProject, prev map[string]db.CodeFile, under string, force bool, sum *Summary) *plan {
	p := &plan{project: proj, prev: prev, force: force}
	seen := make(map[string]bool, len(w.out))
	for _, e := range w.out {
		seen[e.rel] = true
		old, had := prev[e.rel]
		switch {
		case e.skip != "":
			sum.Skipped = append(sum.Skipped, Skip{e.rel, e.skip, e.why})
			if !had || old.Skipped != e.skip || !sameStat(old, e) {
				p.skips = append(p.skips, &result{e: e, skip: e.skip, why: e.why, walked: true})
			}
		case had && !force && sameStat(old, e) && old.Analyzer == ix.Analyzer(e.rel):
			if old.Skipped != "" {
				sum.Skipped = append(sum.Skipped, Skip{Path: e.rel, Reason: old.Skipped})
			} else {
				sum.Unchanged++
			}
		default:
			p.jobs = append(p.jobs, e)
			p.jobBytes += e.size
		}
	}
	for _, e := range w.dirErrs {
		sum.Skipped = append(sum.Skipped, Skip{e.rel + "/", e.skip, e.why})
	}
	for path, old := range prev {
		if !seen[path] && (under == "" || path == under || strings.HasPrefix(path, under+"/")) {
			p.gone = append(p.gone, old)
		}
	}
	sort.Slice(p.gone, func(i, j int) bool { return p.gone[i].Path < p.gone[j].Path })
	changed := len(p.jobs) > 0 || len(p.skips) > 0 || len(p.gone) > 0
	p.whole = under == ""
	p.done = under == "" && (changed || proj.Analyzer != ix.sig || proj.IndexedAt.IsZero())
	return p
}

// sameStat reports whether the walk's entry e has the size, mtime and
// ctime that the row old recorded. The mtime alone would miss an edit that
// keeps the size and puts the mtime back (touch -r, cp -p, rsync -t, tools
// that keep mtimes); that changes the ctime, which no one can set back. An
// inode change alone (chmod, a hard link) gets the file read, its content
// found as indexed, and its row written with the new ctime. Only the mtime
// is judged racy (writer.go), as git does: two such edits within one tick
// of the clock, one each side of a read, would go unseen.
func sameStat(old db.CodeFile, e entry) bool {
	return old.Size == e.size && old.MtimeNS == e.mtime && old.CtimeNS == e.ctime
}

// run reads and analyses the plan's files on the workers while one writer
// batches the results into the store. Cancelling ctx stops both; batches
// already written stay (each is consistent on its own).
// It returns how many bytes of rows it wrote.
func (ix *Indexer) run(ctx context.Context, p *plan, an *analyzer, sum *Summary, progress func(Progress), start time.Time) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	jobs := make(chan entry)
	results := make(chan *result, 4*ix.cfg.Workers)
	var wg sync.WaitGroup
	// The feeder: hands out files in walk order until done or cancelled.
	wg.Go(func() {
		defer close(jobs)
		for _, e := range p.jobs {
			select {
			case jobs <- e:
			case <-ctx.Done():
				return
			}
		}
	})
	// The workers: read, hash, analyse.
	var workers sync.WaitGroup
	for range ix.cfg.Workers {
		workers.Go(func() {
			t := newTerms()
			for e := range jobs {
				r, err := an.file(ctx, e, t)
				if err != nil {
					cancel(err)
					return
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	wg.Go(func() {
		workers.Wait()
		ix.logger.Debug("index read", "files", len(p.jobs), "took", time.Since(start))
		close(results)
	})

	// The writer, on this goroutine.
	wr := &writer{ix: ix, st: ix.cfg.Store, p: p, sum: sum, queued: map[string]bool{}}
	err := wr.loop(ctx, cancel, results, progress, start)
	cancel(err) // stop the workers if the writer gave up
	for range results {
	}
	wg.Wait()
	return wr.written, err
}

// projectMarkers are the entries that make a directory a project's root
// even where one is unlikely: a work tree, a Mix or a Go project.
var projectMarkers = []string{".git", "mix.exs", "go.mod"}

// CheckRoot refuses, as a usage error, a project root that is the
// filesystem's root or the user's home directory without a project marker
// (.git, mix.exs, go.mod) there: FindRoot's answer when aiex index runs
// outside any project, where a walk would index every file below (the
// whole filesystem: 45k files, a 1.8 GB store). root has its symlinks
// resolved.
func CheckRoot(root string) error {
	what := ""
	switch {
	case filepath.Dir(root) == root:
		what = "the filesystem's root"
	case isHome(root):
		what = "your home directory"
	default:
		return nil
	}
	for _, m := range projectMarkers {
		if _, err := os.Lstat(filepath.Join(root, m)); err == nil {
			return nil
		}
	}
	return usererr.Usage("%s is %s, not a project (no .git, mix.exs or go.mod there); run aiex index inside a project", root, what)
}

// isHome reports whether dir (symlinks resolved) is the user's home
// directory.
func isHome(dir string) bool {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return false
	}
	if h, err := filepath.EvalSymlinks(home); err == nil {
		home = h
	}
	return filepath.Clean(home) == dir
}

// Search returns the chunks of the project at root that hold every word
// of query, in their names or their text, best first (see MatchQuery);
// chunks named exactly query come before all others. A project never
// indexed has none.
func (ix *Indexer) Search(ctx context.Context, root, query string, limit int) ([]db.CodeHit, error) {
	match := MatchQuery(query)
	if match == "" {
		return nil, nil
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	st := ix.cfg.Store
	p, ok, err := st.FindCodeProject(ctx, root)
	if err != nil || !ok {
		return nil, err
	}
	exact, err := st.CodeChunksNamed(ctx, p.ID, strings.TrimSpace(query))
	if err != nil {
		return nil, err
	}
	hits, err := st.SearchCode(ctx, p.ID, match, limit)
	if err != nil || len(exact) == 0 {
		return hits, err
	}
	out := make([]db.CodeHit, 0, limit)
	seen := map[int64]bool{}
	for _, c := range exact {
		out = append(out, db.CodeHit{CodeChunk: c})
		seen[c.ID] = true
	}
	for _, h := range hits {
		if !seen[h.ID] {
			out = append(out, h)
		}
	}
	return out[:min(len(out), limit)], nil
}
