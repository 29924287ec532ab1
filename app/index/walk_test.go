package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// writeTree creates files (path → content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		writeFile(t, root, p, content)
	}
	return root
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	// A minute ago, as a file edited by hand is when it is indexed: a file
	// written within the file system's timestamp granularity of a run is
	// read again by the next (writer.go, racy).
	ago := time.Now().Add(-time.Minute)
	if err := os.Chtimes(p, ago, ago); err != nil {
		t.Fatal(err)
	}
}

func walkPaths(t *testing.T, root, under string) (files []string, skipped map[string]string) {
	t.Helper()
	w := &walker{root: root, exts: map[string]bool{".go": true, ".ex": true, ".md": true}, maxSize: 1 << 20}
	if err := w.walk(under); err != nil {
		t.Fatal(err)
	}
	skipped = map[string]string{}
	for _, e := range w.out {
		if e.skip != "" {
			skipped[e.rel] = e.skip
		} else {
			files = append(files, e.rel)
		}
	}
	slices.Sort(files)
	return files, skipped
}

func TestWalkGitignore(t *testing.T) {
	root := writeTree(t, map[string]string{
		".gitignore":            "build/\n*.gen.go\n/top.go\n!keep.gen.go\n",
		"top.go":                "package x",
		"a/top.go":              "package a",     // /top.go is anchored at the root
		"a/x.gen.go":            "package a",     // *.gen.go anywhere
		"a/keep.gen.go":         "package a",     // unless negated
		"build/out.go":          "package build", // ignored directory
		"deep/build/out.go":     "package build", // build/ matches at any depth
		"sub/.gitignore":        "local.go\n",    // a nested .gitignore…
		"sub/local.go":          "package sub",   // …applies below it
		"local.go":              "package x",     // …and not above
		".git/config.go":        "package git",   // .git is never entered
		".git/info/exclude":     "excluded.ex\n", // but its exclude file counts
		"excluded.ex":           "defmodule E do\nend",
		"notes.txt":             "not an indexed extension",
		"lib/app.ex":            "defmodule App do\nend",
		"docs/guide.md":         "# Guide",
		"sub/deeper/ok.go":      "package deeper",
		"sub/deeper/local.go":   "package deeper", // nested patterns apply at any depth below
		"vendor/mod/mod.go":     "package mod",
		"vendor/mod/.gitignore": "*\n", // ignores everything in its directory
	})
	files, skipped := walkPaths(t, root, "")
	want := []string{"a/keep.gen.go", "a/top.go", "docs/guide.md", "lib/app.ex", "local.go", "sub/deeper/ok.go"}
	if diff := cmp.Diff(want, files); diff != "" || len(skipped) != 0 {
		t.Errorf("walk (-want +got):\n%s\nskipped %v", diff, skipped)
	}

	// A walk under a directory keeps the .gitignore files above it.
	files, _ = walkPaths(t, root, "sub")
	if diff := cmp.Diff([]string{"sub/deeper/ok.go"}, files); diff != "" {
		t.Errorf("walk under sub (-want +got):\n%s", diff)
	}
	if files, _ = walkPaths(t, root, "build"); len(files) != 0 {
		t.Errorf("walk under an ignored directory found %v", files)
	}
}

// TestWalkBadFiles: what cannot be indexed is listed with a reason, never
// read when the walk can tell, and never stops the walk. (Tests run as
// root, where permissions do not stop reads: a FIFO stands in for an
// unopenable file here, and TestIndexSkips fails a read through a hook.)
func TestWalkBadFiles(t *testing.T) {
	root := writeTree(t, map[string]string{"ok.go": "package x", "dir.go/inner.go": "package inner"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("b.go", filepath.Join(root, "a.go"))) // a.go → b.go → a.go
	must(os.Symlink("a.go", filepath.Join(root, "b.go")))
	must(os.Symlink(".", filepath.Join(root, "self"))) // a directory loop, not followed
	must(os.Symlink("missing.go", filepath.Join(root, "dangling.go")))
	must(os.Symlink("ok.go", filepath.Join(root, "alias.go"))) // a link to a file is followed
	// ... unless the file is outside the project (credentials named as code)
	outside := t.TempDir()
	must(os.WriteFile(filepath.Join(outside, "credentials"), []byte("package secret"), 0o600))
	must(os.Symlink(filepath.Join(outside, "credentials"), filepath.Join(root, "creds.go")))
	must(os.Symlink("../../../../../../../../../../etc/passwd", filepath.Join(root, "host.go")))
	must(syscall.Mkfifo(filepath.Join(root, "pipe.go"), 0o644))
	huge, err := os.Create(filepath.Join(root, "huge.go")) // 100 MB, sparse: nothing is written
	must(err)
	must(huge.Truncate(100 << 20))
	must(huge.Close())
	must(os.WriteFile(filepath.Join(root, "bad\xffname.go"), []byte("package x"), 0o644))

	files, skipped := walkPaths(t, root, "")
	if diff := cmp.Diff([]string{"alias.go", "dir.go/inner.go", "ok.go"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := map[string]string{
		"a.go":           reasonLoop,
		"b.go":           reasonLoop,
		"self":           reasonSymlinkDir,
		"dangling.go":    reasonBroken,
		"creds.go":       reasonOutside,
		"host.go":        reasonOutside,
		"pipe.go":        reasonNotRegular,
		"huge.go":        reasonTooLarge,
		"bad\xffname.go": reasonBadName,
	}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// TestIndexSkips: files found unfit on reading are skipped with the
// chunker's reason, and the rest of the project is indexed.
func TestIndexSkips(t *testing.T) {
	root := writeTree(t, map[string]string{
		"ok.go":      "package x\n\nfunc F() {}\n",
		"nul.go":     "package x\x00",
		"latin1.ex":  "defmodule Caf\xe9 do\nend\n",
		"gone.go":    "package x\n",
		"broken.go":  "package x\n\nfunc (\n",
		"partial.ex": "defmodule P do\n  def f(x) do\n    x +\nend\n",
	})
	s := dbtest.Open(t)
	ix := New(Config{Store: s, readErr: func(rel string) error {
		if rel == "gone.go" {
			return &os.PathError{Op: "open", Path: rel, Err: errors.New("input/output error")}
		}
		return nil
	}})
	sum, err := ix.Index(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, sk := range sum.Skipped {
		got[sk.Path] = sk.Reason + ": " + sk.Detail
	}
	want := map[string]string{
		"nul.go":    "binary: NUL byte at offset 9",
		"latin1.ex": "binary: not valid UTF-8",
		"gone.go":   "unreadable: input/output error",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if sum.Files != 6 || sum.Changed != 3 || sum.Chunks == 0 {
		t.Errorf("summary %+v", sum)
	}
	var warned []string
	for _, w := range sum.Warnings {
		warned = append(warned, w.Path)
		if strings.Contains(w.Message, root) {
			t.Errorf("warning %q repeats the path", w.Message)
		}
	}
	if !slices.Contains(warned, "broken.go") || !slices.Contains(warned, "partial.ex") {
		t.Errorf("warnings %+v; want broken.go and partial.ex", sum.Warnings)
	}

	// The next run reads none of them again, and still lists them.
	sum, err = ix.Index(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 0 || len(sum.Skipped) != 3 || sum.Unchanged != 3 {
		t.Errorf("second run %+v", sum)
	}
}

// TestIndexRefusesRootAndHome: the filesystem's root and the home
// directory are no projects unless a marker says so; Index refuses them
// (a usage error) before it walks anything.
func TestIndexRefusesRootAndHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	ix, _ := newIndexer(t, dbtest.Open(t))
	if err := os.WriteFile(filepath.Join(home, "a.go"), []byte("package a\n\nfunc A() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{"/", home} {
		_, err := ix.Index(context.Background(), root, Options{})
		if ue := usererr.As(err); ue == nil || ue.Code != usererr.ExitUsage || !strings.Contains(err.Error(), "run aiex index inside a project") {
			t.Errorf("Index(%s) = %v; want a usage error", root, err)
		}
	}
	for _, marker := range []string{".git", "mix.exs", "go.mod"} {
		if err := os.Mkdir(filepath.Join(home, marker), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := CheckRoot(home); err != nil {
			t.Errorf("home with %s: %v", marker, err)
		}
		if err := os.Remove(filepath.Join(home, marker)); err != nil {
			t.Fatal(err)
		}
	}
	if sub := filepath.Join(home, "proj"); CheckRoot(sub) != nil {
		t.Errorf("a directory below home refused")
	}
}
