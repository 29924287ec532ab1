package coord_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// memRecorder records nothing: the overhead benchmark measures the
// coordinator's own work (selection, breaker, limiters, bookkeeping), not
// the store, whose writes db's benchmarks measure.
type memRecorder struct{}

func (memRecorder) StartInteraction(context.Context, *db.Interaction) error             { return nil }
func (memRecorder) FinishInteraction(context.Context, *db.Interaction, *db.Event) error { return nil }
func (memRecorder) SpentSince(context.Context, time.Time) (float64, error)              { return 0, nil }

// BenchmarkOverhead compares a request through the coordinator with the
// same request made to the provider directly, against a zero-latency
// in-memory provider, and reports the p50/p99 of the difference.
func BenchmarkOverhead(b *testing.B) {
	p := pt.NewScripted("p", "ollama", pt.Step{Chunks: []string{"a", "b", "c", "d"}, Usage: providers.Usage{PromptTokens: 5, CompletionTokens: 4}})
	tgt := coord.Target{Provider: p, Local: true, Model: "m", Limits: coord.Limits{RequestsPerMinute: 1 << 30, TokensPerMinute: 1 << 30}}
	c := coord.New(coord.Config{Targets: []coord.Target{tgt}, Recorder: memRecorder{}})
	msgs := []providers.Message{{Role: providers.RoleUser, Content: "hello there"}}
	sink := func(providers.Chunk) error { return nil }
	ctx := context.Background()

	n := max(b.N, 1)
	direct := make([]time.Duration, 0, n)
	via := make([]time.Duration, 0, n)
	b.ResetTimer()
	for range n {
		t0 := time.Now()
		if _, err := p.Chat(ctx, providers.Request{Model: "m", Messages: msgs}, sink); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := c.Chat(ctx, coord.Request{Messages: msgs}, sink); err != nil {
			b.Fatal(err)
		}
		direct = append(direct, t1.Sub(t0))
		via = append(via, time.Since(t1))
	}
	b.StopTimer()
	slices.Sort(direct)
	slices.Sort(via)
	pct := func(xs []time.Duration, q float64) float64 {
		return float64(xs[min(int(float64(len(xs))*q), len(xs)-1)].Microseconds())
	}
	b.ReportMetric(pct(via, 0.5)-pct(direct, 0.5), "overhead-p50-µs")
	b.ReportMetric(pct(via, 0.99)-pct(direct, 0.99), "overhead-p99-µs")
}

// TestThousandConcurrentStreams runs 1,000 streaming requests at once
// through the coordinator against the fake Ollama server (HTTP, its real
// wire format): no errors, no goroutines left behind (TestMain's leak
// check), and the memory each in-flight stream holds is logged.
func TestThousandConcurrentStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 streams take a few seconds; skipped with -short")
	}
	const n = 1000
	release := make(chan struct{})
	fake := pt.NewOllama(t, pt.WithReply("one ", "two ", "three"), pt.WithPause(1, release))
	prov, err := ollama.New(ollama.Config{BaseURL: fake.URL(), HTTPClient: pooledClient(n)})
	if err != nil {
		t.Fatal(err)
	}
	c := coord.New(coord.Config{Targets: []coord.Target{{Provider: prov, Local: true, Model: "tiny"}}, Recorder: memRecorder{}})

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := rssBytes()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	var firsts sync.WaitGroup
	firsts.Add(n)
	for i := range n {
		wg.Go(func() {
			got := ""
			first := true
			_, err := c.Chat(context.Background(), coord.Request{
				Messages: []providers.Message{{Role: providers.RoleUser, Content: fmt.Sprint("q", i)}},
			}, func(ch providers.Chunk) error {
				if first {
					first = false
					firsts.Done()
				}
				got += ch.Text
				return nil
			})
			if err == nil && got != "one two three" {
				err = fmt.Errorf("stream %d got %q", i, got)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	// Every stream has delivered its first chunk and is held open by the fake.
	firsts.Wait()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	rssDuring := rssBytes()
	close(release)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d streams failed; first: %v", len(errs), n, errs[0])
	}
	// Ollama's api client reserves an 8 MiB line buffer per stream; most of
	// it is never touched, so heap in use and resident memory differ.
	t.Logf("%d concurrent streams (client and fake server together): heap in use %.0f KiB per stream, resident %.0f KiB per stream; %d goroutines",
		n, float64(during.HeapInuse-before.HeapInuse)/n/1024, float64(rssDuring-rssBefore)/n/1024, runtime.NumGoroutine())
}
