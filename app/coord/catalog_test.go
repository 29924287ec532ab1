package coord_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestFailedModelListingIsNotKept: a local server that could not list its
// models is asked again soon after (a failure is remembered for a moment
// only, so that a burst of requests does not each wait on a dead server),
// not skipped for the minute a good listing is trusted.
func TestFailedModelListingIsNotKept(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }

	local := pt.NewScripted("local", "ollama", ok("l"))
	local.ModelsErr = &providers.Error{Provider: "local", Kind: providers.KindUnavailable, Message: "connection refused"}
	tl := target(local, true)
	tl.Model = "" // the first model it lists
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tl, target(cloud, false)}, Now: now})

	route := func() string {
		t.Helper()
		_, in, err := e.chat(t, coord.Request{})
		if err != nil {
			t.Fatal(err)
		}
		return outcomes(in)
	}
	if got := route(); got != "local:unavailable cloud:ok" {
		t.Fatalf("with local down: route %q", got)
	}
	local.ModelsErr = nil // local is back
	if got := route(); got != "local:unavailable cloud:ok" {
		t.Fatalf("right after: route %q; want the failure remembered for a moment", got)
	}
	clock.Add(int64(3 * time.Second))
	if got := route(); got != "local:ok" {
		t.Fatalf("3 s later: route %q; want local to answer again", got)
	}
}

// silent is a provider whose server takes requests and never answers:
// listing its models blocks until the caller gives up.
type silent struct{ *pt.Scripted }

func (s silent) Models(ctx context.Context) ([]providers.Model, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("silent: list models: %w", ctx.Err())
}

// TestListingThatNeverAnswers: a local server that accepts the connection
// and never answers costs a request its short listing bound, not the
// request's deadline: the request fails over to the next target, and
// with none left says in one sentence which server did not answer —
// never "context deadline exceeded". Plan (which callers run before
// Chat) is bounded and reports the same way.
func TestListingThatNeverAnswers(t *testing.T) {
	hung := silent{pt.NewScripted("local", "ollama", ok("never"))}
	tl := target(hung, true)
	tl.Model = "" // the first model it lists
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	e := newEnv(t, coord.Config{Targets: []coord.Target{tl, target(cloud, false)}, ListTimeout: 50 * time.Millisecond})

	start := time.Now()
	out, in, err := e.chat(t, coord.Request{})
	if err != nil || out != "c" || outcomes(in) != "local:unavailable cloud:ok" {
		t.Fatalf("with local silent: %q, route %q, %v; want a failover to cloud", out, outcomes(in), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the failover took %v", d)
	}
	if msg := in.Route[0].Error; !strings.Contains(msg, "Ollama at scripted://local did not answer within 50ms") {
		t.Errorf("the silent target's attempt says %q", msg)
	}

	alone := newEnv(t, coord.Config{Targets: []coord.Target{tl}, ListTimeout: 50 * time.Millisecond, Deadline: time.Minute})
	_, _, err = alone.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "did not answer within") || strings.Contains(ue.Msg, "deadline exceeded") || strings.Contains(ue.Msg, "\n") {
		t.Fatalf("alone: %v; want one line naming the silent server", err)
	}
	fresh := newEnv(t, coord.Config{Targets: []coord.Target{tl}, ListTimeout: 50 * time.Millisecond})
	_, _, err = fresh.c.Plan(context.Background(), coord.Request{})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "Ollama at scripted://local did not answer within 50ms") {
		t.Fatalf("Plan: %v; want the one-line error Chat gives", err)
	}

	// Under a deadline shorter than the bound, the listing takes half of
	// what is left, so the request can still fail over.
	short := newEnv(t, coord.Config{Targets: []coord.Target{tl, target(cloud, false)}, Deadline: 400 * time.Millisecond})
	out, in, err = short.chat(t, coord.Request{})
	if err != nil || out != "c" {
		t.Fatalf("deadline 400ms: %q, route %q, %v; want the failover within it", out, outcomes(in), err)
	}
}

// TestDefaultModelChats: a request that names no model goes to the first
// model the provider lists that chats, not to an embedding model listed
// before it (Ollama lists the most recently pulled first); a provider
// with only such models is passed over with a message naming them.
func TestDefaultModelChats(t *testing.T) {
	local := pt.NewScripted("local", "ollama", ok("l"))
	local.ModelList = []string{"nomic-embed-text", "llama3.2", "qwen2.5"}
	local.NoChat = []string{"nomic-embed-text"}
	tl := target(local, true)
	tl.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{tl}})
	if _, in, err := e.chat(t, coord.Request{}); err != nil || in.Model != "llama3.2" {
		t.Fatalf("default model %q, err %v; want llama3.2", in.Model, err)
	}

	embeds := pt.NewScripted("embeds", "ollama", ok("e"))
	embeds.ModelList = []string{"nomic-embed-text", "mxbai-embed-large"}
	embeds.NoChat = embeds.ModelList
	te := target(embeds, true)
	te.Model = ""
	cloud := pt.NewScripted("cloud", "openai", ok("c"))
	e = newEnv(t, coord.Config{Targets: []coord.Target{te, target(cloud, false)}})
	_, in, err := e.chat(t, coord.Request{})
	if err != nil || in.Provider != "cloud" || embeds.Calls() != 0 {
		t.Fatalf("provider %q, err %v, embedding-only server called %d times", in.Provider, err, embeds.Calls())
	}
	if r := in.Route[0]; r.Provider != "embeds" || !strings.Contains(r.Error, "no chat model, only nomic-embed-text, mxbai-embed-large") {
		t.Errorf("first attempt %+v", r)
	}
}

// TestModelRecordedAsListed: a model asked for without Ollama's implicit
// ":latest" tag is asked and recorded under the name the server lists, as
// a request that names no model is, so that usage shows one model.
func TestModelRecordedAsListed(t *testing.T) {
	local := pt.NewScripted("ollama", "ollama", ok("hi"))
	local.ModelList = []string{"tiny:latest", "qwen2.5:7b"}
	tgt := target(local, true)
	tgt.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{tgt}})
	for _, asked := range []string{"tiny", "tiny:latest", ""} {
		_, in, err := e.chat(t, coord.Request{Model: asked})
		if err != nil || in.Model != "tiny:latest" || in.RequestedModel != "tiny:latest" {
			t.Errorf("asked for %q: recorded %q (requested %q), %v; want tiny:latest", asked, in.Model, in.RequestedModel, err)
		}
	}
	if reqs := local.Requests(); len(reqs) != 3 || reqs[0].Model != "tiny:latest" {
		t.Errorf("the server was asked for %+v", reqs)
	}
}

// TestPinnedModelNotFoundWithListThatHangs: a pinned request whose model
// the server does not have (404) is told so, even when the server then
// hangs on the model list that would name what it has: the list is
// bounded (providers.ListContext), not waited on for the request's whole
// deadline, which lost the 404 ("the request took longer than its
// deadline").
func TestPinnedModelNotFoundWithListThatHangs(t *testing.T) {
	srv := pt.NewOpenAI(t, pt.WithListLatency(time.Hour))
	lms, err := lmstudio.New(lmstudio.Config{Name: "lms", BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: lms, Local: true}}, Deadline: 3 * time.Second})
	start := time.Now()
	_, _, err = e.chat(t, coord.Request{Provider: "lms", Model: "tiny"})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "does not exist") || strings.Contains(ue.Msg, "deadline") {
		t.Fatalf("after %v: %v; want the server's 404 for the model", time.Since(start), err)
	}
}

// TestPulledModelFoundAtOnce: a model the provider lists only since its
// catalog was made (pulled in the meantime) is found by the next request
// that names it — the list is made again, not trusted for its minute —
// and a name no list has costs one listing more, at most one per
// catalogErrTTL.
func TestPulledModelFoundAtOnce(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	o := pt.NewScripted("o", "ollama", ok("a"), ok("b"))
	o.ModelList = []string{"old"}
	to := target(o, true)
	to.Model = ""
	e := newEnv(t, coord.Config{Targets: []coord.Target{to}, Now: now, MaxAttempts: 1})
	if _, _, err := e.chat(t, coord.Request{}); err != nil {
		t.Fatal(err)
	}
	o.ModelList = []string{"old", "pulled"} // ollama pull, 10 s later
	clock.Add(int64(10 * time.Second))
	_, in, err := e.chat(t, coord.Request{Model: "pulled"})
	if err != nil || in.Model != "pulled" {
		t.Fatalf("pulled model: %v (model %q); want it asked", err, in.Model)
	}
	lists := o.ListCalls()
	for range 3 {
		if _, _, err := e.chat(t, coord.Request{Model: "nope"}); err == nil {
			t.Fatal("a model no list has was asked")
		}
	}
	if got := o.ListCalls() - lists; got > 1 {
		t.Errorf("%d listings for three requests of an unknown model within a second; want at most 1", got)
	}
}
