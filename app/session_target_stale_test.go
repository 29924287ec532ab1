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

// TestKeptTargetStaleIndex: a session's target whose file was renamed
// and not indexed since is not said to no longer exist: the warning says
// the index may be out of date and to run aiex index, and it says what the
// context is, which a dry run shows without sending anything. Once the
// project is indexed again, the follow-up finds the unit by its name.
func TestKeptTargetStaleIndex(t *testing.T) {
	ctx := context.Background()
	a, _ := bigModelApp(t)
	calc := "package calc\n\n// Convert converts cents to euros.\nfunc Convert(cents int) float64 {\n\treturn float64(cents) / 100\n}\n"
	root := writeProject(t, map[string]string{"go.mod": "module shop\n\ngo 1.22\n", "calc/calc.go": calc})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	first, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "", Model: "big", Actor: "test"},
		Task: "explain", Root: root, Project: root, Target: "calc/calc.go:4", Session: session.RefNew}, func(string) error { return nil })
	if err != nil || first.Context == nil || first.Context.TargetName != "calc.Convert" {
		t.Fatalf("explain: %+v, %v", first, err)
	}
	// Renamed, not indexed since.
	if err := os.Rename(filepath.Join(root, "calc/calc.go"), filepath.Join(root, "calc/convert.go")); err != nil {
		t.Fatal(err)
	}
	dry, err := a.BuildContext(ctx, app.ContextRequest{Root: root, Question: "does it round?", Model: "big", Session: first.Session})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "does it round?", Model: "big", Actor: "test"},
		Root: root, Project: root, Session: session.Ref(first.Session)}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for what, w := range map[string]string{"dry run": dry.TargetGone, "answer": ans.Warning} {
		if !strings.Contains(w, "calc/calc.go:4 (calc.Convert)") || !strings.Contains(w, "run aiex index") ||
			strings.Contains(w, "no longer exists") || strings.Contains(w, "went") || strings.Contains(w, "\n") {
			t.Errorf("%s: warning %q; want one line saying the index may be out of date and to run aiex index", what, w)
		}
	}
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	dry, err = a.BuildContext(ctx, app.ContextRequest{Root: root, Question: "does it round?", Model: "big", Session: first.Session})
	if err != nil || dry.TargetGone != "" || dry.Target == nil || dry.Target.Name != "calc.Convert" {
		t.Fatalf("indexed again: %+v, %v", dry, err)
	}
}
