package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefactorDiskFull: the disk holding the data dir fills while the
// model's answer — a diff that applies — streams. The task keeps its
// proposal (it is the answer's, and the answer came whole), writes
// nothing, and says so in one sentence: that the change was not written,
// why (the disk is full: free space or choose another data dir), and
// which records of the answer are not written yet — none that were. Its
// session turn records that the proposal was not written, once the store
// can write again.
func TestRefactorDiskFull(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	const calc = "package calc\n\nimport \"fmt\"\n\n// Show prints the total.\nfunc Show(n int) {\n\tfmt.Println(n)\n\tfmt.Println(\"done\")\n}\n"
	diff := "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -6,4 +6,4 @@\n func Show(n int) {\n-\tfmt.Println(n)\n+\tfmt.Println(\"total:\", n)\n \tfmt.Println(\"done\")\n }\n```\n"
	remarks := strings.Repeat("The label makes the total easier to read in a log. ", 400)
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply(diff, remarks))
	a := taskApp(t, fake.URL())
	root := writeProject(t, map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": calc})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	full := false
	res, err := a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc.Show", Goal: "label the total", Actor: "test", Session: "new", Apply: true},
		func(string) error {
			if !full {
				fillDisk(t, a)
				full = true
			}
			return nil
		})
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") || !strings.Contains(ue.Msg, "not written") || !strings.Contains(ue.Msg, "is full") ||
		!strings.Contains(ue.Msg, "another data dir") || !strings.Contains(ue.Msg, "answer is complete") {
		t.Fatalf("refactor: %v; want one sentence: not written, the disk full (free space or another data dir), the answer complete", err)
	}
	var unrec *app.UnrecordedError
	if !errors.As(err, &unrec) || unrec.History || unrec.Session == "" {
		t.Fatalf("refactor: %v (%+v); want it to say the history's record is not written", err, unrec)
	}
	if res == nil || res.Proposal == nil || !res.Proposal.OK() {
		t.Fatalf("result %+v; want the answer's proposal, its checks passed", res)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "calc.go")); string(got) != calc {
		t.Errorf("calc.go changed:\n%s", got)
	}
	roomAgain(t, a)
	svc, err := a.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Open(ctx, session.Ref(res.Answer.Session), root)
	if err != nil {
		t.Fatal(err)
	}
	// The proposal's outcome was recorded while the disk was full: it is
	// not there unless the record was retried. What matters here is that
	// a recorded one does not say the change awaits its write.
	if d := s.Document(ctx); len(d.Turns) == 1 && d.Turns[0].Proposal != nil && d.Turns[0].Proposal.Status == session.ProposalPending {
		t.Errorf("turn's proposal %+v; want it not awaiting a write that will not come", d.Turns[0].Proposal)
	}
	t.Log(ue.Msg)
}
