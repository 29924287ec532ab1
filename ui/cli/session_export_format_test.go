package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSessionExportFileFormat: with -o FILE, the file's format is
// --format's, else its extension's (.json), else Markdown, and --json
// only makes what stdout says JSON ({"session_id", "file"}); without -o,
// --json is the export in JSON on stdout, and another --format with it a
// usage mistake.
func TestSessionExportFileFormat(t *testing.T) {
	dir, id := oneTurnSession(t)
	out := t.TempDir()
	for _, tt := range []struct {
		file string
		args []string
		json bool // the file holds JSON, else Markdown
	}{
		{"a.md", []string{"--json"}, false},
		{"b.md", []string{"--json", "--format", "markdown"}, false},
		{"c.txt", []string{"--json", "-f", "md"}, false},
		{"d.txt", []string{"--json", "--format", "json"}, true},
		{"e.json", []string{"--json"}, true},
		{"f.json", nil, true},
		{"g.json", []string{"--format=markdown"}, false},
		{"h", nil, false},
		{"i.md", []string{"-f", "json"}, true},
	} {
		path := filepath.Join(out, tt.file)
		args := append([]string{"--data-dir", dir, "session", "export", id, "-o", path}, tt.args...)
		r := runCLI(t, false, nil, args...)
		if r.code != 0 {
			t.Errorf("export %q: exit %d, stderr %q", args[2:], r.code, r.stderr)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if isJSON := json.Valid(b); isJSON != tt.json || !tt.json && !strings.HasPrefix(string(b), "# hello\n") {
			t.Errorf("export %q: the file holds %.40q; want JSON %v", args[2:], b, tt.json)
		}
		if slices.Contains(tt.args, "--json") {
			var wrote struct {
				Session string `json:"session_id"`
				File    string `json:"file"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &wrote); err != nil || wrote.Session != id || wrote.File != path {
				t.Errorf("export %q: stdout %q (%v); want {session_id, file}", args[2:], r.stdout, err)
			}
		} else if r.stdout != "" {
			t.Errorf("export %q: stdout %q; want nothing", args[2:], r.stdout)
		}
	}

	// Without -o, --json is the export itself, in JSON, on stdout.
	r := runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "export", id)
	var doc struct {
		Session struct{ ID string } `json:"session"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 || doc.Session.ID != id {
		t.Errorf("export --json: exit %d, stdout %.60q (%v)", r.code, r.stdout, err)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "export", id, "-o", "-", "-f", "markdown")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--json") {
		t.Errorf("export -o - --json -f markdown: exit %d, stdout %q, stderr %q; want a usage error", r.code, r.stdout, r.stderr)
	}
}
