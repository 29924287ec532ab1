package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/aiex-dev/aiex/app/session"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", name, cmp.Diff(string(want), string(got)))
	}
}

// inZone makes loc the local time zone for the rest of the test: the
// Markdown shows times in local time.
func inZone(t *testing.T, loc *time.Location) {
	t.Helper()
	old := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = old })
}

// TestExportLocalTime: a session's Markdown (session show, export) says
// when in local time, as session list and history do, with the offset
// that makes it unambiguous where it is read.
func TestExportLocalTime(t *testing.T) {
	inZone(t, time.FixedZone("JST", 9*3600))
	var b strings.Builder
	at := time.Date(2025, 6, 1, 12, 59, 27, 0, time.UTC)
	must(t, session.WriteTurnMarkdown(&b, session.Turn{N: 1, Status: "running", Prompt: "hi", StartedAt: at}))
	if got := b.String(); !strings.Contains(got, "2025-06-01 21:59:27 +09:00") || strings.Contains(got, "UTC") {
		t.Fatalf("turn:\n%s\nwant its start in local time, 2025-06-01 21:59:27 +09:00", got)
	}
}

func TestExportGolden(t *testing.T) {
	inZone(t, time.UTC)
	ctx := context.Background()
	e := newEnv(t, session.Config{Instance: "p1", NewID: func() string { return "0123456789ab" }})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/home/me/shop", "cli")
	n, _ := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "What does Shop.Cart.total/1 do?\n\nBe brief."})
	must(t, s.RecordTurnCompleted(ctx, n, session.TurnResult{
		Answer: "It sums the line items:\n\n```elixir\nEnum.sum(items)\n```\n", Provider: "ollama", Model: "qwen2.5-coder",
		Node: "node-a", InteractionID: "3f2c", PromptTokens: 1834, CompletionTokens: 57, TTFTMillis: 85, TotalMillis: 1420,
		Context: &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 1834, Dropped: 3, Chunks: []session.ContextChunk{
			{Path: "lib/shop/cart.ex", Name: "Shop.Cart.total/1", Kind: "function", Form: "full", StartLine: 12, EndLine: 20, Tokens: 96},
			{Path: "lib/shop/item.ex", Name: "Shop.Item", Kind: "module", Form: "signature", StartLine: 1, EndLine: 40, Tokens: 31},
		}},
	}))
	n, _ = s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "And with discounts?", Provider: "openai", Model: "gpt-4o"})
	must(t, s.RecordTurnInterrupted(ctx, n, session.TurnResult{Answer: "Discounts are applied", Provider: "openai", Model: "gpt-4o",
		Node: "node-a", PromptTokens: 1900, CompletionTokens: 4, CostUSD: 0.00479, Reason: "cancelled", TotalMillis: 640,
		Context: &session.ContextSummary{Budget: 3072, Tokens: 1900, HistoryTurns: 1, HistoryTokens: 66}}))
	n, _ = s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "Try again"})
	must(t, s.RecordTurnFailed(ctx, n, session.TurnResult{Reason: "no provider reachable"}))
	_, _ = s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "Still there?"}) // running

	var md, js bytes.Buffer
	must(t, e.svc.Export(ctx, session.RefLast, "/home/me/shop", session.FormatMarkdown, &md))
	must(t, e.svc.Export(ctx, session.Ref(s.ID()), "", session.FormatJSON, &js))
	golden(t, "export.md", md.Bytes())
	golden(t, "export.json", js.Bytes())

	var last bytes.Buffer
	o, _ := e.svc.Open(ctx, session.RefLast, "/home/me/shop")
	must(t, session.WriteTurnMarkdown(&last, o.Last(ctx, 1)[0]))
	if !bytes.Contains(md.Bytes(), last.Bytes()) {
		t.Errorf("the last turn alone is not as in the document:\n%s", last.String())
	}
}

// TestTurnWithoutProvider: a turn that names only its model (it never
// reached a provider) shows the model alone, not "/model".
func TestTurnWithoutProvider(t *testing.T) {
	var b strings.Builder
	must(t, session.WriteTurnMarkdown(&b, session.Turn{N: 1, Status: "interrupted", Model: "slow", Prompt: "hi"}))
	if got := b.String(); !strings.Contains(got, "*interrupted · slow · ") || strings.Contains(got, "/slow") {
		t.Fatalf("turn:\n%s", got)
	}
}

// TestExportHostileText: what a model or a pasted prompt may hold does
// not leak into the Markdown's structure or act on a terminal: a code
// block left open at the end of a prompt or answer is closed before the
// next heading, and escape sequences and other control characters are
// dropped (the JSON keeps every byte).
func TestExportHostileText(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	prompts := []string{
		"look at this:\n```go\nfunc x() {\x1b]0;PWNED\x07",
		"and\r\x1b[2Kthis\n~~~~\n```\nstill code",
		"a list:\n\n1. step\n   ```sh\n   make",
	}
	answers := []string{
		"Here:\n\n````elixir\ndef x, do: :ok\n```\n\u009b31m",
		"",
		"fine",
	}
	for i, p := range prompts {
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: p})
		must(t, err)
		if answers[i] != "" {
			must(t, s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: answers[i], Provider: "p", Model: "m"}))
		} else {
			must(t, s.RecordTurnInterrupted(ctx, n, session.TurnResult{Reason: "cancelled\x1b[8m"}))
		}
	}
	var md bytes.Buffer
	must(t, e.svc.Export(ctx, session.Ref(s.ID()), "", session.FormatMarkdown, &md))
	for i, r := range md.String() {
		if r < 0x20 && r != '\t' && r != '\n' || r >= 0x7f && r < 0xa0 {
			t.Fatalf("control character %U at byte %d of the export:\n%q", r, i, md.String())
		}
	}
	want := []string{"Turn 1", "Prompt", "Answer", "Turn 2", "Prompt", "Turn 3", "Prompt", "Answer"}
	if got := headings(md.Bytes()); !slices.Equal(got[1:], want) {
		t.Fatalf("headings %q, want %q after the title; export:\n%s", got, want, md.String())
	}

	var js bytes.Buffer
	must(t, e.svc.Export(ctx, session.Ref(s.ID()), "", session.FormatJSON, &js))
	var d session.Document
	must(t, json.Unmarshal(js.Bytes(), &d))
	if d.Turns[0].Prompt != prompts[0] || d.Turns[0].Answer != answers[0] {
		t.Errorf("the JSON export changed the texts: %q, %q", d.Turns[0].Prompt, d.Turns[0].Answer)
	}
}

// headings lists the text of the Markdown's headings, in order.
func headings(src []byte) []string {
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			var b strings.Builder
			for c := h.FirstChild(); c != nil; c = c.NextSibling() {
				if tx, ok := c.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			out = append(out, b.String())
		}
		return ast.WalkContinue, nil
	})
	return out
}
