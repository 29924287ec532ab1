package index

// Benchmarks of the walk alone: how long listing a project takes before
// anything is read.
//
//	go test ./app/index -run '^$' -bench 'Walk|ReadTracked' -benchtime 5x

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
)

// benchWalk walks root as Index does, b.N times, and reports the files
// found and the CPU time of a walk (user and system, all threads): on a
// busy machine it varies less than the time that passes.
func benchWalk(b *testing.B, root string) {
	b.Helper()
	n := 0
	cpu0 := cpuTime(b)
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
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(n), "files")
}

// cpuTime is the CPU time the process has used, in ns.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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
	ignoresTree(b, root)
	benchWalk(b, root)
}

// ignoresTree writes BenchmarkWalkIgnores's project under root.
func ignoresTree(b *testing.B, root string) {
	b.Helper()
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
}

// BenchmarkWalkGitIndex walks BenchmarkWalkIgnores's project as a git work
// tree: the files no rule ignores are tracked, and so are an ignored file
// in each top directory and the files of an ignored directory (git add
// -f). The walk reads the index (~6,500 entries) when a rule first ignores
// a path, and enters the ignored directory for its tracked files.
func BenchmarkWalkGitIndex(b *testing.B) {
	root := b.TempDir()
	ignoresTree(b, root)
	runGit(b, root, "", "init", "-q")
	runGit(b, root, "", "add", "-A")
	force := []string{"add", "-f", "--"}
	for i := range 20 {
		force = append(force, fmt.Sprintf("pkg%02d/sub00/5f.log", i))
	}
	force = append(force, "pkg00/sub03")
	runGit(b, root, "", force...)
	benchWalk(b, root)
	t, err := readTracked(root)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(t.names)), "tracked")
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

// BenchmarkReadTracked reads a git index of 100,000 paths (the Linux
// kernel's holds ~90,000), which the walk does once when a rule first
// ignores a path.
func BenchmarkReadTracked(b *testing.B) {
	root := b.TempDir()
	runGit(b, root, "", "init", "-q")
	// Entries are added without files: all the walk reads is their paths.
	const emptyBlob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
	var info strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&info, "100644 %s\tpkg%03d/sub%02d/file%04d.go\n", emptyBlob, i/1000, i/100%10, i)
	}
	runGit(b, root, info.String(), "update-index", "--index-info")
	n := 0
	cpu0 := cpuTime(b)
	for b.Loop() {
		t, err := readTracked(root)
		if err != nil {
			b.Fatal(err)
		}
		n = len(t.names)
	}
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(n), "paths")
}
