package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/session"
)

// TestFollowUpKeepsSessionTarget: a question asked in a session without a
// target of its own is about the code the session is about — the target
// its last turn recorded —, so the target's code goes with it before the
// question's own search hits, and the turn records that target for the
// next one. A follow-up naming its own target takes that one instead; a
// path target is recorded relative to the project's root, so that a
// follow-up from another directory finds it; a context built for the
// session (the TUI's preview, a prompt prepared for another node) has it
// too.
func TestFollowUpKeepsSessionTarget(t *testing.T) {
	ctx := context.Background()
	a, fake := bigModelApp(t)
	root := writeProject(t, map[string]string{
		"go.mod": "module calc\n\ngo 1.22\n",
		"calc/calc.go": "package calc\n\n// Convert turns probabilities into log probabilities.\n" +
			"func Convert(ps []float64) []float64 {\n\tout := make([]float64, len(ps))\n\treturn out\n}\n\n" +
			"// Sub subtracts.\nfunc Sub(a, b int) int { return a - b }\n",
		"input/input.go": "package input\n\n// Nil reports whether the input is nil: nil input handled here.\nfunc Nil(x any) bool { return x == nil }\n",
	})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	askIn := func(t *testing.T, sess session.Ref, task, target, q string) *app.Answer {
		t.Helper()
		ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: q, Model: "big", Actor: "test"},
			Task: task, Root: root, Project: root, Target: target, Session: sess}, func(string) error { return nil })
		if err != nil || ans.Context == nil {
			t.Fatalf("%s %s %q: %+v, %v", task, target, q, ans, err)
		}
		return ans
	}
	sent := func(t *testing.T) string {
		t.Helper()
		reqs := fake.Requests()
		last := reqs[len(reqs)-1]
		return last.Messages[len(last.Messages)-1].Content
	}
	targetOf := func(c *app.BuiltContext) string {
		if c.Target == nil {
			return ""
		}
		return c.Target.Name
	}

	first := askIn(t, session.RefNew, "explain", "calc.Convert", "what does it convert?")
	sess := session.Ref(first.Session)
	for i := range 2 {
		ans := askIn(t, sess, "ask", "", "does it handle nil input?")
		if got := targetOf(ans.Context); got != "calc.Convert" {
			t.Fatalf("follow-up %d: target %q; want the session's, calc.Convert", i+1, got)
		}
		if msg := sent(t); !strings.Contains(msg, "func Convert(ps []float64)") {
			t.Errorf("follow-up %d: the question went without the session's code:\n%s", i+1, msg)
		}
		if inc := ans.Context.Included; len(inc) < 2 || inc[0].Role != "target" {
			t.Errorf("follow-up %d: included %+v; want the target first, then the hits", i+1, inc)
		}
	}
	// The question's own hits still come, after the target.
	if inc := askIn(t, sess, "ask", "", "is nil input handled?").Context.Included; !hasItem(inc, "input.Nil") {
		t.Errorf("follow-up: included %+v; want the question's hit input.Nil after the target", inc)
	}

	// A follow-up with a target of its own takes it, and the session is
	// then about that one.
	if got := targetOf(askIn(t, sess, "ask", "calc.Sub", "and this?").Context); got != "calc.Sub" {
		t.Fatalf("follow-up with --target calc.Sub: target %q", got)
	}
	if got := targetOf(askIn(t, sess, "ask", "", "does it overflow?").Context); got != "calc.Sub" {
		t.Errorf("follow-up after calc.Sub: target %q; want calc.Sub", got)
	}

	// A path target, given as the current directory has it, is recorded
	// as a path of the project: the follow-up below runs elsewhere.
	abs := filepath.Join(root, "input", "input.go")
	pathSess := session.Ref(askIn(t, session.RefNew, "explain", abs, "what is this?").Session)
	s, err := a.Session(ctx, app.SessionRequest{Op: app.SessionShow, Ref: string(pathSess), Project: root})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Document.Turns[0].Context; c == nil || c.Target != "input/input.go" {
		t.Errorf("turn 1 recorded context %+v; want target input/input.go", c)
	}
	t.Chdir(t.TempDir())
	if got := askIn(t, pathSess, "ask", "", "why?").Context.Target; got == nil || got.Path != "input/input.go" {
		t.Errorf("follow-up from another directory: target %+v; want input/input.go", got)
	}

	// The context a session's next question would be sent with.
	b, err := a.BuildContext(ctx, app.ContextRequest{Task: "ask", Root: root, Question: "and then?", Model: "big", Session: string(sess)})
	if err != nil {
		t.Fatal(err)
	}
	if got := targetOf(b); got != "calc.Sub" {
		t.Errorf("BuildContext in the session: target %q; want calc.Sub", got)
	}
	if sum := session.SummarizeContext(b.Context); sum == nil || sum.Target != "calc.Sub" {
		t.Errorf("its summary %+v; want target calc.Sub, for the node answering a prepared prompt to record", sum)
	}
}

func hasItem(items []ctxbuild.Item, name string) bool {
	for _, it := range items {
		if it.Name == name {
			return true
		}
	}
	return false
}
