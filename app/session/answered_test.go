package session_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestMarkdownNamesTheAnsweringNode: a turn another node answered (its
// provider NODE/PROVIDER) is written with that node, and the node it was
// asked on after it — in session show, resume and export alike; a turn
// this node answered is written as recorded.
func TestMarkdownNamesTheAnsweringNode(t *testing.T) {
	d := session.Document{Session: session.Info{ID: "s1"}, Turns: []session.Turn{
		{N: 1, Status: db.TurnCompleted, Provider: "alpha/local", Model: "tiny:latest", Node: "vm-a5bf1c"},
		{N: 2, Status: db.TurnCompleted, Provider: "oai", Model: "gpt", Node: "vm-a5bf1c"},
	}}
	var b strings.Builder
	if err := d.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"alpha/local/tiny:latest on alpha (asked on vm-a5bf1c)", "oai/gpt on vm-a5bf1c"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, out)
		}
	}
}

// TestMarkdownQuotesChunkNames: the context's file and chunk names come
// from the project's files (a cloned repository chooses them): a newline
// in one would forge the Markdown's lines, a bidi control show another
// name, so such a name is written quoted, its characters escaped.
func TestMarkdownQuotesChunkNames(t *testing.T) {
	d := session.Document{Session: session.Info{ID: "s1"}, Turns: []session.Turn{{N: 1, Status: db.TurnCompleted,
		Context: &session.ContextSummary{Chunks: []session.ContextChunk{{Path: "new\nline.go", Name: "x\u202eog.sh", Tokens: 3}}}}}}
	var b strings.Builder
	if err := d.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "`\"new\\nline.go\"` \"x\\u202eog.sh\" (3)") {
		t.Errorf("the context's names are not quoted:\n%s", out)
	}
}
