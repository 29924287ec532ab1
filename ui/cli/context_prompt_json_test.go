package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestContextPromptJSON: context --json --prompt prints the object
// context --json prints, with the rendered prompt as its messages (role
// and content, as context --prompt shows them); without --prompt there
// are none.
func TestContextPromptJSON(t *testing.T) {
	dir, _ := taskProject(t, "never asked")
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	type out struct {
		Model    string `json:"model"`
		Tokens   int    `json:"tokens"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	r := runIn(nil, false, "--data-dir", dir, "--json", "context", "--prompt", "calc.go", "why so terse?")
	var got out
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("context --json --prompt: exit %d, stdout %q (%v), stderr %q", r.code, r.stdout, err, r.stderr)
	}
	if got.Model == "" || got.Tokens == 0 {
		t.Errorf("context --json --prompt lacks the context's fields: %s", r.stdout)
	}
	if len(got.Messages) == 0 || got.Messages[len(got.Messages)-1].Role != "user" {
		t.Fatalf("context --json --prompt: messages %+v; want the rendered prompt, ending with the user's", got.Messages)
	}
	user := got.Messages[len(got.Messages)-1].Content
	if !strings.Contains(user, "why so terse?") || !strings.Contains(user, "func Add") {
		t.Errorf("context --json --prompt: the user message holds neither the question nor the code: %q", user)
	}
	// The text form shows the same messages.
	text := runIn(nil, false, "--data-dir", dir, "context", "--prompt", "calc.go", "why so terse?")
	for _, m := range got.Messages {
		if !strings.Contains(text.stdout, "── "+m.Role+" ──\n"+m.Content+"\n") {
			t.Errorf("context --prompt does not show the %s message that --json does:\n%s", m.Role, text.stdout)
		}
	}

	r = runIn(nil, false, "--data-dir", dir, "--json", "context", "calc.go")
	var plain map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &plain); err != nil || r.code != 0 {
		t.Fatalf("context --json: exit %d, %q (%v)", r.code, r.stdout, err)
	}
	if _, ok := plain["messages"]; ok {
		t.Errorf("context --json without --prompt prints messages: %s", r.stdout)
	}
}
