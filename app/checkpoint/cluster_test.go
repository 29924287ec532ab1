package checkpoint_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// A checkpoint made on one node restores on another, where the same
// repository sits at another path: its rows and blobs replicate, and its
// paths are relative to the project root.
func TestClusterRestoreOnAnotherNode(t *testing.T) {
	start := time.Now()
	nodes := dbtest.OpenCluster(t, 2)
	t.Logf("2-node cluster up in %s", time.Since(start))
	const key = "git:example.com/org/repo"
	a := newEnvOn(t, nodes[0], t.TempDir(), withKey(key))
	b := newEnvOn(t, nodes[1], t.TempDir(), withKey(key))
	files := map[string]string{"lib/a.ex": "defmodule A do\nend\n", "mix.exs": "# mix\n"}
	a.write(files)
	c := a.apply(checkpoint.Meta{Reason: "gen module"}, edit("lib/a.ex", "defmodule A do\n  def a, do: 1\nend\n"),
		edit("lib/b.ex", "defmodule B do\nend\n"))
	// The other node's checkout got the same change (a pull, a sync).
	b.write(a.tree())

	if err := nodes[1].Sync(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := b.cs.List(ctx, checkpoint.Filter{})
	if err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].Root != a.root {
		t.Fatalf("list on the other node: %+v %v", list, err)
	}
	r, err := b.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}) // written through the leader
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(files, b.tree()); d != "" {
		t.Fatalf("restored on the other node (-want +got):\n%s", d)
	}
	// And back on the first node, the restore made on the second undoes
	// itself there too.
	if err := nodes[0].Sync(ctx); err != nil {
		t.Fatal(err)
	}
	a.write(files)
	if err := osRemove(a.root, "lib/b.ex"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.cs.Restore(ctx, r.Checkpoint.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := a.tree(); got["lib/b.ex"] != "defmodule B do\nend\n" {
		t.Errorf("undo of the other node's restore: %v", got)
	}
}
