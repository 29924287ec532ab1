package main

// Tests of aiex index and aiex chunks as users run them: in a project
// directory, with a .gitignore, files that cannot be indexed, and paths
// that are not in the project.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// runIn runs aiex in dir.
func (s *sandbox) runIn(dir string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
		s.t.Fatalf("aiex %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode(), state: cmd.ProcessState}
}

func (s *sandbox) mustRunIn(dir string, args ...string) result {
	s.t.Helper()
	r := s.runIn(dir, args...)
	if r.code != 0 {
		s.t.Fatalf("aiex %v in %s: exit %d\nstdout: %s\nstderr: %s", args, dir, r.code, r.stdout, r.stderr)
	}
	return r
}

// indexSummary is the part of aiex index --json these tests read.
type indexSummary struct {
	Root      string `json:"root"`
	Under     string `json:"under"`
	Files     int    `json:"files"`
	Unchanged int    `json:"unchanged"`
	Changed   int    `json:"changed"`
	Removed   int    `json:"removed"`
	Chunks    int    `json:"chunks"`
	Skipped   []struct {
		Path, Reason, Detail string
	} `json:"skipped"`
	Warnings []struct{ Path, Message string } `json:"warnings"`
}

func (s *sandbox) index(dir string, args ...string) indexSummary {
	s.t.Helper()
	r := s.mustRunIn(dir, append([]string{"index", "--json"}, args...)...)
	var sum indexSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		s.t.Fatalf("index --json: %v\n%s", err, r.stdout)
	}
	return sum
}

// newProject writes a small git project; it returns its root.
func newProject(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		".git/HEAD":       "ref: refs/heads/main\n",
		".gitignore":      "_build/\ndeps/\n",
		"mix.exs":         "defmodule App.MixProject do\n  use Mix.Project\n  def project, do: [app: :app]\nend\n",
		"lib/app.ex":      "defmodule App do\n  @moduledoc \"The app.\"\n\n  def hello(name), do: greet(name)\n\n  defp greet(name), do: \"hi \" <> name\nend\n",
		"lib/broken.ex":   "defmodule Broken do\n  def f(x) do\n    x +\nend\n",
		"tools/main.go":   "package main\n\nfunc main() { run() }\n\nfunc run() {}\n",
		"_build/gen.ex":   "defmodule Gen do\nend\n",
		"deps/dep/dep.ex": "defmodule Dep do\nend\n",
		"lib/blob.ex":     "\x00\x01\x02",
	}
	for p, content := range files {
		path := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, _ = filepath.EvalSymlinks(root)
	return root
}

func TestIndexCommand(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := newProject(t)

	// From a subdirectory, aiex index indexes the whole project; what
	// .gitignore names is left out, what cannot be read is listed.
	sum := s.index(filepath.Join(root, "lib"))
	if sum.Root != root || sum.Files != 5 || sum.Changed != 4 || sum.Chunks == 0 {
		t.Fatalf("first run: %+v", sum)
	}
	if len(sum.Skipped) != 1 || sum.Skipped[0].Path != "lib/blob.ex" || sum.Skipped[0].Reason != "binary" {
		t.Errorf("skipped %+v; want lib/blob.ex as binary", sum.Skipped)
	}
	if len(sum.Warnings) == 0 || sum.Warnings[0].Path != "lib/broken.ex" {
		t.Errorf("warnings %+v; want lib/broken.ex's syntax error", sum.Warnings)
	}

	// Run again: nothing changed.
	if sum = s.index(root); sum.Changed != 0 || sum.Unchanged != 4 {
		t.Errorf("second run: %+v", sum)
	}

	// Without --json: one summary line, then the skipped files; no
	// progress bar when stderr is not a terminal.
	r := s.mustRunIn(root, "index")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Indexed "+root) || !strings.Contains(lines[0], "0 changed") ||
		!strings.Contains(lines[1], "lib/blob.ex: binary") || r.stderr != "" {
		t.Errorf("plain output:\n%s\nstderr %q", r.stdout, r.stderr)
	}

	// A directory of the project: only it is walked.
	os.WriteFile(filepath.Join(root, "tools", "extra.go"), []byte("package main\n\nfunc extra() {}\n"), 0o644)
	if sum = s.index(root, "tools"); sum.Under != "tools" || sum.Files != 2 || sum.Changed != 1 {
		t.Errorf("index tools: %+v", sum)
	}
	// A file of the project: only it is read (an editor's save).
	os.WriteFile(filepath.Join(root, "tools", "extra.go"), []byte("package main\n\nfunc extra() { run() }\n"), 0o644)
	if sum = s.index(filepath.Join(root, "tools"), "extra.go"); sum.Under != "tools/extra.go" || sum.Files != 1 || sum.Changed != 1 {
		t.Errorf("index tools/extra.go: %+v", sum)
	}
	// A link to a file is indexed under its own name; a file the index
	// does not take says why.
	if err := os.Symlink("extra.go", filepath.Join(root, "tools", "alias.go")); err != nil {
		t.Fatal(err)
	}
	if sum = s.index(root, "tools/alias.go"); sum.Under != "tools/alias.go" || sum.Files != 1 || sum.Changed != 1 {
		t.Errorf("index tools/alias.go: %+v", sum)
	}
	// From a directory reached through a link, relative paths name the
	// same files; a deleted file's rows go.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	if sum = s.index(filepath.Join(link, "tools"), "extra.go"); sum.Under != "tools/extra.go" || sum.Files != 1 {
		t.Errorf("index extra.go from a linked directory: %+v", sum)
	}
	if err := os.Remove(filepath.Join(root, "tools", "extra.go")); err != nil {
		t.Fatal(err)
	}
	if sum = s.index(filepath.Join(link, "tools"), "extra.go"); sum.Removed != 1 || sum.Files != 0 {
		t.Errorf("index a deleted file: %+v", sum)
	}
	r = s.runIn(root, "index", "tools/extra.go")
	if r.code != 2 {
		t.Errorf("index a deleted file again: exit %d", r.code)
	}
	oneLine(t, r.stderr, "tools/extra.go does not exist, and the index holds nothing of it")
	r = s.mustRunIn(root, "index", "_build/gen.ex")
	if !strings.Contains(r.stdout, "0 files") || !strings.Contains(r.stdout, "_build/gen.ex is not indexed: it lies in a directory .gitignore leaves out") {
		t.Errorf("index an ignored file:\n%s", r.stdout)
	}
	r = s.mustRunIn(root, "index", "_build")
	if !strings.Contains(r.stdout, "0 files") || !strings.Contains(r.stdout, "_build is not indexed: .gitignore leaves it out") {
		t.Errorf("index an ignored directory:\n%s", r.stdout)
	}
}

func TestIndexCommandErrors(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := newProject(t)
	outside := t.TempDir()
	if err := os.Symlink("..", filepath.Join(root, "lib", "loop")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"index", outside}, 2, []string{outside, "outside the project at " + root}},
		{[]string{"index", ".."}, 2, []string{"..", "outside the project"}},
		{[]string{"index", "/dev/null"}, 2, []string{"/dev/null", "neither a directory nor a file"}},
		{[]string{"index", "nowhere"}, 2, []string{"nowhere", "does not exist"}},
		{[]string{"index", ""}, 2, []string{"PATH is empty"}},
		{[]string{"index", "lib/loop"}, 2, []string{"lib/loop", "symlink to a directory", "does not follow"}},
		{[]string{"chunks", "lib"}, 2, []string{"lib", "is a directory"}},
		{[]string{"chunks", "nowhere.ex"}, 2, []string{"nowhere.ex", "does not exist"}},
		{[]string{"chunks", "lib/blob.ex"}, 1, []string{"lib/blob.ex", "binary"}},
	}
	for _, tt := range tests {
		r := s.runIn(root, tt.args...)
		if r.code != tt.code {
			t.Errorf("aiex %v: exit %d, want %d (stderr %q)", tt.args, r.code, tt.code, r.stderr)
		}
		oneLine(t, r.stderr, tt.want...)
	}
}

// TestIndexRefusesRootAndHome: aiex index outside any project would take
// the filesystem's root or the home directory for one and walk all below
// it; it refuses, unless a project marker is there.
func TestIndexRefusesRootAndHome(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for dir, want := range map[string]string{"/": "/ is the filesystem's root", s.home: "is your home directory"} {
		r := s.runIn(dir, "index")
		if r.code != 2 {
			t.Errorf("aiex index in %s: exit %d, want 2 (stderr %q)", dir, r.code, r.stderr)
		}
		oneLine(t, r.stderr, want, "not a project", "run aiex index inside a project")
	}
	// A home directory that is a project (a Go module) is indexed.
	if err := os.WriteFile(filepath.Join(s.home, "go.mod"), []byte("module example.com/home\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.home, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum := s.index(s.home); sum.Files != 1 {
		t.Errorf("home with go.mod: %d files indexed, want 1 (main.go)", sum.Files)
	}
}

func TestChunksCommand(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := newProject(t)
	r := s.mustRunIn(root, "chunks", "--json", "lib/app.ex")
	var chunks []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &chunks); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	src, _ := os.ReadFile(filepath.Join(root, "lib/app.ex"))
	names := map[string]bool{}
	for _, c := range chunks {
		for _, k := range []string{"kind", "name", "start_line", "end_line", "start_byte", "end_byte", "tokens", "hash"} {
			if _, ok := c[k]; !ok {
				t.Errorf("chunk %v has no %q", c, k)
			}
		}
		names[c["name"].(string)] = true
		// Lines are 1-based and inclusive, and agree with the bytes.
		sb, eb := int(c["start_byte"].(float64)), int(c["end_byte"].(float64))
		sl, el := int(c["start_line"].(float64)), int(c["end_line"].(float64))
		if sl != 1+bytes.Count(src[:sb], []byte("\n")) || el != 1+bytes.Count(src[:eb-1], []byte("\n")) {
			t.Errorf("chunk %v: lines %d-%d do not match bytes %d-%d", c["name"], sl, el, sb, eb)
		}
	}
	for _, n := range []string{"App", "App.hello/1", "App.greet/1"} {
		if !names[n] {
			t.Errorf("no chunk %s in %v", n, names)
		}
	}
	// No store is opened for it.
	if _, err := os.Stat(s.dataDir()); !os.IsNotExist(err) {
		t.Errorf("aiex chunks touched the data dir (err=%v)", err)
	}

	// Source that does not parse still has chunks, with a warning.
	r = s.mustRunIn(root, "chunks", "lib/broken.ex")
	if !strings.Contains(r.stdout, "Broken") || !strings.Contains(r.stderr, "warning") {
		t.Errorf("broken source: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

// TestIndexEmbedModelMissing: an embedding model the server does not have
// leaves the index whole: the summary is printed, a warning says why no
// embeddings were made, the command succeeds and search finds the code.
func TestIndexEmbedModelMissing(t *testing.T) {
	fake := providertest.NewOllama(t)
	s := newSandbox(t, fake.URL())
	s.writeConfig("[index]\nembed = \"ollama/nomic-embed-text\"\n")
	proj := project(t)
	if err := os.WriteFile(filepath.Join(proj, "calc.go"), []byte("package calc\n\n// Frobnicate adds.\nfunc Frobnicate(a, b int) int { return a + b }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.runIn(proj, "index")
	if r.code != 0 || !strings.Contains(r.stdout, "1 file") {
		t.Fatalf("index: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	oneLine(t, r.stderr, "warning: embeddings were not made", "nomic-embed-text", "not found")
	if r := s.mustRunIn(proj, "search", "frobnicate"); !strings.Contains(r.stdout, "calc.Frobnicate") {
		t.Errorf("search after the index: %q", r.stdout)
	}
	var res struct {
		EmbedError string `json:"embed_error"`
	}
	if err := json.Unmarshal([]byte(s.mustRunIn(proj, "--json", "index").stdout), &res); err != nil || !strings.Contains(res.EmbedError, "not found") {
		t.Errorf("index --json = %+v, %v", res, err)
	}
}
