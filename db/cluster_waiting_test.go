package db_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestOpenWaitingToJoin: a data dir with peers recorded to join through
// (aiex cluster join) and no store yet is not opened alone: a store made
// by a one-shot command would be one used alone, which can then never
// join the cluster meant. Open refuses in one line naming the peers and
// what to do, and makes nothing. Once the dir has a store, or no peers
// recorded, it opens as before.
func TestOpenWaitingToJoin(t *testing.T) {
	dir := t.TempDir()
	if err := db.SaveJoin(dir, []string{"10.0.0.5:7420", "10.0.0.6:7420"}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Open(context.Background(), db.Config{Dir: dir})
	if err == nil {
		s.Close(context.Background())
		t.Fatal("opened alone a data dir waiting to join a cluster")
	}
	want := "data dir " + dir + " is waiting to join a cluster through 10.0.0.5:7420, 10.0.0.6:7420 (aiex cluster join recorded it): start its node first (aiex --data-dir " + dir +
		" node run --listen ADDR --cluster-key FILE, or --tsnet NAME), then run this command; or delete " + filepath.Join(dir, db.JoinFile) + " to use the data dir alone"
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitFailure || ue.Msg != want {
		t.Fatalf("Open: %v\nwant the user error %q", err, want)
	}
	// Only its node opens it: what the TUI ends on at once.
	if cm := (*db.ClusterMemberError)(nil); !errors.As(err, &cm) || len(cm.Joining) != 2 {
		t.Errorf("Open: %v (%T); want a ClusterMemberError naming the peers", err, err)
	}
	for _, made := range []string{"store", "node-id"} {
		if _, err := os.Stat(filepath.Join(dir, made)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the refused Open made %s: %v", made, err)
		}
	}
	if err := db.CheckJoin(context.Background(), dir); err != nil {
		t.Errorf("after the refused Open, the dir can no longer join: %v", err)
	}

	// Without the peers, the dir is one to use alone.
	if err := os.Remove(filepath.Join(dir, db.JoinFile)); err != nil {
		t.Fatal(err)
	}
	s, err = db.Open(context.Background(), db.Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open without peers recorded: %v", err)
	}
	s.Close(context.Background())
	// A store already there (a member restarted, or one removed from its
	// cluster) opens whatever the file says.
	if err := db.SaveJoin(dir, []string{"10.0.0.5:7420"}); err != nil {
		t.Fatal(err)
	}
	if s, err = db.Open(context.Background(), db.Config{Dir: dir}); err != nil {
		t.Fatalf("Open of an existing store with peers recorded: %v", err)
	}
	s.Close(context.Background())
}
