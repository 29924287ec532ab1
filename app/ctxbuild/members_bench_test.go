package ctxbuild

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/search"
)

// memberSymbols are names the standard library declares in const/var
// groups whose chunk names show other names (the one-letter ones in
// cmd/cgo's tests), each to be found; missing are names nobody declares,
// for which every lookup runs.
var (
	memberSymbols = []string{
		"http.StatusOK", "StatusOK", "http.MethodDelete", "MethodDelete", "io.SeekEnd", "SeekEnd",
		"os.O_RDONLY", "O_RDONLY", "issue30527.Y", "issue30527.Z",
	}
	missingSymbols = []string{"http.NoSuchName", "NoSuchName", "zz.Q", "Q"}
)

// BenchmarkMemberLookupGoStd times db.Store.CodeChunksNamedLike, the
// symbol lookup that search and the context's target resolution make,
// for each of memberSymbols and missingSymbols (p50/p95/max-ms), and the
// whole search for each (search-p95-ms).
func BenchmarkMemberLookupGoStd(b *testing.B) {
	s, p := stdIndex(b)
	sr := search.New(search.Config{Store: s})
	ctx := context.Background()
	var lookups, searches []time.Duration
	slow := map[string]time.Duration{}
	each := map[string][]time.Duration{}
	b.ResetTimer()
	for b.Loop() {
		for _, sym := range append(slices.Clone(memberSymbols), missingSymbols...) {
			start := time.Now()
			cs, err := s.CodeChunksNamedLike(ctx, p.ID, sym, 8)
			d := time.Since(start)
			lookups = append(lookups, d)
			slow[sym] = max(slow[sym], d)
			each[sym] = append(each[sym], d)
			if err != nil {
				b.Fatal(err)
			}
			if slices.Contains(memberSymbols, sym) && (len(cs) == 0 || len(cs[0].Members) == 0) {
				b.Fatalf("%s: found %d chunks, the first not a group", sym, len(cs))
			}
			start = time.Now()
			if _, err := sr.Search(ctx, p.ID, sym, 10); err != nil {
				b.Fatal(err)
			}
			searches = append(searches, time.Since(start))
		}
	}
	b.StopTimer()
	quantiles(b, lookups)
	slices.Sort(searches)
	b.ReportMetric(float64(searches[min(len(searches)-1, int(0.95*float64(len(searches))))].Microseconds())/1000, "search-p95-ms")
	logSlowest(b, slow)
	for _, sym := range append(slices.Clone(memberSymbols), missingSymbols...) {
		ds := each[sym]
		slices.Sort(ds)
		b.Logf("%-18s median %s", sym, ds[len(ds)/2].Round(10*time.Microsecond))
	}
}
