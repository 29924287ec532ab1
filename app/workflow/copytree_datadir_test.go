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
