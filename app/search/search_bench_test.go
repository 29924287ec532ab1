package search

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/internal/corpora"
	"github.com/aiex-dev/aiex/db"
)

// BenchmarkSearchQuantilesGoStd times whole searches on an index of the Go
// standard library: the 15 queries of app/ctxbuild's BenchmarkSearchGoStd
// and questions asking how code does a thing (the hits' calls, called.go),
// each once an iteration; p50, p95 and the slowest of all of them.
//
//	go test -run '^$' -bench SearchQuantilesGoStd -benchtime 8x ./app/search
func BenchmarkSearchQuantilesGoStd(b *testing.B) {
	s, project := stdIndexed(b)
	ctx := context.Background()
	sr := New(Config{Store: s})
	queries := []string{
		"http.Server", "ServeHTTP", "Serve", "error", "NewReader", "json.Unmarshal",
		"parse RFC 3339 time", "gzip writer flush", "how does the http server handle timeouts",
		"tls handshake client certificate verification", "json decode struct tags",
		"read a file line by line with a scanner", "sort a slice with a less function",
		"context cancel deadline", "mutex unlock of unlocked mutex",
		"how are sql statements executed against the database?", "how does a gzip reader decompress a stream?",
	}
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			start := time.Now()
			res, err := sr.Search(ctx, project.ID, q, 10)
			ds = append(ds, time.Since(start))
			if err != nil || len(res.Hits) == 0 {
				b.Fatalf("%q: %d hits, %v", q, len(res.Hits), err)
			}
		}
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
}

// stdIndexed is a store holding an index of the Go standard library, and
// its project, for the benchmarks that search it; it skips without one.
func stdIndexed(b *testing.B) (*db.Store, db.CodeProject) {
	b.Helper()
	root, ok := corpora.GoStd()
	if !ok {
		b.Skip("no Go standard library at $(go env GOROOT)/src")
	}
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(ctx) })
	if _, err := index.New(index.Config{Store: s}).Index(ctx, root, index.Options{}); err != nil {
		b.Fatal(err)
	}
	project, _, err := s.FindCodeProject(ctx, root)
	if err != nil {
		b.Fatal(err)
	}
	return s, project
}
