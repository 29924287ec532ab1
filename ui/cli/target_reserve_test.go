package cli_test

import (
	"strings"
	"testing"
)

// TestTooLongSaysOnlyWhatTheCommandCan: a prompt that would fit in the
// model's window if less were kept for the answer is refused by aiex
// explain, ask and refactor with what they can do — a larger window, a
// shorter question, a smaller target — and not with keeping less for the
// answer, which they have no flag for; aiex context, which has, says it.
func TestTooLongSaysOnlyWhatTheCommandCan(t *testing.T) {
	dir, _ := taskProject(t, "never asked")
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	// About 1,700 tokens: over the 1,536 the test model's 2,048-token
	// window leaves the prompt, under the window.
	question := strings.Repeat("why is the sky blue and the grass green? ", 160)
	for _, args := range [][]string{
		{"explain", "calc.go", question},
		{"ask", question},
		// refactor's prompt is longer (its instructions): a shorter goal
		// puts it in that span.
		{"refactor", "calc.go", "--goal", strings.Repeat("why is the sky blue and the grass green? ", 140)},
	} {
		r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "use a model with a larger window or ") || strings.Contains(r.stderr, "keep less") ||
			strings.Contains(r.stderr, "--reserve") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want the refusal without keeping less for the answer", args[0], r.code, r.stderr)
		}
	}
	r := runIn(nil, false, "--data-dir", dir, "context", "calc.go", question)
	if r.code != 1 || !strings.Contains(r.stderr, "or keep less for the answer (") || !strings.Contains(r.stderr, "): pass --reserve ") {
		t.Errorf("context: exit %d, stderr %q; want it to name --reserve", r.code, r.stderr)
	}
}
