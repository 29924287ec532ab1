package index

import (
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestWalkLeavesDataDirOut: an aiex data dir inside the project
// (AIEX_DATA_DIR=.aiex), marked by its lock or node-id file, is not
// walked, whatever .gitignore says: none of its files reaches the index.
// A directory merely named like one is.
func TestWalkLeavesDataDirOut(t *testing.T) {
	root := writeTree(t, map[string]string{
		"lib/app.ex":            "defmodule App do\nend\n",
		".aiex/aiex.lock":       "123\n",
		".aiex/notes.md":        "# AGE-SECRET-KEY-1 notes\n",
		"state/node-id":         "vm-1\n",
		"state/readme.md":       "# state\n",
		"docs/node-id/index.md": "# not a data dir: node-id is a directory here\n",
	})
	ix, _ := newIndexer(t, dbtest.Open(t))
	sum := index(t, ix, root, Options{})
	if sum.Files != 2 {
		t.Errorf("%d files indexed; want lib/app.ex and docs/node-id/index.md alone", sum.Files)
	}
}
