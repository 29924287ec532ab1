package db_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// othersCanRead lists what under dir (dir included) other users could
// read or enter: any group or other bit.
func othersCanRead(t *testing.T, dir string) []string {
	t.Helper()
	var open []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			open = append(open, p+" "+info.Mode().Perm().String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return open
}

// TestStoreIsPrivateInADataDirOthersCanRead: in a data dir the user made
// 0755, under a umask that lets others read, the store, everything in it
// and what the store writes stay its owner's, before and after a close and
// at a reopen of a store an older version left readable; Open warns once
// that the data dir is open to others, naming it and chmod 700, and leaves
// its mode alone.
func TestStoreIsPrivateInADataDirOthersCanRead(t *testing.T) {
	old := syscall.Umask(0) // what the store's libraries create is 0755 and 0644 at best
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var warned []string
	openWarned := func() *db.Store {
		t.Helper()
		s, err := db.Open(ctx, db.Config{Dir: dir, Warn: func(msg string) { warned = append(warned, msg) }})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	store := filepath.Join(dir, "store")
	checkPrivate := func(when string) {
		t.Helper()
		if open := othersCanRead(t, store); len(open) > 0 {
			t.Errorf("%s, others can read: %s", when, strings.Join(open, ", "))
		}
	}

	s := openWarned()
	checkPrivate("after the first open")
	if len(warned) != 1 || !strings.Contains(warned[0], dir) || !strings.Contains(warned[0], "chmod 700 "+dir) ||
		strings.Contains(warned[0], "\n") {
		t.Errorf("warnings: %q; want one line naming %s and chmod 700", warned, dir)
	}
	in := &db.Interaction{ID: "secret", Node: s.NodeID(), Provider: "ollama", Model: "tiny", Prompt: "secret",
		Status: db.StatusRunning, StartedAt: time.Now()}
	if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkPrivate("after a close")

	// A store an older version left open to others is narrowed at open.
	if err := filepath.WalkDir(store, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o755)
		}
		return os.Chmod(p, 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	s = openWarned()
	checkPrivate("after a reopen of a readable store")
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("data dir mode after opens: %v, %v; want the user's 0755 left alone", info.Mode().Perm(), err)
	}
	if len(warned) != 2 {
		t.Errorf("%d warnings over two opens: %q; want one each", len(warned), warned)
	}
}

// TestPrivateDataDirNoWarning: a data dir only its owner can enter, the
// one Open makes included, gets no warning.
func TestPrivateDataDirNoWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var warned []string
	for range 2 {
		s, err := db.Open(context.Background(), db.Config{Dir: dir, Warn: func(msg string) { warned = append(warned, msg) }})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(warned) > 0 {
		t.Errorf("warnings for a private data dir: %q", warned)
	}
	if open := othersCanRead(t, dir); len(open) > 0 {
		t.Errorf("others can read: %s", strings.Join(open, ", "))
	}
}
