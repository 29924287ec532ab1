package session_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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

func TestExportGolden(t *testing.T) {
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
