package workflow_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/workflow"
)

// TestCopyTreeLeavesDataDirOut: the copy of a project that mix compiles,
// or that gen tests runs in, holds none of an aiex data dir inside the
// project (AIEX_DATA_DIR=.aiex): the commands run there must not read
// its key file or store. A directory merely named like one is copied.
func TestCopyTreeLeavesDataDirOut(t *testing.T) {
	src := t.TempDir()
	for rel, body := range map[string]string{
		"lib/app.ex":        "defmodule App do\nend\n",
		".aiex/aiex.lock":   "123\n",
		".aiex/secret.key":  "AGE-SECRET-KEY-1\n",
		"store2/node-id":    "vm-1\n",
		"store2/store/x.db": "x",
		"lib/store/y.ex":    "defmodule Y do\nend\n",
	} {
		p := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := workflow.CopyTree(src, dst, workflow.MixCopySkip); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"lib/app.ex": true, "lib/store/y.ex": true, ".aiex": false, "store2": false} {
		_, err := os.Stat(filepath.Join(dst, filepath.FromSlash(rel)))
		if got := err == nil; got != want {
			t.Errorf("%s in the copy: %v, want %v", rel, got, want)
		}
	}
}

// TestCopyTreeThroughSymlinkedRoot: a project reached through a symlink
// is copied whole, not as a link back to it (which mix would then build
// in, writing into the project).
func TestCopyTreeThroughSymlinkedRoot(t *testing.T) {
	real := t.TempDir()
	if err := os.MkdirAll(filepath.Join(real, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "lib/app.ex"), []byte("defmodule App do\nend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "proj")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := workflow.CopyTree(link, dst, workflow.MixCopySkip); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dst); err != nil || !fi.IsDir() {
		t.Fatalf("the copy %s: %v, %v; want a directory", dst, fi, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "lib/app.ex")); err != nil {
		t.Errorf("lib/app.ex not in the copy: %v", err)
	}
}
