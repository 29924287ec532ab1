package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefactorNoBuildSaysSo: refactor --no-build shows the build it did
// not run as a skipped check, on stderr and in --json's checks, so that
// ✓ applies and ✓ syntax alone do not read as a change that builds.
// Go's are go build and go vet, Elixir's mix compile; a file in neither
// language has no build to skip.
func TestRefactorNoBuildSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name, target, reply string
		files               map[string]string // besides taskProject's go.mod and calc.go
		want, notWant       []string
	}{
		{name: "go", target: "calc.go",
			reply: "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn b + a\n }\n```\n",
			want:  []string{"go build", "go vet"}, notWant: []string{"mix compile"}},
		{name: "elixir", target: "lib/shop.ex",
			files: map[string]string{"mix.exs": "defmodule Shop.MixProject do\n  use Mix.Project\n\n  def project, do: [app: :shop, version: \"0.1.0\"]\nend\n",
				"lib/shop.ex": "defmodule Shop do\n  def total(prices), do: Enum.sum(prices)\nend\n"},
			reply: "```diff\n--- a/lib/shop.ex\n+++ b/lib/shop.ex\n@@ -1,3 +1,3 @@\n defmodule Shop do\n-  def total(prices), do: Enum.sum(prices)\n+  def total(prices), do: Enum.reduce(prices, 0, &+/2)\n end\n```\n",
			want:  []string{"mix compile"}, notWant: []string{"go build", "go vet"}},
		{name: "text", target: "notes.txt",
			files:   map[string]string{"notes.txt": "one\n"},
			reply:   "```diff\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1 @@\n-one\n+two\n```\n",
			notWant: []string{"go build", "go vet", "mix compile"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, root := taskProject(t, tc.reply)
			for name, body := range tc.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := runIn(nil, false, "--data-dir", dir, "refactor", tc.target, "--goal", "g", "-m", "tiny", "--no-build")
			if r.code != 0 || !strings.Contains(r.stderr, "✓ applies") {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, name := range tc.want {
				if line := "- " + name + ": not run (--no-build)"; !strings.Contains(r.stderr, line) {
					t.Errorf("stderr lacks %q:\n%s", line, r.stderr)
				}
			}
			for _, name := range tc.notWant {
				if strings.Contains(r.stderr, name) {
					t.Errorf("stderr names %s, which this change has nothing to do with:\n%s", name, r.stderr)
				}
			}

			j := runIn(nil, false, "--data-dir", dir, "--json", "refactor", tc.target, "--goal", "g", "-m", "tiny", "--no-build")
			var out struct {
				Proposal struct {
					Checks []struct{ Name, Status, Detail string }
				}
			}
			if err := json.Unmarshal([]byte(j.stdout), &out); err != nil || j.code != 0 {
				t.Fatalf("--json: exit %d, stdout %q, stderr %q", j.code, j.stdout, j.stderr)
			}
			got := map[string]string{}
			for _, c := range out.Proposal.Checks {
				got[c.Name] = c.Status + ": " + c.Detail
			}
			for _, name := range tc.want {
				if got[name] != "skipped: not run (--no-build)" {
					t.Errorf("--json check %q is %q; want it skipped, not run (--no-build); checks %+v", name, got[name], out.Proposal.Checks)
				}
			}
			for _, name := range tc.notWant {
				if _, ok := got[name]; ok {
					t.Errorf("--json has a %q check: %+v", name, out.Proposal.Checks)
				}
			}
		})
	}
}
