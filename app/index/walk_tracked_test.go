package index

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// trackedWalk walks root from under with a walker logging to log (nil
// for none) and returns the paths it listed, sorted, and its leftOut.
func trackedWalk(t *testing.T, root, under string, log *slog.Logger) (files []string, leftOut string) {
	t.Helper()
	w := &walker{root: root, exts: map[string]bool{".go": true, ".ex": true, ".md": true}, maxSize: 1 << 20, logger: log}
	if err := w.walk(under); err != nil {
		t.Fatalf("walk %q: %v", under, err)
	}
	for _, e := range w.out {
		files = append(files, e.rel)
	}
	slices.Sort(files)
	return files, w.leftOut
}

// trackedWalkFile is trackedWalk for one file (aiex index FILE).
func trackedWalkFile(t *testing.T, root, file string) (files []string, leftOut string) {
	t.Helper()
	w := &walker{root: root, exts: map[string]bool{".go": true, ".ex": true, ".md": true}, maxSize: 1 << 20}
	if err := w.walkFile(file); err != nil {
		t.Fatalf("walk file %q: %v", file, err)
	}
	for _, e := range w.out {
		files = append(files, e.rel)
	}
	return files, w.leftOut
}

// trackedRepo is a git work tree where .gitignore leaves out generated
// code, a build directory and Mix's deps, and the index tracks some of
// what it leaves out: a generated file added with git add -f, a file
// committed before a rule ignored it, one file of build/ and one deep in
// deps/. Their untracked neighbours stay untracked.
func trackedRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	runGit(t, root, "", "init", "-q")
	for _, p := range []string{
		"main.go", "legacy.ex", "api/v1.pb.go", "api/v2.pb.go", "build/keep.go", "build/other.go",
		"build/sub/x.go", "deps/a/b/tracked.ex", "deps/a/untracked.ex", "deps/c/x.ex",
	} {
		writeFile(t, root, p, "x")
	}
	runGit(t, root, "", "add", "main.go", "legacy.ex")
	runGit(t, root, "", "commit", "-q", "-m", "first")
	// legacy.ex is ignored only after it was committed.
	writeFile(t, root, ".gitignore", "*.pb.go\nlegacy.ex\nbuild/\n/deps\n")
	runGit(t, root, "", "add", "-f", "api/v1.pb.go", "build/keep.go", "deps/a/b/tracked.ex")
	return root
}

// TestWalkTrackedIgnored: a path git tracks is listed though .gitignore
// ignores it, as git ls-files lists it; an ignored directory is entered
// for the tracked paths below it and only those; untracked ignored paths
// stay out with their reasons, and a walk of one file agrees.
func TestWalkTrackedIgnored(t *testing.T) {
	root := trackedRepo(t)
	for _, tc := range []struct {
		under   string
		want    []string
		leftOut string
	}{
		{"", []string{"api/v1.pb.go", "build/keep.go", "deps/a/b/tracked.ex", "legacy.ex", "main.go"}, ""},
		{"api", []string{"api/v1.pb.go"}, ""},
		{"build", []string{"build/keep.go"}, ""},
		{"deps/a", []string{"deps/a/b/tracked.ex"}, ""},
		{"build/sub", nil, ".gitignore leaves it out"}, // ignored, and nothing tracked below
		{"deps/c", nil, ".gitignore leaves it out"},
	} {
		got, leftOut := trackedWalk(t, root, tc.under, nil)
		if diff := cmp.Diff(tc.want, got); diff != "" || leftOut != tc.leftOut {
			t.Errorf("walk %q (-want +got):\n%s\nleft out %q, want %q", tc.under, diff, leftOut, tc.leftOut)
		}
	}

	for _, tc := range []struct{ file, leftOut string }{
		{"api/v1.pb.go", ""},
		{"legacy.ex", ""},
		{"build/keep.go", ""},
		{"deps/a/b/tracked.ex", ""},
		{"api/v2.pb.go", ".gitignore leaves it out"},
		{"build/other.go", "it lies in a directory .gitignore leaves out"},
		{"build/sub/x.go", "it lies in a directory .gitignore leaves out"},
		{"deps/a/untracked.ex", "it lies in a directory .gitignore leaves out"},
	} {
		got, leftOut := trackedWalkFile(t, root, tc.file)
		var want []string
		if tc.leftOut == "" {
			want = []string{tc.file}
		}
		if !slices.Equal(got, want) || leftOut != tc.leftOut {
			t.Errorf("walk file %s: listed %v, left out %q; want %v, %q", tc.file, got, leftOut, want, tc.leftOut)
		}
		if why := Ignored(root, tc.file); why != tc.leftOut {
			t.Errorf("Ignored(%s) = %q, want %q", tc.file, why, tc.leftOut)
		}
	}
}

// TestWalkTrackedRemoved: a path the index holds that is gone from the
// disk is not listed, and is no error, whether the rules ignore it or not.
func TestWalkTrackedRemoved(t *testing.T) {
	root := trackedRepo(t)
	for _, p := range []string{"api/v1.pb.go", "deps/a/b/tracked.ex", "main.go"} {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(filepath.Join(root, "build")); err != nil {
		t.Fatal(err)
	}
	got, _ := trackedWalk(t, root, "", nil)
	if diff := cmp.Diff([]string{"legacy.ex"}, got); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
	if got, leftOut := trackedWalk(t, root, "deps", nil); len(got) != 0 {
		t.Errorf("walk of deps listed %v (left out %q)", got, leftOut)
	}
}

// TestWalkTrackedBadIndex: an index that cannot be read leaves the walk
// to the ignore rules alone; it is logged, and the walk does not fail.
func TestWalkTrackedBadIndex(t *testing.T) {
	want := []string{"main.go"} // legacy.ex, tracked, is ignored by the rules
	for _, tc := range []struct {
		name  string
		spoil func(b []byte) []byte
	}{
		{"garbage", func([]byte) []byte { return []byte("not an index at all") }},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"bad checksum", func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }},
		{"unknown version", func(b []byte) []byte { b[7] = 9; return b }},
		{"entry count too large", func(b []byte) []byte { b[8], b[9] = 0x7f, 0xff; return b }},
		{"empty", func([]byte) []byte { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := trackedRepo(t)
			file := filepath.Join(root, ".git", "index")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, tc.spoil(b), 0o644); err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
			got, _ := trackedWalk(t, root, "", log)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("walk (-want +got):\n%s", diff)
			}
			if !strings.Contains(logged.String(), "git index not read") {
				t.Errorf("nothing logged about the index: %q", logged.String())
			}
			if why := Ignored(root, "build/keep.go"); why == "" {
				t.Error("Ignored(build/keep.go) is empty with a damaged index")
			}
		})
	}

	// A missing index (a repository nothing was added to) is no error:
	// nothing is logged.
	root := trackedRepo(t)
	if err := os.Remove(filepath.Join(root, ".git", "index")); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	got, _ := trackedWalk(t, root, "", slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if diff := cmp.Diff(want, got); diff != "" || logged.Len() != 0 {
		t.Errorf("walk without an index (-want +got):\n%s\nlogged %q", diff, logged.String())
	}
}

// TestWalkTrackedWorktree: in a linked worktree, whose .git is a file
// naming its git directory, the walk reads that directory's index.
func TestWalkTrackedWorktree(t *testing.T) {
	root := trackedRepo(t)
	runGit(t, root, "", "add", ".gitignore")
	runGit(t, root, "", "commit", "-q", "-m", "tracked ignored files")
	wt := filepath.Join(t.TempDir(), "wt")
	runGit(t, root, "", "worktree", "add", "-q", wt)
	if fi, err := os.Lstat(filepath.Join(wt, ".git")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the worktree's .git is not a file: %v", err)
	}
	writeFile(t, wt, "api/v3.pb.go", "x")          // untracked, ignored
	writeFile(t, wt, "build/new.go", "x")          // untracked, in an ignored directory
	runGit(t, wt, "", "add", "-f", "api/v3.pb.go") // tracked in this worktree's index only
	got, _ := trackedWalk(t, wt, "", nil)
	want := []string{"api/v1.pb.go", "api/v3.pb.go", "build/keep.go", "deps/a/b/tracked.ex", "legacy.ex", "main.go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walk of the worktree (-want +got):\n%s", diff)
	}
	if got, _ := trackedWalk(t, root, "api", nil); !slices.Equal(got, []string{"api/v1.pb.go"}) {
		t.Errorf("walk of the main tree's api lists %v: the worktree's index leaked", got)
	}
}

// TestWalkTrackedAgreesWithGit: with some of gitTree's ignored paths
// tracked, the walk lists what git ls-files lists (tracked and untracked,
// less the tracked files deleted), from the root and from directories
// below it, ignored ones too; and a walk of each file alone agrees with
// the walk of the whole tree. Both index versions git writes by default
// and the compressed version 4 are read.
func TestWalkTrackedAgreesWithGit(t *testing.T) {
	root := t.TempDir()
	runGit(t, root, "", "init", "-q")
	for p, content := range gitTree {
		writeFile(t, root, p, content)
	}
	for _, p := range gitTreeFiles {
		writeFile(t, root, p, "x")
	}
	runGit(t, root, "", "add", "-A")
	runGit(t, root, "", "add", "-f", "build/keep.go", "x/build/o.go", "neg/in.go", "y.gen.go", "lib/a.md",
		"lib/deep/c.go", "v/tmp/w/a.go", "excluded.ex", "sub/local.go", "n1/n2/a.go", "kay/a.go", "docs/sub/b.md")
	// Tracked, then deleted: git still lists it with --cached.
	if err := os.Remove(filepath.Join(root, "kay", "a.go")); err != nil {
		t.Fatal(err)
	}
	exts := map[string]bool{".go": true, ".ex": true, ".md": true}
	check := func(t *testing.T) {
		var whole []string
		for _, under := range []string{"", "sub", "lib", "lib/deep", "n1/n2", "build", "x/build", "v/tmp", "docs", "neg", "kay"} {
			got, _ := trackedWalk(t, root, under, nil)
			args := []string{"ls-files", "-z", "--others", "--cached", "--exclude-standard"}
			deleted := []string{"ls-files", "-z", "--deleted"}
			if under != "" {
				args = append(args, "--", under)
				deleted = append(deleted, "--", under)
			}
			gone := map[string]bool{}
			for p := range bytes.SplitSeq(runGit(t, root, "", deleted...), []byte{0}) {
				gone[string(p)] = true
			}
			var want []string
			for p := range bytes.SplitSeq(runGit(t, root, "", args...), []byte{0}) {
				if exts[path.Ext(string(p))] && !gone[string(p)] {
					want = append(want, string(p))
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("walk %q (-git +walk):\n%s", under, diff)
			}
			if under == "" {
				whole = got
			}
		}
		for _, p := range gitTreeFiles {
			if p == "kay/a.go" {
				continue // deleted
			}
			got, leftOut := trackedWalkFile(t, root, p)
			if listed := len(got) == 1; listed != slices.Contains(whole, p) {
				t.Errorf("walk file %s: listed %v (left out %q); the whole walk listed it: %v", p, got, leftOut, !listed)
			}
		}
	}
	t.Run("default version", check)
	runGit(t, root, "", "update-index", "--index-version", "4")
	t.Run("version 4", check)
}

// TestIndexTrackedIgnored: Index takes a generated file git tracks though
// .gitignore ignores it, in a whole run and in a run narrowed to it, and
// still leaves out its untracked neighbour.
func TestIndexTrackedIgnored(t *testing.T) {
	ctx := context.Background()
	root := trackedRepo(t)
	writeFile(t, root, "api/v1.pb.go", "package api\n\n// Hello is generated.\nfunc Hello() string { return \"hi\" }\n")
	writeFile(t, root, "api/v2.pb.go", "package api\n\n// Bye is generated.\nfunc Bye() string { return \"bye\" }\n")
	s := dbtest.Open(t)
	ix := New(Config{Store: s})
	index(t, ix, root, Options{})
	proj, err := s.CodeProject(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.CodeFiles(ctx, proj.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(files))
	want := []string{"api/v1.pb.go", "build/keep.go", "deps/a/b/tracked.ex", "legacy.ex", "main.go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indexed files (-want +got):\n%s", diff)
	}

	writeFile(t, root, "api/v1.pb.go", "package api\n\n// Hello is generated anew.\nfunc Hello() string { return \"hello\" }\n")
	touch(t, root, "api/v1.pb.go")
	if sum := index(t, ix, root, Options{Under: "api/v1.pb.go"}); sum.Files != 1 || sum.Changed != 1 || sum.LeftOut != "" {
		t.Errorf("run on the tracked file: %+v", sum)
	}
	if sum := index(t, ix, root, Options{Under: "api/v2.pb.go"}); sum.Files != 0 || sum.LeftOut != ".gitignore leaves it out" {
		t.Errorf("run on the untracked ignored file: %+v", sum)
	}
}
