package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"go.etcd.io/bbolt"
)

// TestOpenDiskFullSaysSo opens stores on a full disk. Whichever of Open's
// writes finds no room (Raft appending the entry every open commits,
// Raft restoring the latest snapshot into SQLite, Bolt writing its
// freelist), the open must say that the disk is full, as a failed write
// does, every time: not "node is not the leader" (Raft steps down when it
// cannot append to its log) nor "failed to load any existing snapshots".
func TestOpenDiskFullSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name string
		// snapshot: Close leaves a snapshot (Open then restores it);
		// keepSQLite: the SQLite files Open deletes free no space;
		// leave: pages of the disk left free.
		snapshot, keepSQLite bool
		leave                int
	}{
		{name: "log append", keepSQLite: true, leave: 4},
		{name: "snapshot restore", snapshot: true, leave: 2},
		{name: "log open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mnt := smallDisk(t, 8<<20)
			ctx := context.Background()
			dir := filepath.Join(mnt, "d")
			every := -1
			if tc.snapshot {
				every = 1
			}
			s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: every})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				in := &db.Interaction{ID: fmt.Sprintf("i%d", i), Node: s.NodeID(), Provider: "p", Model: "m",
					Prompt: strings.Repeat("x", 4000), Status: db.StatusRunning, StartedAt: time.Now()}
				if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.keepSQLite {
				// A second link keeps the blocks of the files Open deletes.
				for _, f := range []string{"db.sqlite", "db.sqlite-wal"} {
					if err := os.Link(filepath.Join(dir, "store", f), filepath.Join(mnt, f)); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The log reuses its free pages before it grows: take their
			// blocks away (a hole reads as zeros, and free pages are never
			// read), then fill the disk, so that the log's next write
			// needs a block there is no room for.
			punchFreePages(t, filepath.Join(dir, "store", "raft.db"))
			fillDisk(t, mnt, tc.leave)

			for range 2 {
				msg, user := openInChild(t, dir)
				if !user || !strings.Contains(msg, "is full; free some space there") || !strings.Contains(msg, dir) {
					t.Fatalf("Open on a full disk: %q (user error: %v); want the disk-full sentence naming %s", msg, user, dir)
				}
			}
		})
	}
}

// smallDisk mounts a tmpfs of size bytes for the test, or skips it where
// that is not possible (not root, no mount permission).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	return mnt
}

// punchFreePages deallocates the blocks of every free page of the Bolt
// file at path.
func punchFreePages(t *testing.T, path string) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var free []int
	pageSize := bdb.Info().PageSize
	err = bdb.View(func(tx *bbolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type == "free" {
				free = append(free, id)
			}
		}
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const punchHole, keepSize = 0x02, 0x01
	for _, id := range free {
		if err := syscall.Fallocate(int(f.Fd()), punchHole|keepSize, int64(id*pageSize), int64(pageSize)); err != nil {
			t.Fatalf("punch page %d: %v", id, err)
		}
	}
}

// fillDisk writes a file in dir until its disk is full, then frees pages
// pages of it.
func fillDisk(t *testing.T, dir string, pages int) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	var n int64
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
		n += int64(len(buf))
	}
	if err := f.Truncate(max(0, n-int64(pages*len(buf)))); err != nil {
		t.Fatal(err)
	}
}
