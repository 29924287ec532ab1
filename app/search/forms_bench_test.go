package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/index"
)

// BenchmarkFormsGoStd times what looking for the other forms of a query's
// words costs, on an index of the Go standard library: per query, the
// vocabulary read for the words as typed only (db.Store.CodeTermDocs, the
// plan before forms), the reads of their forms (groups) and the whole
// search, the fastest of the iterations; and the words each group holds.
//
//	go test -run '^$' -bench FormsGoStd -benchtime 20x -v ./app/search
func BenchmarkFormsGoStd(b *testing.B) {
	s, project := stdIndexed(b)
	ctx := context.Background()
	sr := New(Config{Store: s})
	queries := []string{
		"how does the http server handle timeouts", "gracefully shut down the server", "retried requests",
		"tls handshake client certificate verification", "json decode struct tags", "read a file line by line with a scanner",
		"sort a slice with a less function", "context cancel deadline", "mutex unlock of unlocked mutex",
		"parse RFC 3339 time", "gzip writer flush", "error", "how does it handle errors?",
		"how does it handle errors? Serve", "how does it handle errors? Unmarshal",
	}
	took := map[string][3]time.Duration{} // the fastest: typed only, with forms, whole search
	var log strings.Builder               // one Log: a benchmark's are cut after a few
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			ws := index.QueryWords(q)
			t0 := time.Now()
			if _, err := s.CodeTermDocs(ctx, index.QueryTerms(q)); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			gs, err := sr.groups(ctx, ws, true)
			if err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			if _, err := sr.Search(ctx, project.ID, q, 10); err != nil {
				b.Fatal(err)
			}
			t3 := time.Now()
			d, ok := took[q]
			if !ok {
				d = [3]time.Duration{time.Hour, time.Hour, time.Hour}
				for _, g := range gs {
					fmt.Fprintf(&log, "%q: %s: %d words, %d chunks: %q\n", q, g.term, len(g.forms), g.df, g.forms)
				}
			}
			took[q] = [3]time.Duration{min(d[0], t1.Sub(t0)), min(d[1], t2.Sub(t1)), min(d[2], t3.Sub(t2))}
		}
	}
	var typed, forms []float64
	for q, d := range took {
		fmt.Fprintf(&log, "%q: typed %s, forms %s, search %s\n", q, d[0].Round(time.Microsecond), d[1].Round(time.Microsecond), d[2].Round(time.Microsecond))
		typed = append(typed, float64(d[0].Microseconds()))
		forms = append(forms, float64(d[1].Microseconds()))
	}
	b.Log("\n" + log.String())
	slices.Sort(typed)
	slices.Sort(forms)
	b.ReportMetric(typed[len(typed)-1], "typed-max-us")
	b.ReportMetric(forms[len(forms)-1], "forms-max-us")
	b.ReportMetric(typed[len(typed)/2], "typed-p50-us")
	b.ReportMetric(forms[len(forms)/2], "forms-p50-us")
}
