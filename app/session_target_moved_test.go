package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/session"
)

// TestFollowUpFollowsMovedTarget: a session whose target was a PATH:LINE
// follows the unit it resolved to, recorded by name with the path: the
// file renamed, or lines added above the unit, the next question is
// still about that unit. When the unit is gone too, the question goes
// without it and the answer warns that the session's target no longer
// exists, rather than answer from unrelated search hits as if nothing
// happened.
func TestFollowUpFollowsMovedTarget(t *testing.T) {
	ctx := context.Background()
	a, fake := bigModelApp(t)
	money := "package money\n\n// Add adds two amounts of cents.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
	root := writeProject(t, map[string]string{
		"go.mod":         "module shop\n\ngo 1.22\n",
		"money/money.go": money,
		"other/neg.go":   "package other\n\n// Negatives lists negative numbers.\nfunc Negatives(xs []int) []int { return xs }\n",
	})
	index := func(t *testing.T) {
		t.Helper()
		if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
			t.Fatal(err)
		}
	}
	index(t)
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
	move := func(t *testing.T, from, to, content string) {
		t.Helper()
		if err := os.Remove(filepath.Join(root, from)); err != nil {
			t.Fatal(err)
		}
		if to != "" {
			if err := os.WriteFile(filepath.Join(root, to), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		index(t)
	}
	followUp := func(t *testing.T, sess session.Ref, want string) *app.Answer {
		t.Helper()
		ans := askIn(t, sess, "ask", "", "does it handle negatives?")
		if got := ans.Context.Target; got == nil || got.Name != want {
			t.Fatalf("follow-up: target %+v; want %s", got, want)
		}
		if msg := sent(t); !strings.Contains(msg, "func Add(a, b int) int {") {
			t.Errorf("follow-up: the question went without the session's code:\n%s", msg)
		}
		if ans.Warning != "" || ans.Context.TargetGone != "" {
			t.Errorf("follow-up: warning %q (%q)", ans.Warning, ans.Context.TargetGone)
		}
		return ans
	}

	first := askIn(t, session.RefNew, "explain", "money/money.go:4", "")
	if first.Context.TargetRef != "money/money.go:4" || first.Context.TargetName != "money.Add" {
		t.Fatalf("explain money/money.go:4: target %q, unit %q", first.Context.TargetRef, first.Context.TargetName)
	}
	sess := session.Ref(first.Session)

	// The file renamed: the unit by its name.
	move(t, "money/money.go", "money/currency.go", money)
	followUp(t, sess, "money.Add")
	followUp(t, sess, "money.Add") // recorded by its name now

	// Lines added above it: the path's line is another unit's.
	pathSess := session.Ref(askIn(t, session.RefNew, "explain", "money/currency.go:4", "").Session)
	move(t, "money/currency.go", "money/currency.go", strings.Replace(money, "// Add adds",
		"// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n\n// Add adds", 1))
	followUp(t, pathSess, "money.Add")

	// Gone altogether: asked without it, and said so.
	move(t, "money/currency.go", "", "")
	ans := askIn(t, sess, "ask", "", "does it handle negatives?")
	if ans.Context.Target != nil {
		t.Errorf("target %+v of a session whose code is gone", ans.Context.Target)
	}
	if !strings.Contains(ans.Warning, "the session's target money.Add no longer exists") || strings.Contains(ans.Warning, "\n") {
		t.Errorf("warning %q; want one line saying the session's target money.Add no longer exists", ans.Warning)
	}
	ans = askIn(t, pathSess, "ask", "", "does it handle negatives?")
	if !strings.Contains(ans.Warning, "the session's target money.Add no longer exists") {
		t.Errorf("warning %q; want one line saying the session's target no longer exists", ans.Warning)
	}
}
