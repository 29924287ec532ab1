package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/db"
)

// TestSessionShowNamesTheAnsweringNode: a turn another node answered is
// shown with that node, and the node it was asked on after it; a turn
// this node answered is shown as recorded.
func TestSessionShowNamesTheAnsweringNode(t *testing.T) {
	d := session.Document{Session: session.Info{ID: "s1"}, Turns: []session.Turn{
		{N: 1, Status: db.TurnCompleted, Provider: "alpha/local", Model: "tiny:latest", Node: "vm-a5bf1c"},
		{N: 2, Status: db.TurnCompleted, Provider: "oai", Model: "gpt", Node: "vm-a5bf1c"},
	}}
	var b strings.Builder
	if err := shownAnswering(d).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"alpha/local/tiny:latest on alpha (asked on vm-a5bf1c)", "oai/gpt on vm-a5bf1c"} {
		if !strings.Contains(out, want) {
			t.Errorf("session show lacks %q:\n%s", want, out)
		}
	}
	if d.Turns[0].Node != "vm-a5bf1c" {
		t.Errorf("the document was changed: turn 1's node %q", d.Turns[0].Node)
	}
}
