package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// newerMigration records a migration this binary does not know, as a
// newer aiex applying its own would.
func newerMigration(t *testing.T, s *db.Store) int {
	t.Helper()
	v := db.KnownSchema() + 1
	if _, err := s.Execute(context.Background(), db.Stmt(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		v, "from_a_newer_aiex", time.Now())); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenRefusesNewerSchema: a data dir a newer aiex has used holds
// tables this binary would not keep right: it is refused at Open, with one
// sentence saying why and what to do, and nothing in it is written.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	v := newerMigration(t, s)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	before := snapshotFiles(t, dir)

	_, err = db.Open(ctx, db.Config{Dir: dir})
	if err == nil {
		t.Fatal("Open of a store with a newer schema succeeded")
	}
	ue := usererr.As(err)
	var se *db.SchemaNewerError
	if ue == nil || !errors.Is(err, db.ErrSchemaNewer) || !errors.As(err, &se) || se.Store != v || se.Known != db.KnownSchema() {
		t.Fatalf("error = %v (%T); want a user error wrapping SchemaNewerError{Store: %d}", err, err, v)
	}
	if msg := ue.Msg; strings.Contains(msg, "\n") || !strings.Contains(msg, "newer aiex") || !strings.Contains(msg, "upgrade") {
		t.Errorf("message = %q; want one line saying a newer aiex used it and to upgrade", msg)
	}
	if after := snapshotFiles(t, dir); after["store/db.sqlite"] != before["store/db.sqlite"] {
		t.Errorf("db.sqlite changed on a refused open: %d bytes, %d before", after["store/db.sqlite"], before["store/db.sqlite"])
	}
}

// snapshotFiles returns the sizes of the files under dir by relative path.
func snapshotFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWritesRefusedOnceSchemaNewer: another node of the cluster, running
// a newer aiex, migrates the store while this one runs. This node's reads
// go on; its writes are refused with what to do, and stay refused.
func TestWritesRefusedOnceSchemaNewer(t *testing.T) {
	db.SetSchemaEvery(t, 0)
	ctx := context.Background()
	s := dbtest.Open(t)
	if _, err := s.Execute(ctx, db.Stmt(`CREATE TABLE notes (n INTEGER)`)); err != nil {
		t.Fatal(err)
	}
	newerMigration(t, s)
	_, err := s.Execute(ctx, db.Stmt(`INSERT INTO notes (n) VALUES (1)`))
	if !errors.Is(err, db.ErrSchemaNewer) || usererr.As(err) == nil || !strings.Contains(err.Error(), "only reads") {
		t.Fatalf("write after a newer migration: %v; want refused, saying this node only reads", err)
	}
	if _, err := s.ExecuteIdempotent(ctx, db.Stmt(`INSERT INTO notes (n) VALUES (2)`)); !errors.Is(err, db.ErrSchemaNewer) {
		t.Fatalf("idempotent write after a newer migration: %v; want refused", err)
	}
	rows, err := s.Query(ctx, `SELECT COUNT(*) FROM notes`)
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] != int64(0) {
		t.Fatalf("read after refusal: %+v, %v; want 0 rows read", rows, err)
	}
}
