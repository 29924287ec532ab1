package coord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// checkCut checks a request whose answer passed limit (written as
// limitText): it failed with one line for the user, and it is recorded —
// in what Chat returned and in the store — as interrupted, with the answer
// the caller was given, want, cut at the limit.
func checkCut(t *testing.T, e env, in *db.Interaction, err error, got, want string, limit int, limitText string) {
	t.Helper()
	if err == nil {
		t.Fatalf("an answer over %s was accepted; want it cut with an error", limitText)
	}
	var ue *usererr.Error
	if msg := err.Error(); !errors.As(err, &ue) || strings.Contains(msg, "\n") ||
		!strings.Contains(msg, "passed the limit of "+limitText+" on an answer and was cut there") {
		t.Errorf("error %q (%T); want one line for the user saying the answer passed %s and was cut", msg, err, limitText)
	}
	if got != want || !utf8.ValidString(got) || len(got) > limit {
		t.Errorf("the caller was given %d bytes (valid UTF-8: %v); want the %d bytes up to the %d-byte limit", len(got), utf8.ValidString(got), len(want), limit)
	}
	if in == nil {
		t.Fatal("no interaction returned")
	}
	rows, qerr := e.store.Interactions(context.Background(), 1)
	if qerr != nil || len(rows) != 1 || rows[0].ID != in.ID {
		t.Fatalf("stored interactions %v (err %v); want the request's", rows, qerr)
	}
	for _, r := range []*db.Interaction{in, &rows[0]} {
		if r.Status != db.StatusInterrupted || r.ErrorKind != coord.OutcomeTooLong || r.Error != "answer exceeded "+limitText+"; cut" {
			t.Errorf("recorded status %q, kind %q, error %q; want interrupted, %q, %q",
				r.Status, r.ErrorKind, r.Error, coord.OutcomeTooLong, "answer exceeded "+limitText+"; cut")
		}
		if r.Response != want {
			t.Errorf("recorded a %d-byte answer; want the %d bytes the caller was given", len(r.Response), len(want))
		}
	}
	if outcomes(in) != in.Provider+":"+coord.OutcomeTooLong {
		t.Errorf("route %q; want one attempt, %s", outcomes(in), coord.OutcomeTooLong)
	}
}

// Every kind of provider is stopped at the limit: the stream is cut at the
// chunk that passes it (at a character boundary), the provider's answer is
// closed — the fake pauses after that chunk, so a provider that went on
// reading would wait there — and the request is recorded as interrupted
// with the answer up to the limit.
func TestAnswerLimitStopsEachProvider(t *testing.T) {
	// Tokens of 101 bytes: the 11th passes 1 KiB, 14 bytes in, which is
	// in the middle of an "é".
	tok := "x" + strings.Repeat("é", 50)
	toks := make([]string, 40)
	for i := range toks {
		toks[i] = tok
	}
	want := strings.Repeat(tok, 10) + tok[:13]
	const limit = 1 << 10

	for _, tc := range []struct {
		name string
		new  func(t *testing.T, opts ...pt.Option) (providers.Provider, string)
	}{
		{"openai", func(t *testing.T, opts ...pt.Option) (providers.Provider, string) {
			fake := pt.NewOpenAI(t, opts...)
			p, err := openai.New(openai.Config{Name: "openai", BaseURL: fake.URL(), APIKey: "k"})
			return must(t, p, err), pt.DefaultOpenAIModel
		}},
		{"anthropic", func(t *testing.T, opts ...pt.Option) (providers.Provider, string) {
			fake := pt.NewAnthropic(t, opts...)
			p, err := anthropic.New(anthropic.Config{Name: "anthropic", BaseURL: fake.URL(), APIKey: "k"})
			return must(t, p, err), pt.AnthropicDefaultModel
		}},
		{"ollama", func(t *testing.T, opts ...pt.Option) (providers.Provider, string) {
			fake := pt.NewOllama(t, opts...)
			p, err := ollama.New(ollama.Config{Name: "ollama", BaseURL: fake.URL()})
			return must(t, p, err), pt.DefaultModel
		}},
		{"lmstudio", func(t *testing.T, opts ...pt.Option) (providers.Provider, string) {
			fake := pt.NewLMStudio(t, opts...)
			p, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: fake.URL()})
			return must(t, p, err), pt.DefaultLMStudioModel
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			p, model := tc.new(t, pt.WithReply(toks...), pt.WithPause(11, release))
			e := newEnv(t, coord.Config{MaxAnswer: limit, Targets: []coord.Target{{Provider: p, Local: true, Model: model}}})
			// A provider that read on past the limit would wait at the
			// pause until this deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var got strings.Builder
			in, err := e.c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
				func(c providers.Chunk) error { got.WriteString(c.Text); return nil })
			checkCut(t, e, in, err, got.String(), want, limit, "1 KiB")
		})
	}
}

func must(t *testing.T, p providers.Provider, err error) providers.Provider {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Without a limit configured an answer is cut at DefaultMaxAnswer, 4 MiB,
// and what the store keeps is no more than that.
func TestAnswerLimitDefault(t *testing.T) {
	chunk := strings.Repeat("y", 1<<16)
	chunks := make([]string, 5<<20/len(chunk)) // 5 MiB
	for i := range chunks {
		chunks[i] = chunk
	}
	p := pt.NewScripted("p", "ollama", pt.Step{Chunks: chunks, Usage: providers.Usage{PromptTokens: 1, CompletionTokens: 1}})
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(p, true)}})
	got, in, err := e.chat(t, coord.Request{})
	checkCut(t, e, in, err, got, strings.Repeat("y", coord.DefaultMaxAnswer), coord.DefaultMaxAnswer, "4 MiB")
}

// An answer cut at its limit is not retried, nor sent to another provider:
// the user has the part that came, and a second long answer would cost as
// much again. Nor is it the provider's fault: its breaker stays closed.
func TestAnswerLimitNoRetry(t *testing.T) {
	long := pt.Step{Chunks: []string{"abcdef", "ghijkl"}}
	a := pt.NewScripted("a", "ollama", long)
	b := pt.NewScripted("b", "ollama", ok("b"))
	e := newEnv(t, coord.Config{MaxAnswer: 8, Breaker: coord.BreakerConfig{Failures: 1},
		Targets: []coord.Target{target(a, true), target(b, true)}})
	got, in, err := e.chat(t, coord.Request{})
	checkCut(t, e, in, err, got, "abcdefgh", 8, "8 bytes")
	if a.Calls() != 1 || b.Calls() != 0 {
		t.Fatalf("a called %d times, b %d; want a once, b never", a.Calls(), b.Calls())
	}
	// With a breaker that opens at one fault, a second request would skip a.
	a.SetSteps(ok("short"))
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "short" || outcomes(in) != "a:ok" {
		t.Fatalf("next request: %q, route %q, %v; want a to answer", out, outcomes(in), err)
	}
}

// An answer of exactly the limit is whole; a tool call's arguments count
// against the limit too, and a fragment that passes it is not passed on
// (cut, it is of no use).
func TestAnswerLimitEdges(t *testing.T) {
	p := pt.NewScripted("p", "ollama", ok("abcd", "efgh"))
	e := newEnv(t, coord.Config{MaxAnswer: 8, Targets: []coord.Target{target(p, true)}})
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "abcdefgh" || in.Status != db.StatusOK {
		t.Fatalf("an answer of exactly the limit: %q, %v, %v; want it whole", out, in.Status, err)
	}

	tools := &toolsProvider{Scripted: pt.NewScripted("t", "ollama"), chunks: []providers.Chunk{
		{Text: "abc"},
		{ToolCall: &providers.ToolCallDelta{Index: 0, ID: "c1", Name: "f", Arguments: `{"a":`}},
		{ToolCall: &providers.ToolCallDelta{Index: 0, Arguments: `"long value"}`}},
	}}
	e = newEnv(t, coord.Config{MaxAnswer: 10, Targets: []coord.Target{target(tools, true)}})
	var got []providers.Chunk
	in, err := e.c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(c providers.Chunk) error { got = append(got, c); return nil })
	if err == nil || in.Status != db.StatusInterrupted || in.Response != "abc" || len(got) != 2 || got[1].ToolCall == nil || got[1].ToolCall.Arguments != `{"a":` {
		t.Fatalf("got %d chunks, recorded %q as %v (err %v); want the text and the first fragment, then the cut", len(got), in.Response, in.Status, err)
	}
}

// toolsProvider streams fixed chunks, tool calls among them.
type toolsProvider struct {
	*pt.Scripted
	chunks []providers.Chunk
}

func (p *toolsProvider) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	for _, c := range p.chunks {
		if err := fn(c); err != nil {
			return providers.Result{}, err
		}
	}
	return providers.Result{Model: req.Model, StopReason: "tool_calls"}, nil
}
