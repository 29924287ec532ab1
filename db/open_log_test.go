package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"go.etcd.io/bbolt"
)

// writeRows opens dir with snapshotEvery, records n interactions with
// prompts of size bytes and closes it.
func writeRows(t *testing.T, dir string, snapshotEvery, n, size int) {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: snapshotEvery})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		in := &db.Interaction{ID: fmt.Sprintf("i%d-%d", time.Now().UnixNano(), i), Node: s.NodeID(), Provider: "p", Model: "m",
			Prompt: strings.Repeat("x", size), Status: db.StatusRunning, StartedAt: time.Now()}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// countRows opens dir and counts its interactions.
func countRows(t *testing.T, dir string) int {
	t.Helper()
	ctx := context.Background()
	s := open(t, dir)
	defer s.Close(ctx)
	rows, err := s.Query(ctx, "SELECT COUNT(*) FROM llm_interaction")
	if err != nil {
		t.Fatal(err)
	}
	return int(rows.Values[0][0].(int64))
}

// TestOpenRefusesLostLog: a store whose Raft log was emptied or deleted
// must not open as a new store (losing everything) or as its latest
// snapshot (losing what came after): Open refuses, says what survives and
// what to do, and leaves the files as they were.
func TestOpenRefusesLostLog(t *testing.T) {
	for _, tc := range []struct {
		name          string
		snapshotEvery int
		lose          func(path string) error
		state         string
	}{
		{"emptied", -1, func(p string) error { return os.Truncate(p, 0) }, "is empty"},
		{"emptied after a snapshot", 1, func(p string) error { return os.Truncate(p, 0) }, "is empty"},
		{"deleted", -1, os.Remove, "is missing"},
		{"deleted after a snapshot", 1, os.Remove, "is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRows(t, dir, tc.snapshotEvery, 3, 10)
			writeRows(t, dir, -1, 3, 10) // after the snapshot, if any
			storeDir := filepath.Join(dir, "store")
			if err := tc.lose(filepath.Join(storeDir, "raft.db")); err != nil {
				t.Fatal(err)
			}
			before := dirSizes(t, storeDir)
			for range 2 { // and again: the refusal changed nothing
				s, err := db.Open(context.Background(), db.Config{Dir: dir})
				if err == nil {
					s.Close(context.Background())
					t.Fatal("Open of a store whose log was lost succeeded")
				}
				var ue *usererr.Error
				msg := err.Error()
				if !errors.As(err, &ue) || !strings.Contains(msg, "raft.db "+tc.state) || !strings.Contains(msg, "db.sqlite") ||
					!strings.Contains(msg, "move "+storeDir+" aside") || strings.Contains(msg, "\n") {
					t.Fatalf("Open: %v; want one line saying that raft.db %s, what survives and what to do", err, tc.state)
				}
			}
			if after := dirSizes(t, storeDir); after != before {
				t.Fatalf("the refused open changed the store:\nbefore %s\nafter  %s", before, after)
			}
			// Moved aside, as the message says, the dir starts over.
			if err := os.Rename(storeDir, storeDir+".lost"); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, dir); n != 0 {
				t.Fatalf("a new store holds %d rows", n)
			}
		})
	}
}

// TestOpenNewStoreUnaffected: a new data dir, and one whose first open
// was killed before the log held anything (an empty file, or a Bolt file
// without Raft's buckets), still open.
func TestOpenNewStoreUnaffected(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Killed as Bolt created its file: empty, and nothing else.
	if err := os.WriteFile(filepath.Join(dir, "store", "raft.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	writeRows(t, dir, -1, 2, 10)
	if n := countRows(t, dir); n != 2 {
		t.Fatalf("rows = %d; want 2", n)
	}

	// Killed after Bolt wrote its file, before Raft made its buckets: a
	// Bolt file without a log. It read as damaged, for good.
	bare := t.TempDir()
	if err := os.MkdirAll(filepath.Join(bare, "store"), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := bbolt.Open(filepath.Join(bare, "store", "raft.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	writeRows(t, bare, -1, 2, 10)
	if n := countRows(t, bare); n != 2 {
		t.Fatalf("a bare Bolt log: rows = %d; want 2", n)
	}
}

// dirSizes describes the regular files in dir and their sizes.
func dirSizes(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s=%d ", strings.TrimPrefix(p, dir), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestOpenRefusesDamagedLog damages the Raft log page by page, and cuts it
// short: Open either works (the page was free) or fails with one line
// naming the file, never with a panic (which killed every command).
func TestOpenRefusesDamagedLog(t *testing.T) {
	ctx := context.Background()
	pristine := t.TempDir()
	writeRows(t, pristine, 1, 3, 100)        // a snapshot
	writeRows(t, pristine, -1, 20, 6000)     // entries after it, some spanning pages
	log := filepath.Join("store", "raft.db") // in each copy
	info, err := os.Stat(filepath.Join(pristine, log))
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	type damage struct {
		name string
		do   func(f *os.File) error
	}
	var damages []damage
	for p := int64(0); p < info.Size()/page; p++ {
		damages = append(damages, damage{fmt.Sprintf("page %d zeroed", p), func(f *os.File) error {
			_, err := f.WriteAt(make([]byte, page), p*page)
			return err
		}})
	}
	for _, size := range []int64{20000, info.Size() / 2, 3 * page} {
		damages = append(damages, damage{fmt.Sprintf("cut to %d bytes", size), func(f *os.File) error { return f.Truncate(size) }})
	}
	refused := 0
	for _, d := range damages {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(pristine)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, log)
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = d.do(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.Open(ctx, db.Config{Dir: dir})
		if err == nil {
			if err := s.Close(ctx); err != nil {
				t.Fatalf("%s: Close: %v", d.name, err)
			}
			continue
		}
		refused++
		var ue *usererr.Error
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), path+" is damaged") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("%s: Open: %v; want one line saying %s is damaged", d.name, err, path)
		}
	}
	if refused < 3 {
		t.Fatalf("only %d of %d damaged logs refused; the test damages nothing that matters", refused, len(damages))
	}
	t.Logf("%d of %d damaged logs refused", refused, len(damages))
}

// BenchmarkCheckLog measures Open's check of the Raft log on a ~10 MB log:
// "after" with all of it after the latest snapshot (read whole, as Raft
// replays it), "before" with all of it before (an index run, then a
// snapshot on close: only the first and last entries are read).
func BenchmarkCheckLog(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every int
	}{{"after", -1}, {"before", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			ctx := context.Background()
			s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: bc.every})
			if err != nil {
				b.Fatal(err)
			}
			big := strings.Repeat("x", 32<<10)
			for i := range 320 {
				in := &db.Interaction{ID: fmt.Sprint(i), Node: s.NodeID(), Provider: "p", Model: "m", Prompt: big, Status: db.StatusRunning, StartedAt: time.Now()}
				if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Close(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := db.CheckLog(dir); err != nil {
					b.Fatal(err)
				}
			}
			if info, err := os.Stat(filepath.Join(dir, "store", "raft.db")); err == nil {
				b.ReportMetric(float64(info.Size())/(1<<20), "log-MiB")
			}
		})
	}
}
