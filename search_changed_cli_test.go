package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestSearchSaysFilesChangedSinceIndexed: search gives the lines the index
// holds; a hit in a file edited since (its lines may have moved) is said
// to be so, once per file, on stderr and in --json's changed, with what to
// do. Hits in files as indexed say nothing.
func TestSearchSaysFilesChangedSinceIndexed(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := newProject(t)
	s.index(root)
	if r := s.mustRunIn(root, "search", "hello"); strings.Contains(r.stderr, "changed since") {
		t.Errorf("search before any edit warns: %q", r.stderr)
	}
	app := filepath.Join(root, "lib/app.ex")
	src, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, append([]byte("# A comment that moves every line down.\n\n"), src...), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.mustRunIn(root, "search", "hello")
	if !strings.HasPrefix(r.stdout, "lib/app.ex:4") {
		t.Errorf("search after the edit: %q; want the indexed line", r.stdout)
	}
	oneLine(t, r.stderr, "1 file changed or deleted since it was indexed (lib/app.ex): its lines may have moved; run aiex index")
	var out struct {
		Changed []string `json:"changed"`
	}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "search", "--json", "hello").stdout), &out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Changed, []string{"lib/app.ex"}) {
		t.Errorf("--json changed = %v; want [lib/app.ex]", out.Changed)
	}
	s.index(root)
	if r := s.mustRunIn(root, "search", "hello"); strings.Contains(r.stderr, "changed since") || !strings.HasPrefix(r.stdout, "lib/app.ex:6") {
		t.Errorf("search after index: %q %q; want line 6, no warning", r.stdout, r.stderr)
	}
}
