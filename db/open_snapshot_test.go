package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// TestOpenRefusesDamagedSnapshot: a store whose snapshot's data or
// meta.json is damaged does not open, saying so on one line that names
// the snapshots' directory and what to do, not Raft's "failed to load any
// existing snapshots".
func TestOpenRefusesDamagedSnapshot(t *testing.T) {
	for _, what := range []string{"data", "meta.json"} {
		t.Run(what, func(t *testing.T) {
			dir := t.TempDir()
			writeRows(t, dir, 2, 6, 10) // a snapshot every 2 entries
			snaps := filepath.Join(dir, "store", "rsnapshots")
			var hit string
			filepath.WalkDir(snaps, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				if what == "meta.json" && d.Name() == "meta.json" || what == "data" && strings.HasSuffix(p, ".db") {
					hit = p
				}
				return nil
			})
			if hit == "" {
				t.Fatalf("no %s in %s", what, snaps)
			}
			if err := os.WriteFile(hit, []byte("garbage, not a snapshot"), 0o600); err != nil {
				t.Fatal(err)
			}
			// db.sqlite would let the open skip the snapshot: it goes too.
			os.Remove(filepath.Join(dir, "store", "db.sqlite"))
			s, err := db.Open(context.Background(), db.Config{Dir: dir})
			if err == nil {
				s.Close(context.Background())
				t.Fatalf("the store opened with its %s damaged and no db.sqlite to fall back on", what)
			}
			ue := usererr.As(err)
			if ue == nil || strings.Contains(ue.Msg, "\n") || !strings.Contains(ue.Msg, snaps+" cannot be read") || !strings.Contains(ue.Msg, "put back rsnapshots from a backup") {
				t.Errorf("open: %v; want one line naming %s and what to do", err, snaps)
			}
		})
	}
}
