package parse

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCodeBlocks(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []CodeBlock
	}{
		{"no blocks", "Just prose with `inline code` and ``more``.\n", nil},
		{"empty answer", "", nil},
		{
			"with and without language",
			"Use this:\n\n```elixir\ndef a, do: 1\n```\n\nand run\n\n```\nmix test\n```\n",
			[]CodeBlock{
				{Lang: "elixir", Info: "elixir", Code: "def a, do: 1\n", StartLine: 3, EndLine: 5, Closed: true},
				{Code: "mix test\n", StartLine: 9, EndLine: 11, Closed: true},
			},
		},
		{
			"info string with path, language lower-cased",
			"```Go internal/cache/cache.go\npackage cache\n```",
			[]CodeBlock{{Lang: "go", Info: "Go internal/cache/cache.go", Code: "package cache\n", StartLine: 1, EndLine: 3, Closed: true}},
		},
		{
			"tilde fence holding backticks",
			"~~~markdown\n```go\nx := 1\n```\n~~~\n",
			[]CodeBlock{{Lang: "markdown", Info: "markdown", Code: "```go\nx := 1\n```\n", StartLine: 1, EndLine: 5, Closed: true}},
		},
		{
			"longer fence holding a shorter one",
			"````md\n```elixir\nIO.puts(1)\n```\n````\nafter\n",
			[]CodeBlock{{Lang: "md", Info: "md", Code: "```elixir\nIO.puts(1)\n```\n", StartLine: 1, EndLine: 5, Closed: true}},
		},
		{
			"empty block",
			"before\n\n```\n```\nafter\n",
			[]CodeBlock{{StartLine: 3, EndLine: 4, Closed: true}},
		},
		{
			"blank lines inside are kept",
			"```go\nfunc a() {}\n\nfunc b() {}\n```\n",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "func a() {}\n\nfunc b() {}\n", StartLine: 1, EndLine: 5, Closed: true}},
		},
		{
			"unterminated final fence",
			"Here is the fix:\n\n```elixir\ndefmodule A do\n  def b, do: 1\n",
			[]CodeBlock{{Lang: "elixir", Info: "elixir", Code: "defmodule A do\n  def b, do: 1\n", StartLine: 3, EndLine: 5}},
		},
		{
			"unterminated, no final newline",
			"```go\nx := 1",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "x := 1\n", StartLine: 1, EndLine: 2}},
		},
		{
			"stream cut inside the closing fence",
			"```go\nx := 1\n``",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "x := 1\n", StartLine: 1, EndLine: 3}},
		},
		{
			"stream cut right after the opening fence",
			"text\n```elixir",
			[]CodeBlock{{Lang: "elixir", Info: "elixir", StartLine: 2, EndLine: 2}},
		},
		{
			"CRLF",
			"Fix:\r\n\r\n```go\r\nx := 1\r\ny := 2\r\n```\r\n",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "x := 1\ny := 2\n", StartLine: 3, EndLine: 6, Closed: true}},
		},
		{
			"in a list item, indentation removed",
			"1. Add the dependency:\n\n   ```elixir\n   {:jason, \"~> 1.4\"}\n   ```\n2. Run `mix deps.get`.\n",
			[]CodeBlock{{Lang: "elixir", Info: "elixir", Code: "{:jason, \"~> 1.4\"}\n", StartLine: 3, EndLine: 5, Closed: true}},
		},
		{
			"in a block quote",
			"> Before:\n> ```go\n> a()\n> ```\n",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "a()\n", StartLine: 2, EndLine: 4, Closed: true}},
		},
		{
			"indented code is not fenced",
			"Text:\n\n    ```go\n    x := 1\n    ```\n",
			nil,
		},
		{
			"closing fence may be longer, not shorter",
			"```go\nx\n``\ny\n`````\n",
			[]CodeBlock{{Lang: "go", Info: "go", Code: "x\n``\ny\n", StartLine: 1, EndLine: 5, Closed: true}},
		},
		{
			"backtick fence with a backtick in the info string is not a fence",
			"```go `x`\ncode\n```\n",
			[]CodeBlock{{Code: "", StartLine: 3, EndLine: 3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CodeBlocks(tc.md)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CodeBlocks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCodeBlocksLinesMatchSource: for closed blocks in a long answer, the
// lines between the fences are the code.
func TestCodeBlocksLinesMatchSource(t *testing.T) {
	answer := bigAnswer(20 << 10)
	lines := strings.Split(answer, "\n")
	blocks := CodeBlocks(answer)
	if len(blocks) < 10 {
		t.Fatalf("found %d blocks in the big answer", len(blocks))
	}
	for _, b := range blocks {
		if !b.Closed {
			t.Fatalf("block at line %d not closed", b.StartLine)
		}
		body := strings.Join(lines[b.StartLine:b.EndLine-1], "\n") + "\n"
		if body != b.Code {
			t.Fatalf("block at lines %d-%d: code %q, source has %q", b.StartLine, b.EndLine, b.Code, body)
		}
		if !strings.HasPrefix(lines[b.StartLine-1], "```"+b.Info) {
			t.Fatalf("line %d is %q, not the opening fence", b.StartLine, lines[b.StartLine-1])
		}
	}
}
