package index

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// writer turns results into batches of store writes, each one Raft
// transaction: one goroutine.
type writer struct {
	ix  *Indexer
	st  *db.Store
	p   *plan
	sum *Summary
	// offset is where the next file's chunks go among the batch's new
	// chunks: the store gives them ids as it applies the batch
	// (db.CodeChunked), so runs elsewhere never take the same ids.
	offset int64
	// queued holds the cache rows this run has written or batched, by
	// content hash and analyzer: each is written once.
	queued map[string]bool

	// graph is the symbol graph of the chunks this run wrote, and members
	// the names their Go const/var groups declare: when they are all the
	// project's, the ranks are computed from them (rank.go).
	graph   []db.GraphChunk
	members []Member
	// promo keeps the promoted names of the directories the run changes
	// (writer_promoted.go).
	promo promotedState
	// using keeps the rows of the templates' imports (writer_using.go).
	using usingState

	batch   db.CodeWrite
	size    int // bytes of rows in batch, roughly
	written int // bytes of rows handed to the executor

	// The executor applies batches while the writer builds the next one.
	exec     chan []db.Statement
	execDone chan error
}

// startExec starts the executor: it runs each batch's statements in one
// Execute, in order. After an error it calls fail (which cancels the run)
// and skips the rest; stopExec reports the error.
func (w *writer) startExec(ctx context.Context, fail func(error)) {
	w.exec = make(chan []db.Statement, 1)
	w.execDone = make(chan error, 1)
	go func() {
		var err error
		for stmts := range w.exec {
			if err == nil {
				if err = w.execute(ctx, stmts); err != nil {
					fail(err)
				}
			}
		}
		w.execDone <- err
	}()
}

func (w *writer) execute(ctx context.Context, stmts []db.Statement) error {
	t0 := time.Now()
	if times := w.ix.cfg.stmtTimes; times != nil {
		// Measuring (tests): each statement in its own transaction.
		for _, st := range stmts {
			t1 := time.Now()
			if _, err := w.st.Execute(ctx, st); err != nil {
				return fmt.Errorf("index: write batch: %w", err)
			}
			times.add(st.SQL, time.Since(t1))
		}
	} else if _, err := w.st.Execute(ctx, stmts...); err != nil {
		return fmt.Errorf("index: write batch: %w", err)
	}
	w.ix.logger.Debug("index batch", "statements", len(stmts), "took", time.Since(t0))
	return nil
}

// stopExec waits for the executor to apply what it was given.
func (w *writer) stopExec() error {
	close(w.exec)
	return <-w.execDone
}

// loop writes the plan's skips and removals and every result, then the
// last batch, and reports progress.
func (w *writer) loop(ctx context.Context, fail func(error), results <-chan *result, progress func(Progress), start time.Time) (err error) {
	w.startExec(ctx, fail)
	defer func() {
		if xerr := w.stopExec(); err == nil {
			err = xerr
		}
	}()
	w.reset()
	if err := w.loadDecls(ctx); err != nil {
		return err
	}
	if err := w.loadUsing(ctx); err != nil {
		return err
	}
	for _, r := range w.p.skips {
		w.add(r)
	}
	for _, f := range w.p.gone {
		w.batch.Drop = append(w.batch.Drop, f.Path)
		w.batch.Forget = append(w.batch.Forget, f.Path)
		w.dropDecls(f.Path)
		w.size += len(f.Path)
		w.sum.Removed++
	}
	var pr Progress
	pr.Total, pr.TotalBytes = len(w.p.jobs), w.p.jobBytes
	report := func() {
		if progress != nil {
			pr.Elapsed = time.Since(start)
			progress(pr)
		}
	}
	last := time.Now()
	for {
		select {
		case r, ok := <-results:
			if !ok {
				// A worker that failed cancelled ctx and closed no result.
				if err := context.Cause(ctx); err != nil {
					return err
				}
				w.batch.Done = w.p.done
				w.batch.Analyzer = w.ix.sig
				if err := w.flush(ctx); err != nil {
					return err
				}
				if err := w.fixTotals(ctx); err != nil {
					return err
				}
				report()
				return w.rank(ctx)
			}
			pr.Done++
			pr.DoneBytes += r.e.size
			w.add(r)
			if w.size >= w.limit(pr.DoneBytes, pr.TotalBytes) || len(w.batch.Analyses) == db.MaxCodeAnalyses {
				if err := w.flush(ctx); err != nil {
					return err
				}
			}
			if time.Since(last) >= 100*time.Millisecond {
				report()
				last = time.Now()
			}
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// limit is the size at which the batch being filled goes to the executor,
// done bytes of the files to read (total) having been read: the batch
// size, until the rows still to come (estimated from those the bytes read
// so far gave) are under two batches, and half of them after that, down
// to a sixteenth of a batch. The batch after the last file is applied
// while the workers are done and a core idles: in full batches it held
// whatever the last one had left, up to a whole batch (~0.15 s of a
// ~1.4 s run for the Elixir sources, in two batches); shrinking ones
// leave a sixteenth at most, for a few more batches at the end
// (log1.5 of the rows left at that point over the smallest batch).
func (w *writer) limit(done, total int64) int {
	full := w.ix.cfg.BatchBytes
	if done <= 0 || done >= total {
		return full
	}
	left := float64(total-done) / float64(done) * float64(w.written+w.size)
	return int(max(min(left/2, float64(full)), float64(full/16)))
}

// racy tells whether a file whose mtime is mtime (ns), read at now, may
// still change without its size or mtime telling. File systems stamp writes with a
// coarse clock (a kernel tick of a few ms; whole seconds on some, two on
// FAT), so two writes of the same size within one tick leave size and
// mtime as they were: a file written again just after the run read it
// would look indexed for good. Such a file's row gets an mtime that never
// matches (racyMtime), and the next run reads it again (only its hash, if
// it did not change), as git does with the entries of its index that it
// calls racily clean. A file system stamping whole seconds shows it in
// every mtime (no nanoseconds).
func racy(mtime int64, now time.Time) bool {
	margin := 100 * time.Millisecond
	if mtime%int64(time.Second) == 0 {
		margin = 2 * time.Second
	}
	return mtime >= now.Add(-margin).UnixNano()
}

// racyMtime is the mtime recorded for a file that may change unseen.
const racyMtime = -1

// add puts one file's rows in the batch.
func (w *writer) add(r *result) {
	b := &w.batch
	e := r.e
	old, had := w.p.prev[e.rel]
	if r.bytes > 0 || r.hash != "" {
		w.sum.Read++
		w.sum.Bytes += r.bytes
	}
	lang := chunk.Lang(e.rel)
	row := db.CodeFile{Path: e.rel, ContentHash: r.hash, Size: e.size, MtimeNS: e.mtime, CtimeNS: e.ctime, Lang: lang, Analyzer: w.ix.Analyzer(e.rel)}
	if read := cmp.Or(r.readAt, time.Now()); racy(e.mtime, read) {
		row.MtimeNS = racyMtime
	}
	w.size += len(e.rel) + 100
	switch {
	case r.touched:
		w.sum.Unchanged++
	case r.skip != "":
		row.Skipped = r.skip
		if r.skip == reasonUnreadable {
			row.Size = -1 // never matches: the next run tries again
		}
		if !r.walked { // the walk's own skips are in the summary already
			w.sum.Skipped = append(w.sum.Skipped, Skip{e.rel, r.skip, r.why})
		}
		if had && old.Skipped == "" {
			b.Drop = append(b.Drop, e.rel)
			w.dropDecls(e.rel)
		}
	default:
		if had {
			b.Drop = append(b.Drop, e.rel)
		}
		w.addDecls(e.rel, r.an)
		w.sum.Changed++
		if r.forced {
			w.sum.Rewritten++
		}
		if r.again {
			w.sum.Reanalyzed++
			if r.upgraded {
				w.sum.upgraded++
			}
		}
		if r.cached {
			w.sum.Cached++
		} else {
			w.sum.Analyzed++
		}
		name := w.ix.Analyzer(e.rel)
		row.Lang, row.Analyzer = r.an.lang, name
		if key := r.hash + "\x00" + name; !r.cached && !w.queued[key] {
			w.queued[key] = true
			b.Analyses = append(b.Analyses, db.CodeAnalysisRow{ContentHash: r.hash, Analyzer: name, Lang: r.an.lang,
				Chunks: r.an.encoded, Warnings: r.an.warnings})
			w.size += len(r.an.encoded)
		}
		base := path.Base(e.rel)
		for _, c := range r.an.chunks {
			// No ID: the store gives it as it applies the batch, and the
			// ranks go by position and name.
			name := fullName(c.Name, base)
			w.members = appendMembers(w.members, len(w.graph), name, r.an.lang, c.Members)
			w.graph = append(w.graph, db.GraphChunk{Name: name, Path: e.rel, Lang: r.an.lang, Refs: c.Refs, Imports: c.Imports})
		}
		b.Chunked = append(b.Chunked, db.CodeChunked{Path: e.rel, ContentHash: r.hash, Analyzer: name,
			Offset: w.offset, Count: len(r.an.chunks), Keep: r.keep})
		w.offset += int64(len(r.an.chunks))
		b.Terms = append(b.Terms, r.terms...)
		for _, t := range r.terms {
			w.size += len(t.Name) + len(t.Body) + 8
		}
		w.sum.Chunks += len(r.an.chunks)
		for _, m := range r.an.warnings {
			w.sum.Warnings = append(w.sum.Warnings, Warning{e.rel, m})
		}
	}
	b.Files = append(b.Files, row)
}

// rank computes the symbol graph's ranks from the chunks the run wrote,
// if they are all the project's chunks (every file the walk found was
// chunked or skipped), while the executor applies the last batches, and
// hands it their statements. Ranking from the store instead would read
// every chunk back (~1 s for the Go standard library).
func (w *writer) rank(ctx context.Context) error {
	if !w.p.whole || w.sum.Unchanged > 0 || w.sum.Changed == 0 {
		return nil
	}
	ranks := Ranks(w.graph, append(w.members, w.promotedMembers()...)...)
	select {
	case w.exec <- db.CodeRankStmts(w.p.project.ID, ranks, time.Now()):
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	w.sum.Ranked = true
	return nil
}

// fixTotals ends a forced run by setting the full-text index's row count
// and token totals, which bm25 ranks by, from the rows it holds: a store
// written by an aiex that left deleted rows in them (db.CodeFTSTotalsStmt)
// ranks as a fresh index again. Its own transaction, after the last batch.
func (w *writer) fixTotals(ctx context.Context) error {
	if !w.p.force {
		return nil
	}
	select {
	case w.exec <- []db.Statement{db.CodeFTSTotalsStmt()}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// flush hands the batch, if it holds anything, to the executor.
func (w *writer) flush(ctx context.Context) error {
	b := &w.batch
	if len(b.Drop) == 0 && len(b.Forget) == 0 && len(b.Files) == 0 && !b.Done {
		return nil
	}
	w.addPromoted()
	if err := w.addUsing(ctx); err != nil {
		return err
	}
	stmts, err := b.Statements()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}

	select {
	case w.exec <- stmts:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	w.sum.Batches++
	if w.ix.cfg.batched != nil {
		w.ix.cfg.batched(w.size)
	}
	w.written += w.size
	w.reset()
	return nil
}

func (w *writer) reset() {
	w.batch = db.CodeWrite{Project: w.p.project.ID, Node: w.st.NodeID(), Now: time.Now()}
	w.size, w.offset = 0, 0
}

// stmtTimes adds up, for tests and benchmarks, how long each kind of
// statement took.
type stmtTimes struct {
	mu sync.Mutex
	m  map[string]time.Duration
}

func (t *stmtTimes) add(sql string, d time.Duration) {
	// The words up to the table's name: "INSERT OR IGNORE INTO
	// code_refs" and "… code_members" are told apart.
	f := strings.Fields(sql)
	n := min(3, len(f))
	if i := slices.IndexFunc(f, func(w string) bool { return strings.HasPrefix(w, "code_") }); i >= 0 {
		n = i + 1
	}
	kind := strings.Join(f[:n], " ")
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]time.Duration{}
	}
	t.m[kind] += d
}
