package coord_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

const embedModel = "text-embedding-3-small" // $0.02 per 1M input tokens, built in

// embedOpenAI is a fake OpenAI serving the embedding model, as provider
// "cloud" (a paid provider: not local).
func embedOpenAI(t *testing.T, opts ...pt.Option) (*pt.OpenAI, coord.Target) {
	t.Helper()
	fake := pt.NewOpenAI(t, append([]pt.Option{pt.WithModels(pt.Model{Name: "gpt-4o-mini"}, pt.Model{Name: embedModel})}, opts...)...)
	return fake, openAITarget(t, fake.URL())
}

func openAITarget(t *testing.T, url string) coord.Target {
	t.Helper()
	p, err := openai.New(openai.Config{Name: "cloud", BaseURL: url, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return coord.Target{Provider: p, Model: "gpt-4o-mini"}
}

// embedRequests counts the embedding requests among a fake OpenAI's.
func embedRequests(fake *pt.OpenAI) int {
	n := 0
	for _, r := range fake.Requests() {
		if strings.HasSuffix(r.Path, "/embeddings") {
			n++
		}
	}
	return n
}

// embedUsage is the usage row of kind embed of provider and model, if any.
func embedUsage(t *testing.T, st *db.Store, provider, model string) (db.UsageRow, bool) {
	t.Helper()
	rows, err := st.Usage(context.Background(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Kind == db.UsageEmbed && r.Provider == provider && r.Model == model {
			return r, true
		}
	}
	return db.UsageRow{}, false
}

// TestEmbedRecordsUsage: an embedding request through the coordinator is
// recorded with the tokens the provider counted and their cost at the
// model's price, shows in usage as a row of kind embed, counts against the
// spend caps, and is not an interaction: history lists conversations.
func TestEmbedRecordsUsage(t *testing.T) {
	ctx := context.Background()
	fake, cloud := embedOpenAI(t)
	e := newEnv(t, coord.Config{Targets: []coord.Target{cloud}})
	input := []string{strings.Repeat("word ", 1000), strings.Repeat("other ", 500)}
	vecs, err := e.c.Embedder("cloud").Embed(ctx, embedModel, input)
	if err != nil || len(vecs) != 2 || len(vecs[0]) == 0 {
		t.Fatalf("embed: %d vectors, %v", len(vecs), err)
	}
	if n := embedRequests(fake); n != 1 {
		t.Fatalf("%d embedding requests sent; want 1", n)
	}
	row, ok := embedUsage(t, e.store, "cloud", embedModel)
	wantCost := 1500 * 0.02 / 1e6 // the fake counts a token a word
	if !ok || row.Requests != 1 || row.Errors != 0 || row.PromptTokens != 1500 || math.Abs(row.CostUSD-wantCost) > 1e-12 {
		t.Fatalf("usage %+v (found %v); want 1 request of 1500 tokens costing %g", row, ok, wantCost)
	}
	spent, err := e.store.SpentSince(ctx, time.Now().Add(-time.Hour))
	if err != nil || math.Abs(spent-wantCost) > 1e-12 {
		t.Fatalf("spent %g, %v; want the embedding's %g", spent, err, wantCost)
	}
	if ins, err := e.store.Interactions(ctx, 0); err != nil || len(ins) != 0 {
		t.Fatalf("history holds %d interactions (%v); want none for an embedding", len(ins), err)
	}
}

// TestEmbedSpendCap: once a spend cap is reached, a paid embedding model is
// not asked; the refusal names the cap, is recorded, and is not a
// *usererr.Error (aiex index warns and goes on, as when embeddings fail).
// A local model is still asked.
func TestEmbedSpendCap(t *testing.T) {
	ctx := context.Background()
	fake, cloud := embedOpenAI(t)
	local := pt.NewOllama(t, pt.WithModels(pt.Model{Name: "nomic-embed-text"}))
	lp, err := ollama.New(ollama.Config{Name: "local", BaseURL: local.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{cloud, {Provider: lp, Local: true}}, Caps: coord.SpendCaps{DailyUSD: 0.5}})
	// Embeddings spent the day's cap already.
	now := time.Now()
	if err := e.store.RecordEmbed(ctx, &db.EmbedRecord{ID: "earlier", Node: e.store.NodeID(), Provider: "cloud", Model: embedModel,
		Inputs: 32, PromptTokens: 30_000_000, CostUSD: 0.6, Status: db.StatusOK, StartedAt: now, FinishedAt: now}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Embedder("cloud").Embed(ctx, embedModel, []string{"func main() {}"})
	if err == nil || !strings.Contains(err.Error(), "daily spend cap of $0.50 is reached") || usererr.As(err) != nil {
		t.Fatalf("embed past the cap: %v (usererr %v); want the cap's refusal, not a usage error", err, usererr.As(err) != nil)
	}
	if n := embedRequests(fake); n != 0 {
		t.Fatalf("%d embedding requests sent past the spend cap", n)
	}
	if row, _ := embedUsage(t, e.store, "cloud", embedModel); row.Requests != 2 || row.Errors != 1 {
		t.Errorf("usage %+v; want the refusal recorded as a failed request", row)
	}
	if vecs, err := e.c.Embedder("local").Embed(ctx, "nomic-embed-text", []string{"func main() {}"}); err != nil || len(vecs) != 1 {
		t.Fatalf("local embedding past the cap: %d vectors, %v; want it made", len(vecs), err)
	}
	if row, ok := embedUsage(t, e.store, "local", "nomic-embed-text:latest"); !ok || row.CostUSD != 0 || row.PromptTokens == 0 {
		t.Errorf("local usage %+v; want its tokens, free", row)
	}
}

// TestEmbedRetriesRateLimit: a 429 with Retry-After: 1 is waited out and
// the request tried again, as a chat's is; both attempts are recorded.
func TestEmbedRetriesRateLimit(t *testing.T) {
	ctx := context.Background()
	fake, _ := embedOpenAI(t)
	u, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var calls atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/embeddings") && calls.Add(1) == 1 {
			// OpenAI's 429, as api.openai.com sends it.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error": {"message": "Rate limit reached for text-embedding-3-small on requests per min (RPM): Limit 3000, Used 3000, Requested 1.", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	e := newEnv(t, coord.Config{Targets: []coord.Target{openAITarget(t, front.URL+"/v1")}, MaxAttempts: 3})
	start := time.Now()
	vecs, err := e.c.Embedder("cloud").Embed(ctx, embedModel, []string{"a b c"})
	took := time.Since(start)
	if err != nil || len(vecs) != 1 {
		t.Fatalf("embed after a 429: %d vectors, %v; want it retried", len(vecs), err)
	}
	if took < time.Second {
		t.Errorf("retried after %s; want the Retry-After of 1s waited out", took)
	}
	recs, err := e.store.EmbedRecords(ctx, time.Now().Add(-time.Hour))
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	r := recs[0]
	if r.Status != db.StatusOK || r.Attempts != 2 || len(r.Route) != 2 || r.Route[0].Outcome != "rate_limited" || r.Route[1].Outcome != "ok" {
		t.Errorf("record %+v; want ok after a rate_limited attempt and an ok one", r)
	}
}

// TestEmbedBreaker: an embedding model failing with 503 opens its route's
// breaker after 5 faults in a row; the next request is refused without
// being sent, in this process and in the next (a new coordinator over the
// same store), as a chat model's is.
func TestEmbedBreaker(t *testing.T) {
	ctx := context.Background()
	fake, cloud := embedOpenAI(t, pt.WithStatus(503, "The server is overloaded or not ready yet."))
	st := dbtest.Open(t)
	newCoord := func() *coord.Coordinator {
		return coord.New(coord.Config{Targets: []coord.Target{cloud}, Recorder: st, Node: st.NodeID(),
			MaxAttempts: 1, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
	}
	c := newCoord()
	for i := range 5 {
		if _, err := c.Embedder("cloud").Embed(ctx, embedModel, []string{"x"}); err == nil {
			t.Fatalf("request %d: no error from a failing server", i)
		}
	}
	if n := embedRequests(fake); n != 5 {
		t.Fatalf("%d requests sent; want 5", n)
	}
	for name, c := range map[string]*coord.Coordinator{"this process": c, "a new process": newCoord()} {
		_, err := c.Embedder("cloud").Embed(ctx, embedModel, []string{"x"})
		if err == nil || !strings.Contains(err.Error(), "circuit breaker open after 5 failures") {
			t.Errorf("%s: %v; want the open breaker's refusal", name, err)
		}
	}
	if n := embedRequests(fake); n != 5 {
		t.Errorf("%d requests sent; want none past the open breaker", n)
	}
}

// TestEmbedRateLimit: a local embedding model is free but rate-limited: with
// requests_per_minute = 1 the second request in a minute is refused without
// being sent, also by the next process.
func TestEmbedRateLimit(t *testing.T) {
	ctx := context.Background()
	local := pt.NewOllama(t, pt.WithModels(pt.Model{Name: "nomic-embed-text"}))
	lp, err := ollama.New(ollama.Config{Name: "local", BaseURL: local.URL()})
	if err != nil {
		t.Fatal(err)
	}
	st := dbtest.Open(t)
	newCoord := func() *coord.Coordinator {
		return coord.New(coord.Config{Targets: []coord.Target{{Provider: lp, Local: true, Limits: coord.Limits{RequestsPerMinute: 1}}},
			Recorder: st, Node: st.NodeID()})
	}
	c := newCoord()
	if _, err := c.Embedder("local").Embed(ctx, "nomic-embed-text", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*coord.Coordinator{"this process": c, "a new process": newCoord()} {
		_, err := c.Embedder("local").Embed(ctx, "nomic-embed-text", []string{"y"})
		if err == nil || !strings.Contains(err.Error(), "local rate limit (1 req/min)") {
			t.Errorf("%s: %v; want the rate limit's refusal", name, err)
		}
	}
	if n := len(local.EmbedRequests()); n != 1 {
		t.Errorf("%d embedding requests sent; want 1", n)
	}
}
