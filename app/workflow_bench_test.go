package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// goProject writes a Go module of n files, each with a few functions that
// call into the next file, as a project of that size has.
func goProject(b testing.TB, n int) string {
	b.Helper()
	root := b.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("go.mod", "module example.com/big\n\ngo 1.22\n")
	for i := range n {
		pkg := fmt.Sprintf("p%02d", i/50)
		var s strings.Builder
		fmt.Fprintf(&s, "package %s\n\nimport \"strings\"\n\n", pkg)
		for f := range 4 {
			fmt.Fprintf(&s, "// F%d_%d joins what F%d_%d gives with a separator.\nfunc F%d_%d(xs []string) string {\n", i, f, (i+1)%n, f, i, f)
			fmt.Fprintf(&s, "\tif len(xs) == 0 {\n\t\treturn \"\"\n\t}\n\treturn strings.Join(xs, \",\") + %q\n}\n\n", fmt.Sprint(i*f))
		}
		write(fmt.Sprintf("%s/f%04d.go", pkg, i), s.String())
	}
	return root
}

// arrivals is an Ollama front that notes when each chat request arrives,
// then passes it on to the fake.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) front(b testing.TB, to string) string {
	u, _ := url.Parse(to)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/chat" {
			a.mu.Lock()
			a.at = append(a.at, time.Now())
			a.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func (a *arrivals) last() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.at[len(a.at)-1]
}

func newApp(b testing.TB, ollama string) *app.App {
	b.Helper()
	b.Setenv("OLLAMA_HOST", ollama)
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: b.TempDir(), File: app.File{Model: "tiny"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close(ctx) })
	return a
}

// BenchmarkExplainBeforeRequest: what aiex explain adds before its request
// reaches the model, on a 1,000-file project with a warm index — the
// session turn recorded, the model planned, the context built and fitted.
// Target: ≤ 80 ms. Reports p50 and p95.
func BenchmarkExplainBeforeRequest(b *testing.B) {
	fake := providertest.NewOllama(b, providertest.WithReply("ok"))
	var arr arrivals
	a := newApp(b, arr.front(b, fake.URL()))
	root := goProject(b, 1000)
	ctx := context.Background()
	if _, err := a.Indexer().Index(ctx, root, index.Options{}); err != nil {
		b.Fatal(err)
	}
	req := app.CodeAsk{Request: ask.Request{Model: "tiny", Actor: "bench"}, Task: "explain", Root: root, Target: "p10.F500_2", Session: "new"}
	if _, err := a.AskCode(ctx, req, func(string) error { return nil }); err != nil { // warm: window and ratio lookups
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := a.AskCode(ctx, req, func(string) error { return nil }); err != nil {
			b.Fatal(err)
		}
		took = append(took, arr.last().Sub(start))
	}
	b.StopTimer()
	reqs := fake.Requests()
	if last := reqs[len(reqs)-1].Messages; !strings.Contains(last[len(last)-1].Content, "func F500_2(xs []string) string") ||
		!strings.Contains(last[len(last)-1].Content, "Related code from the project") {
		b.Fatalf("the prompt lacks the target and related code:\n%s", last[len(last)-1].Content)
	}
	reportPercentiles(b, took)
}

// BenchmarkApply20Files: writing a 20-file refactoring, through the
// sandbox (with its audit records) and a checkpoint. Target: ≤ 200 ms.
func BenchmarkApply20Files(b *testing.B) {
	a := newApp(b, providertest.Unreachable(b))
	root := goProject(b, 40)
	ctx := context.Background()
	round := 0
	b.ResetTimer()
	for b.Loop() {
		round++
		var changes []parse.Change
		for i := range 20 {
			p := fmt.Sprintf("p00/f%04d.go", i)
			old, err := os.ReadFile(filepath.Join(root, p))
			if err != nil {
				b.Fatal(err)
			}
			changes = append(changes, parse.Change{Path: p, OldPath: p, Content: append(old, fmt.Sprintf("// round %d\n", round)...)})
		}
		res, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: changes, Reason: "refactor", Actor: "bench"})
		if err != nil || res.Checkpoint == nil || len(res.Checkpoint.Files) != 20 {
			b.Fatalf("apply: %+v, %v", res, err)
		}
	}
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}
