package index

// Benchmarks of the walk alone: how long listing a project takes before
// anything is read.
//
//	go test ./app/index -run '^$' -bench 'Walk' -benchtime 5x

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
)

// benchWalk walks root as Index does, b.N times, and reports the files
// found.
func benchWalk(b *testing.B, root string) {
	b.Helper()
	n := 0
	for b.Loop() {
		w := &walker{root: root, exts: map[string]bool{}, maxSize: chunk.DefaultMaxFileSize}
		for _, e := range defaultExts {
			w.exts[e] = true
		}
		if err := w.walk(""); err != nil {
			b.Fatal(err)
		}
		n = len(w.out)
	}
	b.ReportMetric(float64(n), "files")
}

// BenchmarkWalkGoStd walks $(go env GOROOT)/src: ~15,000 files in ~2,000
// directories, with three .gitignore files.
func BenchmarkWalkGoStd(b *testing.B) {
	benchWalk(b, goStdCorpus(b))
}

// BenchmarkWalkIgnores walks a made-up project where every entry meets
// many patterns: a root .gitignore of 40 lines (globs, anchored paths,
// directory-only patterns, negations), a nested one in every top
// directory, and 12,000 files in 440 directories.
func BenchmarkWalkIgnores(b *testing.B) {
	root := b.TempDir()
	var top strings.Builder
	for _, p := range []string{
		"*.log", "*.tmp", "*.swp", "*~", ".DS_Store", "/bin/", "/dist/", "build/", "out/",
		"node_modules/", "vendor/", "*.gen.go", "!keep.gen.go", "coverage.*", "/tmp", "**/cache/**",
		"docs/_build/", "*.pyc", "__pycache__/", ".idea/", ".vscode/", "*.test", "*.prof", "gen/out.go",
		"file?.go", "[0-9]*.md", "deps/", "_build/", "*.ez", "erl_crash.dump", "/priv/static/",
		"*.beam", "/config/*.secret.exs", "**/fixtures/large/**", "a/**/z.go", "\\#*", "*.orig",
		"*.rej", "!important.log", "/local/",
	} {
		top.WriteString(p + "\n")
	}
	put(b, root, ".gitignore", top.String())
	for i := range 20 {
		d := fmt.Sprintf("pkg%02d", i)
		put(b, root, d+"/.gitignore", "/local.go\n*.bak\n!keep.bak\nsub03/\n")
		for j := range 21 {
			for k := range 28 {
				name := []string{"a.go", "b_test.go", "c.md", "d.ex", "e.exs", "f.log", "g.gen.go"}[k%7]
				put(b, root, fmt.Sprintf("%s/sub%02d/%d%s", d, j, k, name), "x")
			}
		}
	}
	benchWalk(b, root)
}

// put writes a file under root, making its directories.
func put(tb testing.TB, root, rel, content string) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
