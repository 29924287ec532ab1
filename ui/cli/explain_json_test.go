package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestExplainJSONPromptIsTheRecordedRequest: explain --json's prompt is
// the request as the history records it (explain TARGET: QUESTION), not
// the messages sent, which carry the code; --help says so and points to
// aiex context TARGET QUESTION --prompt, which prints those messages as
// they went out (--task ask: those of ask --target).
func TestExplainJSONPromptIsTheRecordedRequest(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fake := providertest.NewOllama(t, providertest.WithReply("It adds."))
	t.Setenv("OLLAMA_HOST", fake.URL())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": taskCalcGo} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	dir := t.TempDir()
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}

	r := runIn(nil, false, "--data-dir", dir, "--json", "explain", "calc.go", "why", "so?", "-m", "tiny")
	var out struct {
		Prompt string `json:"prompt"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("explain --json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if out.Prompt != "explain calc.go: why so?" {
		t.Errorf("prompt %q; want the recorded request", out.Prompt)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests sent", len(reqs))
	}
	var sent strings.Builder
	for _, m := range reqs[0].Messages {
		fmt.Fprintf(&sent, "── %s ──\n%s\n", m.Role, m.Content)
	}
	if !strings.Contains(sent.String(), "func Add(a, b int) int") {
		t.Fatalf("the code was not sent:\n%s", sent.String())
	}
	c := runIn(nil, false, "--data-dir", dir, "context", "calc.go", "why", "so?", "-m", "tiny", "--prompt")
	if c.code != 0 || c.stdout != sent.String() {
		t.Errorf("context --prompt: exit %d, stderr %q; it prints\n%s\nthe messages sent were\n%s", c.code, c.stderr, c.stdout, sent.String())
	}

	// ask --target likewise, with context's ask template.
	r = runIn(nil, false, "--data-dir", dir, "--json", "ask", "--target", "calc.go", "-m", "tiny", "why", "so?")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || out.Prompt != "ask calc.go: why so?" {
		t.Fatalf("ask --json: exit %d, prompt %q, stdout %q, stderr %q", r.code, out.Prompt, r.stdout, r.stderr)
	}
	reqs = fake.Requests()
	sent.Reset()
	for _, m := range reqs[len(reqs)-1].Messages {
		fmt.Fprintf(&sent, "── %s ──\n%s\n", m.Role, m.Content)
	}
	c = runIn(nil, false, "--data-dir", dir, "context", "--task", "ask", "calc.go", "why", "so?", "-m", "tiny", "--prompt")
	if c.code != 0 || c.stdout != sent.String() || !strings.Contains(c.stdout, "func Add(a, b int) int") {
		t.Errorf("context --task ask --prompt: exit %d, stderr %q; it prints\n%s\nthe messages sent were\n%s", c.code, c.stderr, c.stdout, sent.String())
	}

	h := runIn(nil, false, "explain", "--help")
	help := strings.Join(strings.Fields(h.stdout), " ")
	for _, want := range []string{"prompt is the request as recorded", "aiex context TARGET [QUESTION] --prompt"} {
		if !strings.Contains(help, want) {
			t.Errorf("explain --help does not say %q:\n%s", want, h.stdout)
		}
	}
}
