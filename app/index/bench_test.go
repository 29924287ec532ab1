package index

// Benchmarks on real corpora: the Go standard library and the Elixir 1.14
// sources (scripts/corpora). Each full-index iteration also times, on the
// same files and in the same process, a bare parse (read + parse, nothing
// else) and a bare chunking (read + chunk.File), so that the ratios hold
// whatever else the machine is doing. Run with -benchtime 3x or more: each
// phase reports its best time over the iterations.
//
//	go test ./app/index -run XXX -bench . -benchtime 3x
//	AIEX_BENCH_BATCHES=1 go test ./app/index -run XXX -bench 'IndexGoStd$' -benchtime 2x    # batch sizes
//	AIEX_BENCH_STATEMENTS=1 go test ./app/index -run XXX -bench 'IndexGoStd$' -benchtime 1x # time per statement

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sitter "github.com/tree-sitter/go-tree-sitter"
	elixir "github.com/tree-sitter/tree-sitter-elixir/bindings/go"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/internal/corpora"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// goStdCorpus is $(go env GOROOT)/src.
func goStdCorpus(b *testing.B) string {
	dir, ok := corpora.GoStd()
	if !ok {
		b.Skip("no Go standard library at $(go env GOROOT)/src")
	}
	return dir
}

// elixirCorpus is the Elixir 1.14 source tree scripts/corpora fetches.
func elixirCorpus(b *testing.B) string {
	dir, ok := corpora.Elixir("1.14")
	if !ok {
		b.Skipf("no Elixir corpus in %s/corpora: run scripts/corpora to fetch it", corpora.Cache())
	}
	return dir
}

// corpusFiles lists the files the index takes under root, read into memory.
func corpusFiles(b *testing.B, root string) (paths []string, total int64) {
	w := &walker{root: root, exts: map[string]bool{}, maxSize: chunk.DefaultMaxFileSize}
	for _, e := range defaultExts {
		w.exts[e] = true
	}
	if err := w.walk(""); err != nil {
		b.Fatal(err)
	}
	for _, e := range w.out {
		if e.skip == "" {
			paths = append(paths, filepath.Join(root, e.rel))
			total += e.size
		}
	}
	return paths, total
}

// eachWorkers is the number of goroutines each uses; 0 means one per
// core.
var eachWorkers = 0

// each runs fn on every path with eachWorkers goroutines, each with its
// own state.
func each[S any](paths []string, newState func() S, fn func(S, string, []byte)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range cmp.Or(eachWorkers, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			s := newState()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				src, err := os.ReadFile(paths[i])
				if err != nil {
					panic(err)
				}
				fn(s, paths[i], src)
			}
		})
	}
	wg.Wait()
}

// parseGo parses the .go files with go/parser in mode; others are read.
func parseGo(mode parser.Mode) func([]string) {
	return func(paths []string) {
		each(paths, func() struct{} { return struct{}{} }, func(_ struct{}, p string, src []byte) {
			if strings.HasSuffix(p, ".go") {
				parser.ParseFile(token.NewFileSet(), p, src, mode)
			}
		})
	}
}

// parseElixir parses the .ex and .exs files with tree-sitter, one parser
// per goroutine; others are read.
func parseElixir(paths []string) {
	lang := sitter.NewLanguage(elixir.Language())
	each(paths, func() *sitter.Parser {
		p := sitter.NewParser()
		p.SetLanguage(lang)
		return p
	}, func(p *sitter.Parser, path string, src []byte) {
		if strings.HasSuffix(path, ".ex") || strings.HasSuffix(path, ".exs") {
			p.Parse(src, nil).Close()
		}
	})
}

// chunkAll reads and chunks every file as the index does, storing nothing.
func chunkAll(paths []string) {
	opt := ChunkOptions("")
	each(paths, func() struct{} { return struct{}{} }, func(_ struct{}, p string, src []byte) {
		chunk.File(p, src, opt)
	})
}

// timed returns fn's wall and CPU time (the whole process's).
func timed(fn func()) (wall, cpu time.Duration) {
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	t0 := time.Now()
	fn()
	wall = time.Since(t0)
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	return wall, time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
}

// benchFull times, per iteration, the bare parses, a bare chunking and a
// full index into a new store, and reports the best of each. The index
// uses both cores, and index/parse divides by the fastest parse on both
// cores too; the anchors were parses on one thread, so the
// parses are also timed on one (index/parse-1thread).
func benchFull(b *testing.B, root string, parses map[string]func([]string), batch int) {
	paths, total := corpusFiles(b, root)
	b.Logf("%s: %d files, %.1f MB", root, len(paths), float64(total)/1e6)
	best := map[string]time.Duration{}
	cpu := map[string]time.Duration{}
	keep := func(name string, wall, c time.Duration) {
		if d, ok := best[name]; !ok || wall < d {
			best[name], cpu[name] = wall, c
		}
	}
	var sum *Summary
	for b.Loop() {
		for name, parse := range parses {
			wall, c := timed(func() { parse(paths) })
			keep(name, wall, c)
			eachWorkers = 1
			wall, c = timed(func() { parse(paths) })
			eachWorkers = 0
			keep(name+"-1thread", wall, c)
		}
		wall, c := timed(func() { chunkAll(paths) })
		keep("chunk", wall, c)

		b.StopTimer()
		s := dbtest.OpenDir(b, b.TempDir())
		ix := New(Config{Store: s, BatchBytes: batch})
		if os.Getenv("AIEX_BENCH_STATEMENTS") != "" {
			ix.cfg.stmtTimes = &stmtTimes{}
			defer func() {
				for sql, d := range ix.cfg.stmtTimes.m {
					b.Logf("%-40s %6.2fs", sql, d.Seconds())
				}
			}()
		}
		b.StartTimer()
		var err error
		wall, c = timed(func() { sum, err = ix.Index(context.Background(), root, Options{}) })
		if err != nil {
			b.Fatal(err)
		}
		if sum.Analyzed+sum.Cached != len(paths) || sum.Chunks == 0 {
			b.Fatalf("index analysed %d of %d files: %+v", sum.Analyzed, len(paths), sum)
		}
		keep("index", wall, c)
		b.StopTimer()
		s.Close(context.Background())
		b.StartTimer()
	}
	fastest, fastest1 := time.Duration(1<<62), time.Duration(1<<62)
	for name := range parses {
		b.ReportMetric(best[name].Seconds(), name+"-s")
		fastest = min(fastest, best[name])
		fastest1 = min(fastest1, best[name+"-1thread"])
	}
	b.ReportMetric(fastest1.Seconds(), "parse-1thread-s")
	b.ReportMetric(best["index"].Seconds()/fastest1.Seconds(), "index/parse-1thread")
	mb := float64(total) / 1e6
	b.ReportMetric(best["chunk"].Seconds(), "chunk-s")
	b.ReportMetric(best["index"].Seconds(), "index-s")
	b.ReportMetric(cpu["index"].Seconds(), "index-cpu-s")
	b.ReportMetric(best["index"].Seconds()/fastest.Seconds(), "index/parse")
	b.ReportMetric(best["chunk"].Seconds()/fastest.Seconds(), "chunk/parse")
	b.ReportMetric(float64(len(paths))/best["index"].Seconds(), "files/s")
	b.ReportMetric(mb/best["index"].Seconds(), "MB/s")
	b.ReportMetric(float64(sum.Batches), "batches")
	for name := range best {
		b.Logf("%-22s wall %6.2fs  cpu %6.2fs", name, best[name].Seconds(), cpu[name].Seconds())
	}
}

func batchSizes(b *testing.B, root string, parses map[string]func([]string)) {
	if os.Getenv("AIEX_BENCH_BATCHES") == "" {
		benchFull(b, root, parses, 0)
		return
	}
	for _, mib := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("batch=%dMiB", mib), func(b *testing.B) { benchFull(b, root, parses, mib<<20) })
	}
}

// BenchmarkIndexGoStd: the Go standard library, against go/parser with
// comments and without object resolution (how the chunker parses), with
// neither (the fastest mode), and with both.
func BenchmarkIndexGoStd(b *testing.B) {
	batchSizes(b, goStdCorpus(b), map[string]func([]string){
		"parse":         parseGo(parser.ParseComments),
		"parse-nocomm":  parseGo(parser.SkipObjectResolution),
		"parse-noresol": parseGo(parser.ParseComments | parser.SkipObjectResolution),
	})
}

// BenchmarkIndexElixir: the Elixir 1.14 sources, against a tree-sitter
// parse (what the chunker uses).
func BenchmarkIndexElixir(b *testing.B) {
	batchSizes(b, elixirCorpus(b), map[string]func([]string){"parse": parseElixir})
}

// mirror makes a copy of root whose files are hard links (or copies, on
// another file system), so that a benchmark may replace files in it.
func mirror(b *testing.B, root string) string {
	dst := b.TempDir()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		if os.Link(p, to) == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
		// The source's mtime, as a link keeps it: a copy just written is
		// read again by the next run (writer.go, racy), and the benchmarks
		// of an unchanged tree would read it.
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chtimes(to, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		b.Fatal(err)
	}
	return dst
}

// benchReindex times re-indexing an indexed corpus with nothing changed,
// and with one file edited (a comment line inserted in its middle; the file
// is replaced, never written through a link): a file of typical size, and
// a large one. Each edit is timed twice: by an indexer that keeps no
// syntax trees, as a one-shot aiex index has, and by one that keeps them,
// as the node and the TUI do, after one edit of the file (so that the
// tree of its previous version is kept); and by a run narrowed to the
// file (aiex index FILE), which walks nothing else.
func benchReindex(b *testing.B, corpus, typical, large string) {
	root := mirror(b, corpus)
	s := dbtest.Open(b)
	ix := New(Config{Store: s})
	trees := chunk.NewTrees(chunk.DefaultTreeBytes)
	defer trees.Close()
	kept := New(Config{Store: s, Trees: trees})
	ctx := context.Background()
	if _, err := ix.Index(ctx, root, Options{}); err != nil {
		b.Fatal(err)
	}
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			sum, err := ix.Index(ctx, root, Options{})
			if err != nil || sum.Read != 0 || sum.Batches != 0 {
				b.Fatalf("unchanged re-index: %v %+v", err, sum)
			}
		}
	})
	n := 0
	for _, edit := range []struct{ name, path string }{{"one-change-typical", typical}, {"one-change-large", large}} {
		path := filepath.Join(root, filepath.FromSlash(edit.path))
		orig, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d bytes", edit.path, len(orig))
		comment := "//"
		if !strings.HasSuffix(path, ".go") {
			comment = "#"
		}
		mid := bytes.IndexByte(orig[len(orig)/2:], '\n') + len(orig)/2 + 1
		// change writes an edited version and re-indexes with ix. Every
		// 2 % of the files changed, a run also recomputes the ranks, so
		// the mean mixes two costs: the median is reported too.
		var took []time.Duration
		change := func(b *testing.B, ix *Indexer, opt Options) {
			b.StopTimer()
			n++
			tmp := path + ".tmp"
			src := slices.Concat(orig[:mid], fmt.Appendf(nil, "%s edit %d\n", comment, n), orig[mid:])
			if err := os.WriteFile(tmp, src, 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			sum, err := ix.Index(ctx, root, opt)
			took = append(took, time.Since(t0))
			if err != nil || sum.Changed != 1 || sum.Analyzed != 1 {
				b.Fatalf("one-change re-index: %v %+v", err, sum)
			}
		}
		median := func(b *testing.B) {
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		}
		b.Run(edit.name, func(b *testing.B) {
			took = took[:0]
			for b.Loop() {
				change(b, ix, Options{})
			}
			median(b)
		})
		b.Run(edit.name+"-editing", func(b *testing.B) {
			change(b, kept, Options{})
			took = took[:0]
			for b.Loop() {
				change(b, kept, Options{})
			}
			median(b)
		})
		// aiex index FILE, as an editor runs it on save: no walk.
		b.Run(edit.name+"-file", func(b *testing.B) {
			took = took[:0]
			for b.Loop() {
				change(b, ix, Options{Under: edit.path})
			}
			median(b)
		})
	}
}

func BenchmarkReindexGoStd(b *testing.B) {
	benchReindex(b, goStdCorpus(b), "net/http/status.go", "net/http/server.go")
}

func BenchmarkReindexElixir(b *testing.B) {
	benchReindex(b, elixirCorpus(b), "lib/elixir/lib/calendar/date_range.ex", "lib/elixir/lib/enum.ex")
}
