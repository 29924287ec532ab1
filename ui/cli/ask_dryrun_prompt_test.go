package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAskDryRunShowsPrompt: aiex context --prompt without a target points
// to aiex ask --dry-run --json, and that prints the messages ask would
// send, as context --json --prompt does: the same messages a real ask
// then sends, with code and without.
func TestAskDryRunShowsPrompt(t *testing.T) {
	fake, _ := dryRunProject(t, map[string]string{
		"go.mod":  "module example.com/calc\n\ngo 1.22\n",
		"calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
	})
	dir := t.TempDir()
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	r := runIn(nil, false, "--data-dir", dir, "context", "--prompt")
	usageLine(t, r, "aiex ask --dry-run --json QUESTION shows its prompt")

	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	for _, tc := range []struct {
		args []string
		code string // in the last message
	}{
		{[]string{"--no-code", "why is the sky blue?"}, ""},
		{[]string{"how does Add work?"}, "func Add"},
	} {
		question := tc.args[len(tc.args)-1]
		r := runIn(nil, false, append([]string{"--data-dir", dir, "ask", "--dry-run", "--json", "-m", "tiny"}, tc.args...)...)
		var out struct {
			Model    string    `json:"model"`
			Messages []message `json:"messages"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
			t.Fatalf("ask --dry-run --json %q: exit %d, %v, stdout %q, stderr %q", question, r.code, err, r.stdout, r.stderr)
		}
		if out.Model != "tiny" || len(out.Messages) == 0 {
			t.Fatalf("ask --dry-run --json %q: model %q, messages %+v; want tiny's prompt", question, out.Model, out.Messages)
		}
		last := out.Messages[len(out.Messages)-1]
		if last.Role != "user" || !strings.Contains(last.Content, question) || !strings.Contains(last.Content, tc.code) {
			t.Errorf("ask --dry-run --json %q: last message %+v; want the user's, with the question and %q", question, last, tc.code)
		}

		// What ask then sends is what the dry run showed.
		sent := len(fake.Requests())
		if r := runIn(nil, false, append([]string{"--data-dir", dir, "ask", "-m", "tiny"}, tc.args...)...); r.code != 0 {
			t.Fatalf("ask %q: exit %d, %s", question, r.code, r.stderr)
		}
		reqs := fake.Requests()
		if len(reqs) != sent+1 {
			t.Fatalf("ask %q sent %d requests", question, len(reqs)-sent)
		}
		var got []message
		for _, m := range reqs[sent].Messages {
			got = append(got, message{m.Role, m.Content})
		}
		if len(got) != len(out.Messages) {
			t.Fatalf("ask %q sent %d messages, the dry run showed %d", question, len(got), len(out.Messages))
		}
		for i := range got {
			if got[i] != out.Messages[i] {
				t.Errorf("ask %q: message %d sent is %+v, the dry run showed %+v", question, i, got[i], out.Messages[i])
			}
		}
	}
}
