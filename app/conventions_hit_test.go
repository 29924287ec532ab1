package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestConventionsNotAlsoAHit: the project's AGENTS.md goes into the
// prompt once, as its conventions — whole, or cut to their share of the
// window —, not again as a search hit for a question in its words.
func TestConventionsNotAlsoAHit(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "big", ContextLength: 8192, NumCtx: 8192}))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}})
	for name, agents := range map[string]string{
		"whole": "# Conventions\n\nMoney amounts are integer cents; rounding happens only at display.\n",
		"cut":   "# Conventions\n\n" + strings.Repeat("Money amounts are integer cents; rounding happens only at display, in every module.\n", 200),
	} {
		t.Run(name, func(t *testing.T) {
			root := writeProject(t, map[string]string{
				"go.mod":         "module shop\n\ngo 1.22\n",
				"AGENTS.md":      agents,
				"money/money.go": "package money\n\n// Round rounds cents for display.\nfunc Round(c int) int { return c }\n",
			})
			if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
				t.Fatal(err)
			}
			for _, with := range []bool{true, false} {
				if !with {
					// Without conventions (a file the caller left out), the
					// same question finds it: the test shows something.
					if err := os.Rename(filepath.Join(root, "AGENTS.md"), filepath.Join(root, "RULES.md")); err != nil {
						t.Fatal(err)
					}
					if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
						t.Fatal(err)
					}
				}
				b, err := a.BuildContext(ctx, app.ContextRequest{Task: "ask", Root: root, Question: "how are money amounts rounded? integer cents conventions", Model: "big"})
				if err != nil {
					t.Fatal(err)
				}
				if with != (b.Conventions != nil) || with && b.Conventions.Cut != (name == "cut") {
					t.Fatalf("conventions %+v; want them in (%v), cut (%v)", b.Conventions, with, name == "cut")
				}
				hit := false
				for _, it := range b.Included {
					if strings.HasSuffix(it.Path, ".md") {
						hit = true
						if with {
							t.Errorf("%s went in as conventions and again as %s %s (%d-%d)", it.Path, it.Role, it.Name, it.StartLine, it.EndLine)
						}
					}
				}
				if !with && !hit {
					t.Errorf("without conventions, RULES.md is no hit: the test shows nothing")
				}
			}
		})
	}
}
