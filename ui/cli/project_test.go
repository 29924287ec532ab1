package cli_test

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files, by slash-separated path relative to dir, with
// the directories they need.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, src := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// indexedProject writes files into a new project, makes it the current
// directory and runs aiex index on it, with no model reachable: the tests
// that use it read the index, and a model that answered would only make
// them slower. It returns the project's root and the data directory.
func indexedProject(t *testing.T, files map[string]string) (proj, dataDir string) {
	t.Helper()
	proj = t.TempDir()
	writeTree(t, proj, files)
	t.Chdir(proj)
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	dataDir = t.TempDir()
	if r := runCLI(t, false, nil, "--data-dir", dataDir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	return proj, dataDir
}
