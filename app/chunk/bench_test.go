package chunk

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// srcFile is a corpus file held in memory.
type srcFile struct {
	path string
	src  []byte
}

func loadFiles(b *testing.B, paths []string) ([]srcFile, int64) {
	b.Helper()
	var total int64
	files := make([]srcFile, 0, len(paths))
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, srcFile{p, src})
		total += int64(len(src))
	}
	return files, total
}

// each runs fn on every file with procs goroutines; fn gets its worker's
// state from newState (a parser, say) and close releases it.
func each[S any](files []srcFile, procs int, newState func() S, close func(S), fn func(S, srcFile)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range procs {
		wg.Go(func() {
			s := newState()
			defer close(s)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				fn(s, files[i])
			}
		})
	}
	wg.Wait()
}

// benchCorpus measures, file by file, a bare parse and then File (default
// Options: hybrid) of the same file, with 1 and GOMAXPROCS goroutines. It
// reports the ratio of the summed times, and the wall time of a pass split
// between the phases in that ratio, as seconds, MB/s and files/s per phase.
// Interleaving the two per file keeps the ratio steady on a shared machine.
func benchCorpus[S any](b *testing.B, files []srcFile, total int64, newState func() S, closeState func(S), parse func(S, srcFile)) {
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			var tParse, tChunk atomic.Int64
			start := time.Now()
			for b.Loop() {
				each(files, procs, newState, closeState, func(s S, f srcFile) {
					t0 := time.Now()
					parse(s, f)
					t1 := time.Now()
					res, err := File(f.path, f.src, Options{MaxFileSize: 64 << 20})
					t2 := time.Now()
					tParse.Add(int64(t1.Sub(t0)))
					tChunk.Add(int64(t2.Sub(t1)))
					if err != nil || res.Skipped != "" || len(res.Chunks) == 0 && len(f.src) > 200 {
						b.Errorf("%s: %v %s %d chunks", f.path, err, res.Skipped, len(res.Chunks))
					}
				})
			}
			wall := time.Since(start).Seconds() / float64(b.N)
			p, c := float64(tParse.Load()), float64(tChunk.Load())
			parseS, chunkS := wall*p/(p+c), wall*c/(p+c)
			mb := float64(total) / 1e6
			b.ReportMetric(parseS, "parse-s")
			b.ReportMetric(chunkS, "chunk-s")
			b.ReportMetric(mb/parseS, "parse-MB/s")
			b.ReportMetric(mb/chunkS, "chunk-MB/s")
			b.ReportMetric(float64(len(files))/chunkS, "chunk-files/s")
			b.ReportMetric(chunkS/parseS, "chunk/parse")
		})
	}
}

// BenchmarkGoStd: the Go standard library (every non-testdata .go file,
// from memory), go/parser with comments and without object resolution (as
// File parses) vs File.
func BenchmarkGoStd(b *testing.B) {
	files, total := loadFiles(b, goStdFiles(b, false))
	b.Logf("%d files, %.1f MB", len(files), float64(total)/1e6)
	benchCorpus(b, files, total, func() struct{} { return struct{}{} }, func(struct{}) {}, func(_ struct{}, f srcFile) {
		if _, err := parser.ParseFile(token.NewFileSet(), f.path, f.src, parser.ParseComments|parser.SkipObjectResolution); err != nil {
			b.Error(err)
		}
	})
}

// BenchmarkElixirLib: the Elixir 1.14 lib/ .ex files (scripts/corpora),
// a bare tree-sitter parse (one parser per goroutine) vs File.
func BenchmarkElixirLib(b *testing.B) {
	files, total := loadFiles(b, elixirLibFiles(b, elixirCorpus(b), false))
	b.Logf("%d files, %.1f MB", len(files), float64(total)/1e6)
	g, err := elixirGrammar()
	if err != nil {
		b.Fatal(err)
	}
	newParser := func() *sitter.Parser {
		p := sitter.NewParser()
		if err := p.SetLanguage(g.lang); err != nil {
			b.Fatal(err)
		}
		return p
	}
	benchCorpus(b, files, total, newParser, (*sitter.Parser).Close, func(p *sitter.Parser, f srcFile) {
		p.Parse(f.src, nil).Close()
	})
}
