package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ctxbuild"
)

// TestContextSaysTargetGone: a dry run in a session whose target no longer
// exists says so on stderr, as the answer of a real ask does.
func TestContextSaysTargetGone(t *testing.T) {
	var out, errb bytes.Buffer
	c := &Context{Context: context.Background(), Out: &Output{Out: &out, Err: &errb}}
	gone := "the session's target lib/money.ex:2 (P.Money.add/2) no longer exists in the project; the question's context leaves it out (name the code with --target)"
	b := &app.BuiltContext{Context: &ctxbuild.Context{}, Provider: "ollama", Model: "tiny", TargetGone: gone}
	if err := printContext(c, "/p", b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "aiex: warning: "+gone) {
		t.Errorf("stderr %q; want the warning that the session's target is gone", errb.String())
	}
}
