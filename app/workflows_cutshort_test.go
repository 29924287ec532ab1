package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefactorCutShortWritesNothing: an answer stopped at the model's
// output limit with its diff unfinished — here a hunk that deletes a line
// whose replacement never came, which applies and builds — is refused,
// and --apply writes nothing. The same diff, ended as the model meant it
// and in a closed fence, is written.
func TestRefactorCutShortWritesNothing(t *testing.T) {
	const calc = "package calc\n\nimport \"fmt\"\n\n// Show prints the total.\nfunc Show(n int) {\n\tfmt.Println(n)\n\tfmt.Println(\"done\")\n}\n"
	const cut = "--- a/calc.go\n+++ b/calc.go\n@@ -6,4 +6,4 @@\n func Show(n int) {\n-\tfmt.Println(n)\n"
	for _, tc := range []struct {
		name, reply, stop string
		refused           string
	}{
		{"bare diff at the output limit", "Here:\n\n" + cut, "length", "cut short (the model reached its limit on output tokens)"},
		{"unclosed fence", "Here:\n\n```diff\n" + cut, "stop", "stopped inside its diff"},
		{"whole", "```diff\n" + cut + "+\tfmt.Println(\"total:\", n)\n \tfmt.Println(\"done\")\n }\n```\n", "stop", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			a := taskApp(t, providertest.NewOllama(t, providertest.WithReply(tc.reply), providertest.WithStopReason(tc.stop)).URL())
			root := writeProject(t, map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": calc})
			if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
				t.Fatal(err)
			}
			res, err := a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc.Show", Goal: "label the total", Actor: "test", Session: "new", Apply: true},
				func(string) error { return nil })
			got, rerr := os.ReadFile(filepath.Join(root, "calc.go"))
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tc.refused == "" {
				if err != nil || res.Proposal == nil || !res.Proposal.OK() {
					t.Fatalf("whole diff: %v %+v", err, res)
				}
				return
			}
			ue := usererr.As(err)
			if ue == nil || !strings.Contains(ue.Msg, tc.refused) || !strings.Contains(ue.Msg, "nothing was written") {
				t.Fatalf("refactor: %v; want a user error with %q", err, tc.refused)
			}
			if string(got) != calc {
				t.Errorf("calc.go changed:\n%s", got)
			}
		})
	}
}
